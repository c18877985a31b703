//! Go's time formatting where Helm's output uses it: `time.Time.String()` (the UPDATED column
//! of `list`) and layouts such as `2006-01-02 15:04:05Z0700` (`list --time-format`).

use crate::release::gotime::Time;

/// Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST` (fraction trimmed,
/// zone `UTC` at offset zero, else the numeric offset, as Go prints an unnamed zone).
pub fn go_time(time: &Time) -> String {
    let mut out = time.format("%Y-%m-%d %H:%M:%S").to_string();
    let nanos = time.timestamp_subsec_nanos();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    let offset = time.format("%z").to_string();
    let zone = if time.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        offset.clone()
    };
    format!("{out} {offset} {zone}")
}

/// Formats `time` with a Go reference-time layout (`2006-01-02 15:04:05Z0700`), as Helm's
/// `--time-format` does; text that is not a layout token is copied.
pub fn go_format(time: &Time, layout: &str) -> String {
    use chrono::{Datelike, Timelike};
    let b = layout.as_bytes();
    let mut out = String::new();
    let offset = time.offset().local_minus_utc();
    let zone = |colon: bool, seconds: bool, short: bool| {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
        let sep = if colon { ":" } else { "" };
        let mut z = format!("{sign}{h:02}");
        if !short {
            z.push_str(&format!("{sep}{m:02}"));
        }
        if seconds {
            z.push_str(&format!("{sep}{s:02}"));
        }
        z
    };
    let hour12 = match time.hour() % 12 {
        0 => 12,
        h => h,
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &layout[i..];
        let starts = |p: &str| rest.starts_with(p);
        // `Jan` and `Mon` are tokens unless a lowercase letter follows (`Month` is text).
        let word =
            |p: &str| starts(p) && !rest[p.len()..].starts_with(|c: char| c.is_ascii_lowercase());
        // (token length, text)
        let (len, text): (usize, String) = if starts("January") {
            (7, time.format("%B").to_string())
        } else if word("Jan") {
            (3, time.format("%b").to_string())
        } else if starts("Monday") {
            (6, time.format("%A").to_string())
        } else if word("Mon") {
            (3, time.format("%a").to_string())
        } else if starts("MST") {
            let name = if offset == 0 {
                "UTC".to_string()
            } else {
                zone(false, false, false)
            };
            (3, name)
        } else if starts("2006") {
            (4, format!("{:04}", time.year()))
        } else if starts("002") {
            (3, format!("{:03}", time.ordinal()))
        } else if starts("__2") {
            (3, format!("{:>3}", time.ordinal()))
        } else if starts("01") {
            (2, format!("{:02}", time.month()))
        } else if starts("02") {
            (2, format!("{:02}", time.day()))
        } else if starts("03") {
            (2, format!("{hour12:02}"))
        } else if starts("04") {
            (2, format!("{:02}", time.minute()))
        } else if starts("05") {
            (2, format!("{:02}", time.second()))
        } else if starts("06") {
            (2, format!("{:02}", time.year() % 100))
        } else if starts("_2") {
            (2, format!("{:>2}", time.day()))
        } else if starts("15") {
            (2, format!("{:02}", time.hour()))
        } else if starts("1") {
            (1, time.month().to_string())
        } else if starts("2") {
            (1, time.day().to_string())
        } else if starts("3") {
            (1, hour12.to_string())
        } else if starts("4") {
            (1, time.minute().to_string())
        } else if starts("5") {
            (1, time.second().to_string())
        } else if starts("PM") {
            (2, if time.hour() >= 12 { "PM" } else { "AM" }.to_string())
        } else if starts("pm") {
            (2, if time.hour() >= 12 { "pm" } else { "am" }.to_string())
        } else if let Some((n, colon, seconds, short)) = [
            ("-07:00:00", true, true, false),
            ("-070000", false, true, false),
            ("-07:00", true, false, false),
            ("-0700", false, false, false),
            ("-07", false, false, true),
        ]
        .iter()
        .find(|(p, ..)| starts(p))
        .map(|(p, c, s, sh)| (p.len(), *c, *s, *sh))
        {
            (n, zone(colon, seconds, short))
        } else if let Some((n, colon, seconds, short)) = [
            ("Z07:00:00", true, true, false),
            ("Z070000", false, true, false),
            ("Z07:00", true, false, false),
            ("Z0700", false, false, false),
            ("Z07", false, false, true),
        ]
        .iter()
        .find(|(p, ..)| starts(p))
        .map(|(p, c, s, sh)| (p.len(), *c, *s, *sh))
        {
            let text = if offset == 0 {
                "Z".to_string()
            } else {
                zone(colon, seconds, short)
            };
            (n, text)
        } else if (b[i] == b'.' || b[i] == b',') && matches!(b.get(i + 1), Some(b'0' | b'9')) {
            let digit = b[i + 1];
            let mut j = i + 1;
            while j < b.len() && b[j] == digit {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                (1, (b[i] as char).to_string())
            } else {
                let n = j - i - 1;
                let nanos = format!("{:09}", time.nanosecond() % 1_000_000_000);
                let mut frac = nanos[..n.min(9)].to_string();
                if digit == b'9' {
                    frac = frac.trim_end_matches('0').to_string();
                }
                let text = if frac.is_empty() {
                    String::new()
                } else {
                    format!("{}{frac}", b[i] as char)
                };
                (j - i, text)
            }
        } else {
            let ch = rest.chars().next().unwrap_or_default();
            (ch.len_utf8(), ch.to_string())
        };
        out.push_str(&text);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::gotime;

    #[test]
    fn updated_reads_like_go_time_string() {
        let t = gotime::parse("2026-11-22T02:46:07.22971627Z").unwrap();
        assert_eq!(go_time(&t), "2026-11-22 02:46:07.22971627 +0000 UTC");
        let t = gotime::parse("2026-11-22T03:46:07+01:00").unwrap();
        assert_eq!(go_time(&t), "2026-11-22 03:46:07 +0100 +0100");
    }

    #[test]
    fn go_layouts_format_like_go() {
        let t = gotime::parse("2026-03-05T14:07:09.120000000-07:30").unwrap();
        let cases = [
            ("2006-01-02 15:04:05Z0700", "2026-03-05 14:07:09-0730"),
            ("Mon Jan _2 15:04:05 2006", "Thu Mar  5 14:07:09 2026"),
            (
                "Monday, January 2 06 3:4:5 PM",
                "Thursday, March 5 26 2:7:9 PM",
            ),
            ("15:04:05.000 -07:00 MST", "14:07:09.120 -07:30 -0730"),
            ("05.999999 .99 x", "09.12 .12 x"),
            ("002 __2 Z07:00 -07 pm 1.5", "064  64 -07:30 -07 pm 3.9"),
            ("it's 03 o'clock", "it's 02 o'clock"),
            ("Monthly Janitor", "Monthly Janitor"),
        ];
        for (layout, want) in cases {
            assert_eq!(go_format(&t, layout), want, "{layout}");
        }
        let utc = gotime::parse("2026-03-05T00:00:00Z").unwrap();
        assert_eq!(go_format(&utc, "Z07:00 MST 3PM"), "Z UTC 12AM");
    }
}
