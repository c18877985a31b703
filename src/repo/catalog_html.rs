//! HTML building blocks for the catalog: escaping text and attributes, deciding which URLs may
//! appear in links and images, and encoding chart names into URL paths. Everything index or
//! README text reaches the page through these functions.

/// Escapes text for an HTML body or a quoted attribute value (`& < > " '`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The scheme of `url` (lower case) if it has one, after dropping the ASCII whitespace and
/// control characters that browsers ignore inside a scheme (`java\tscript:`).
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_ascii_whitespace())
        .collect();
    let end = cleaned.find([':', '/', '?', '#'])?;
    if cleaned.as_bytes()[end] != b':' || end == 0 {
        return None;
    }
    let candidate = &cleaned[..end];
    let valid = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // Anything with a colon before the first `/` that is not a clean scheme is refused by the
    // caller too: report it as a scheme nobody allows.
    Some(if valid {
        candidate.to_ascii_lowercase()
    } else {
        String::from("invalid")
    })
}

/// `url` if a link to it is harmless (`http`, `https`, `mailto`, or a relative reference),
/// else `#`.
pub fn safe_link(url: &str) -> String {
    match scheme(url).as_deref() {
        None | Some("http") | Some("https") | Some("mailto") => url.to_string(),
        Some(_) => "#".to_string(),
    }
}

/// Whether `url` is an inline image (`data:image/...`), the only outside image the catalog shows
/// as is: it is part of the page, so nothing is fetched.
pub fn is_data_image(url: &str) -> bool {
    let url = url.trim_start();
    url.len() > 11 && url[..11].eq_ignore_ascii_case("data:image/")
}

/// Whether `url` is a reference relative to the repository (no scheme, not `//host/...`).
pub fn is_relative(url: &str) -> bool {
    scheme(url).is_none() && !url.starts_with("//") && !url.starts_with('\\')
}

/// Percent-encodes `segment` for one URL path segment (everything but unreserved characters).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The number of placeholder icon colours (CSS classes `c0` ... `c11`).
pub const PLACEHOLDER_COLOURS: usize = 12;

/// A generated icon for a chart without a usable one: its initial on a colour derived from the
/// name (a CSS class, so the page needs no inline styles).
pub fn placeholder_icon(name: &str) -> String {
    let hash = name
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let initial = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_else(|| "?".to_string());
    format!(
        "<span class=\"icon placeholder c{}\" aria-hidden=\"true\">{}</span>",
        hash % PLACEHOLDER_COLOURS,
        escape(&initial)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn schemes_are_found_through_obfuscation() {
        assert_eq!(scheme("HTTPS://x").as_deref(), Some("https"));
        assert_eq!(scheme(" java\nscript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("a b:c").as_deref(), Some("ab"));
        assert_eq!(scheme("1x:y").as_deref(), Some("invalid"));
        assert_eq!(scheme("docs/a:b"), None);
        assert_eq!(scheme("#frag:x"), None);
        assert_eq!(scheme("redis-1.0.0.tgz"), None);
    }

    #[test]
    fn links_and_images_are_filtered() {
        assert_eq!(safe_link("vbscript:x"), "#");
        assert_eq!(safe_link("mailto:a@b"), "mailto:a@b");
        assert!(is_data_image("data:image/svg+xml;base64,AAA"));
        assert!(!is_data_image("data:text/html,x"));
        assert!(is_relative("charts/a.tgz"));
        assert!(!is_relative("//evil.example/a.png"));
        assert!(!is_relative("https://a/b.png"));
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("my chart/<x>"), "my%20chart%2F%3Cx%3E");
        assert_eq!(encode_segment("redis-1.0_0~"), "redis-1.0_0~");
    }

    #[test]
    fn placeholders_are_stable_and_escaped() {
        assert_eq!(placeholder_icon("redis"), placeholder_icon("redis"));
        assert!(placeholder_icon("redis").contains(">R</span>"));
        assert!(placeholder_icon("<>").contains(">?</span>"));
    }
}
