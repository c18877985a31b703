//! TEMPORARY shim until the strvals work lands: `-f` files only.
use super::{Values, ValuesError};

/// One `--set`-family flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// `--set`
    Set(String),
    /// `--set-string`
    SetString(String),
    /// `--set-file`
    SetFile(String),
    /// `--set-json`
    SetJson(String),
    /// `--set-literal`
    SetLiteral(String),
}

/// All user-supplied values of one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f` files.
    pub files: Vec<String>,
    /// The `--set` family in command-line order.
    pub sets: Vec<ValueSource>,
}

impl ValueOptions {
    /// Merges everything.
    pub fn merge(&self, _stdin: &mut dyn std::io::Read) -> Result<Values, ValuesError> {
        let mut out = Values::new();
        for f in &self.files {
            let text =
                std::fs::read_to_string(f).map_err(|e| ValuesError::new(f, e.to_string()))?;
            let v: Values =
                yaml_serde::from_str(&text).map_err(|e| ValuesError::new(f, e.to_string()))?;
            out.extend(v);
        }
        Ok(out)
    }
}
