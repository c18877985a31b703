//! Rules on `values.yaml` (Helm's `rules/values.go`): present (or an INFO), a YAML mapping.
//! Schema violations come from the render pipeline and are reported by `templates`.

use super::Linter;
use super::source::{Entry, Source};

/// Where values problems are reported.
pub const FILE: &str = "values.yaml";

/// Checks `values.yaml` of the chart.
pub fn lint(src: &Source, l: &mut Linter) {
    let bytes = match src.entry(FILE) {
        Entry::File(b) => b,
        Entry::Missing => {
            l.info(FILE, "file does not exist");
            return;
        }
        Entry::Dir => {
            l.error(FILE, "should be a file, not a directory");
            return;
        }
        Entry::Unreadable(e) => {
            l.error(FILE, e);
            return;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        l.error(FILE, "not valid UTF-8 text");
        return;
    };
    // The reader the loader and `-f` use (Helm's YAML 1.1 rules), so lint and render agree.
    if let Err(e) = crate::values::yaml::parse_values(FILE, &text) {
        let message = crate::text::one_line(&e.message);
        l.error(e.location, format!("unable to parse YAML: {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: Option<&str>) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        if let Some(v) = values {
            std::fs::write(dir.path().join(FILE), v).unwrap();
        }
        let mut l = Linter::default();
        lint(&Source::open(dir.path()).unwrap(), &mut l);
        l.messages.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn values_rules() {
        assert!(run(Some("a: 1\nb: [x]\n")).is_empty());
        assert!(run(Some("# only a comment\n")).is_empty());
        assert_eq!(run(None), vec!["[INFO] values.yaml: file does not exist"]);
        let m = run(Some("a: [\n"));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("[ERROR] values.yaml:2:1: unable to parse YAML: "),
            "{m:?}"
        );
        let m = run(Some("- a\n"));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("[ERROR] values.yaml:1: unable to parse YAML: "),
            "{m:?}"
        );
        // YAML 1.1 as Helm: `yes` is a boolean, an octal is a number; documents merge.
        assert!(run(Some("a: yes\nb: 0755\n---\nc: 1\n")).is_empty());
    }
}
