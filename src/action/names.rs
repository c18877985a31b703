//! Release names: Helm's validation and `--generate-name`.

use super::ActionError;

/// Longest release name Helm accepts (Secret names carry a prefix and a version suffix).
pub const MAX_RELEASE_NAME_LEN: usize = 53;

/// Checks a release name as Helm does: lowercase DNS-1123 subdomain, at most 53 characters.
pub fn validate_release_name(name: &str) -> Result<(), ActionError> {
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() {
        return Err(ActionError::Invalid(
            "release name must not be empty".into(),
        ));
    }
    if name.len() > MAX_RELEASE_NAME_LEN {
        return Err(ActionError::Invalid(format!(
            "release name {name:?} is longer than {MAX_RELEASE_NAME_LEN} characters"
        )));
    }
    if !name.split('.').all(valid_label) {
        return Err(ActionError::Invalid(format!(
            "release name {name:?} is invalid: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
        )));
    }
    Ok(())
}

/// `--generate-name`: the chart name and the current Unix time, as Helm does.
pub fn generate_name(chart_name: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base: String = chart_name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let max_base = MAX_RELEASE_NAME_LEN - 11;
    format!(
        "{}-{secs}",
        base.trim_matches('-')
            .chars()
            .take(max_base)
            .collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_helm() {
        assert!(validate_release_name("my-app").is_ok());
        assert!(validate_release_name("a.b-1").is_ok());
        assert!(validate_release_name("My_App").is_err());
        assert!(validate_release_name("-x").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
        let g = generate_name("Web_App");
        assert!(g.starts_with("web-app-"), "{g}");
        assert!(validate_release_name(&g).is_ok());
    }
}
