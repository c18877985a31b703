//! Timestamps as Go's `time.Time` writes them in JSON (RFC 3339 with nanoseconds, trailing
//! zeros trimmed, `Z` for UTC), so the release JSON we write reads like Helm's and Helm's
//! timestamps survive a decode/encode round trip unchanged.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// A point in time with the offset it was written with (Helm records local time).
pub type Time = DateTime<FixedOffset>;

/// The current time in UTC, as a [`Time`].
pub fn now() -> Time {
    Utc::now().fixed_offset()
}

/// Formats `time` as Go's `time.RFC3339Nano` does: `2026-11-22T02:46:07.22971627Z`.
pub fn format(time: &Time) -> String {
    let whole = time.to_rfc3339_opts(SecondsFormat::Secs, true);
    let nanos = time.timestamp_subsec_nanos();
    if nanos == 0 {
        return whole;
    }
    let fraction = format!("{nanos:09}");
    let fraction = fraction.trim_end_matches('0');
    // `whole` is `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `+HH:MM`.
    let (clock, zone) = whole.split_at(19);
    format!("{clock}.{fraction}{zone}")
}

/// Parses an RFC 3339 timestamp as Go writes it.
pub fn parse(text: &str) -> Result<Time, String> {
    DateTime::parse_from_rfc3339(text).map_err(|e| format!("bad timestamp {text:?}: {e}"))
}

/// Serde adapter for `Option<Time>` fields that Helm omits when zero (and may write as `""`).
pub mod opt {
    use super::*;

    /// Writes the time in Go's format; only called for `Some` (fields skip `None`).
    pub fn serialize<S: Serializer>(time: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(t) => s.serialize_str(&format(t)),
            None => s.serialize_none(),
        }
    }

    /// Reads a time; `null`, `""` and Go's zero time all mean "not set", as in Helm.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text.as_deref() {
            None | Some("") => Ok(None),
            Some(t) => {
                let time = parse(t).map_err(serde::de::Error::custom)?;
                Ok((time.timestamp() != GO_ZERO_UNIX).then_some(time))
            }
        }
    }

    /// `0001-01-01T00:00:00Z`, Go's zero `time.Time`, in Unix seconds.
    const GO_ZERO_UNIX: i64 = -62_135_596_800;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_timestamps_round_trip_exactly() {
        for text in [
            "2026-11-22T02:46:07.22971627Z",
            "2026-11-22T02:46:07Z",
            "2026-11-22T03:46:07.000000001+01:00",
            "2024-02-29T23:59:59.5-07:30",
        ] {
            assert_eq!(format(&parse(text).unwrap()), text);
        }
    }

    #[test]
    fn zero_and_empty_times_are_unset() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, with = "opt")]
            t: Option<Time>,
        }
        for json in [
            r#"{"t":""}"#,
            r#"{"t":null}"#,
            r#"{"t":"0001-01-01T00:00:00Z"}"#,
            "{}",
        ] {
            let t: T = serde_json::from_str(json).unwrap();
            assert!(t.t.is_none(), "{json}");
        }
        assert!(serde_json::from_str::<T>(r#"{"t":"yesterday"}"#).is_err());
    }
}
