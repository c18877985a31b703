//! `.helmignore`: gitignore-style patterns of files left out of a chart. (Placeholder.)

/// Parsed `.helmignore` rules.
#[derive(Debug, Default, Clone)]
pub struct HelmIgnore {}

impl HelmIgnore {
    /// Parses the text of a `.helmignore` file.
    pub fn parse(_text: &str) -> Self {
        HelmIgnore {}
    }

    /// Whether a path relative to the chart root is ignored.
    pub fn is_ignored(&self, _path: &str, _is_dir: bool) -> bool {
        false
    }
}
