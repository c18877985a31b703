//! Version, randomness and time helpers: semverCompare, randAlphaNum, uuidv4, now, date.

use rand::RngExt as _;
use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use super::convert::text;
use crate::chart::{constraint_matches, parse_constraint};

pub(super) fn register(tera: &mut Tera) {
    tera.register_filter(
        "semverCompare",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<bool> {
            let constraint: String = kw.must_get("constraint")?;
            semver_compare(&constraint, &text(v)?)
        },
    );
    tera.register_function(
        "semverCompare",
        |kw: Kwargs, _: &State| -> TeraResult<bool> {
            let constraint: String = kw.must_get("constraint")?;
            let version: String = kw.must_get("version")?;
            semver_compare(&constraint, &version)
        },
    );
    tera.register_function(
        "randAlphaNum",
        |kw: Kwargs, _: &State| -> TeraResult<String> {
            const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            let n: usize = kw.must_get("n")?;
            let mut rng = rand::rng();
            Ok((0..n)
                .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
                .collect())
        },
    );
    tera.register_function("uuidv4", |_: Kwargs, _: &State| -> String {
        uuid::Uuid::new_v4().to_string()
    });
    tera.register_function("now", |_: Kwargs, _: &State| -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    });
    tera.register_filter(
        "date",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let layout: String = kw.must_get("format")?;
            let when = parse_time(v)?;
            Ok(when.format(&go_layout_to_strftime(&layout)).to_string())
        },
    );
}

fn semver_compare(constraint: &str, version: &str) -> TeraResult<bool> {
    let alternatives = parse_constraint(constraint).map_err(|e| {
        Error::message(format!(
            "semverCompare: invalid constraint {constraint:?}: {e}"
        ))
    })?;
    let version = crate::engine::context::parse_kube_version(version)
        .map_err(|e| Error::message(format!("semverCompare: {e}")))?;
    Ok(constraint_matches(&alternatives, &version))
}

fn parse_time(v: &Value) -> TeraResult<chrono::DateTime<chrono::Utc>> {
    if let Some(secs) = v.as_i64() {
        return chrono::DateTime::from_timestamp(secs, 0)
            .ok_or_else(|| Error::message(format!("date: {secs} is out of range")));
    }
    let s = text(v)?;
    chrono::DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| Error::message(format!("date: {s:?} is not an RFC 3339 time: {e}")))
}

/// Converts a Go time layout (`2006-01-02T15:04:05Z07:00`) to a chrono format string.
pub(crate) fn go_layout_to_strftime(layout: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("January", "%B"),
        ("Monday", "%A"),
        ("Z07:00", "%:z"),
        ("-07:00", "%:z"),
        ("-0700", "%z"),
        ("2006", "%Y"),
        (".000000000", "%.9f"),
        (".000000", "%.6f"),
        (".000", "%.3f"),
        ("Jan", "%b"),
        ("Mon", "%a"),
        ("MST", "%Z"),
        ("01", "%m"),
        ("02", "%d"),
        ("15", "%H"),
        ("03", "%I"),
        ("04", "%M"),
        ("05", "%S"),
        ("06", "%y"),
        ("PM", "%p"),
        ("pm", "%P"),
        ("_2", "%e"),
        ("1", "%-m"),
        ("2", "%-d"),
        ("3", "%-I"),
        ("4", "%-M"),
        ("5", "%-S"),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (go, strf) in TOKENS {
            if let Some(after) = rest.strip_prefix(go) {
                out.push_str(strf);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap();
        if c == '%' {
            out.push_str("%%");
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts() {
        assert_eq!(go_layout_to_strftime("2006-01-02"), "%Y-%m-%d");
        assert_eq!(go_layout_to_strftime("15:04:05 MST"), "%H:%M:%S %Z");
    }

    #[test]
    fn semver_compare_like_helm() {
        assert!(semver_compare(">=1.19-0", "v1.29.3").unwrap());
        assert!(!semver_compare("<1.19", "1.29.0").unwrap());
        assert!(semver_compare("^1.2", "bad").is_err());
    }
}
