//! All user-supplied values of one command: `-f` files, then the `--set` family, merged as Helm 4
//! merges them (`pkg/cli/values/options.go`), except that the `--set` flags apply in command-line
//! order (Helm groups them by flag; the order given is what users expect and what we document).

use std::io::Read;

use serde_json::Value;

use super::strvals::{self, SetKind};
use super::{Values, ValuesError, yaml};

/// One `--set`-family flag with its expression, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// `--set a.b=1,c={x,y}`: typed values.
    Set(String),
    /// `--set-string a=012`: every value a string.
    SetString(String),
    /// `--set-file a=path`: the value is the file's content (`-` is stdin).
    SetFile(String),
    /// `--set-json a={"b":1}` or a whole JSON object.
    SetJson(String),
    /// `--set-literal a=any,text`: the value is the rest of the expression.
    SetLiteral(String),
}

impl ValueSource {
    /// Which parser the flag uses.
    pub fn kind(&self) -> SetKind {
        match self {
            ValueSource::Set(_) => SetKind::Typed,
            ValueSource::SetString(_) => SetKind::String,
            ValueSource::SetFile(_) => SetKind::File,
            ValueSource::SetJson(_) => SetKind::Json,
            ValueSource::SetLiteral(_) => SetKind::Literal,
        }
    }

    /// The expression as given.
    pub fn expr(&self) -> &str {
        match self {
            ValueSource::Set(e)
            | ValueSource::SetString(e)
            | ValueSource::SetFile(e)
            | ValueSource::SetJson(e)
            | ValueSource::SetLiteral(e) => e,
        }
    }
}

/// The values flags of one command (`install`, `template`, `upgrade` ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f`/`--values` files in order; `-` reads standard input.
    pub files: Vec<String>,
    /// The `--set` family in command-line order.
    pub sets: Vec<ValueSource>,
}

/// How standard input is named in errors.
const STDIN_NAME: &str = "<stdin>";

impl ValueOptions {
    /// -f files in order (`-` = stdin), then the --set family in command-line order.
    ///
    /// Files merge into each other with Helm's `MergeMaps` (a null stays null: removing chart
    /// defaults is coalescing's job); `--set-file` paths are relative to the current directory.
    pub fn merge(&self, stdin: &mut dyn Read) -> Result<Values, ValuesError> {
        let mut values = Values::new();
        for file in &self.files {
            let (name, text) = if file.trim() == "-" {
                (
                    STDIN_NAME,
                    read_stdin(stdin).map_err(|m| ValuesError::new(STDIN_NAME, m))?,
                )
            } else {
                let text = read_text(file).map_err(|m| {
                    ValuesError::new(file.as_str(), format!("cannot read values file: {m}"))
                })?;
                (file.as_str(), text)
            };
            merge_maps(&mut values, yaml::parse_values(name, &text)?);
        }
        let mut read_file = |path: &str| {
            if path.trim() == "-" {
                read_stdin(stdin)
            } else {
                read_text(path)
            }
        };
        for source in &self.sets {
            strvals::parse_into(source.expr(), source.kind(), &mut values, &mut read_file)?;
        }
        Ok(values)
    }
}

/// Reads all of standard input as text.
fn read_stdin(stdin: &mut dyn Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "standard input is not UTF-8 text".to_string())
}

/// Reads a local file as text; the reason on failure is one line.
fn read_text(path: &str) -> Result<String, String> {
    if ["http://", "https://", "oci://"]
        .iter()
        .any(|scheme| path.starts_with(scheme))
    {
        return Err("remote files are not supported; download it and pass the local path".into());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// Helm's `MergeMaps`: maps merge recursively, anything else in `overlay` replaces (a null
/// included).
pub fn merge_maps(base: &mut Values, overlay: Values) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => merge_maps(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}
