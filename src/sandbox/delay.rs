//! Test-only slow requests: a rule `VERB:RESOURCE[:NAMESPACE]=DURATION` (matched as a
//! [`DenyRule`]) holds every matching request for the duration before serving it, so a test can
//! catch a client in the middle of an operation (kill it, or start a second one alongside).

use std::time::Duration;

use super::deny::{Attributes, DenyRule};

/// One delay rule: which requests, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayRule {
    /// Which requests (same syntax and matching as a deny rule).
    pub rule: DenyRule,
    /// How long each matching request waits before it is served.
    pub delay: Duration,
}

/// Why a `--delay` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid delay rule {0:?}: expected VERB:RESOURCE[:NAMESPACE]=DURATION (e.g. patch:configmaps=2s)"
)]
pub struct DelayRuleError(pub String);

impl std::str::FromStr for DelayRule {
    type Err = DelayRuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DelayRuleError(s.to_string());
        let (rule, delay) = s.split_once('=').ok_or_else(bad)?;
        Ok(DelayRule {
            rule: rule.parse().map_err(|_| bad())?,
            delay: parse_duration(delay).ok_or_else(bad)?,
        })
    }
}

/// `500ms`, `2s`, `1m` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// The longest delay any of `rules` puts on the request `a` (`None`: serve at once).
pub fn delay_for(rules: &[DelayRule], a: &Attributes<'_>) -> Option<Duration> {
    rules
        .iter()
        .filter(|r| r.rule.matches(a))
        .map(|r| r.delay)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let r: DelayRule = "patch:configmaps:ns=1.5s".parse().unwrap();
        assert_eq!(r.delay, Duration::from_millis(1500));
        let a = Attributes {
            verb: "patch",
            group: "",
            resource: "configmaps",
            namespace: Some("ns"),
            name: Some("x"),
        };
        assert_eq!(
            delay_for(std::slice::from_ref(&r), &a),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(delay_for(&[r], &Attributes { verb: "get", ..a }), None);
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert!("patch:configmaps".parse::<DelayRule>().is_err());
        assert!("patch:configmaps=soon".parse::<DelayRule>().is_err());
        assert!("patch=1s".parse::<DelayRule>().is_err());
    }
}
