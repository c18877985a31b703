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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Cursor;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn merged(options: &ValueOptions, stdin: &str) -> Result<Value, ValuesError> {
        options
            .merge(&mut Cursor::new(stdin.as_bytes().to_vec()))
            .map(Value::Object)
    }

    #[test]
    fn files_merge_in_order_with_helm_merge_maps() {
        let dir = tempfile::tempdir().unwrap();
        let a = file(
            &dir,
            "a.yaml",
            "m: {p: 1, q: 2}\nl: [1, 2]\ns: a\nnil: keep\n",
        );
        let b = file(&dir, "b.yaml", "m: {q: 3, r: null}\nl: [3]\nnil: null\n");
        let options = ValueOptions {
            files: vec![a, b],
            sets: vec![],
        };
        assert_eq!(
            merged(&options, "").unwrap(),
            json!({"m": {"p": 1, "q": 3, "r": null}, "l": [3], "s": "a", "nil": null})
        );
    }

    #[test]
    fn dash_reads_stdin_and_documents_merge() {
        let options = ValueOptions {
            files: vec!["-".into()],
            sets: vec![],
        };
        assert_eq!(
            merged(&options, "a: {p: 1}\n---\na: {q: yes}\n---\n").unwrap(),
            json!({"a": {"p": 1, "q": true}})
        );
        assert_eq!(merged(&options, "").unwrap(), json!({}));
    }

    #[test]
    fn sets_apply_after_files_in_command_line_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = file(&dir, "v.yaml", "a: from-file\nb: {c: 1}\n");
        let options = ValueOptions {
            files: vec![f.clone()],
            sets: vec![
                ValueSource::Set("a=1,b.d=2".into()),
                ValueSource::SetString("a=2".into()),
                ValueSource::SetJson(r#"{"b": {"e": [1]}}"#.into()),
                ValueSource::SetLiteral("lit=x,y".into()),
            ],
        };
        assert_eq!(
            merged(&options, "").unwrap(),
            json!({"a": "2", "b": {"c": 1, "d": 2, "e": [1]}, "lit": "x,y"})
        );
        let reversed = ValueOptions {
            files: vec![f],
            sets: vec![
                ValueSource::SetString("a=2".into()),
                ValueSource::Set("a=1".into()),
            ],
        };
        assert_eq!(merged(&reversed, "").unwrap()["a"], json!(1));
    }

    #[test]
    fn set_file_reads_paths_relative_to_the_current_directory_and_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let cert = file(&dir, "cert.pem", "-----BEGIN-----\nabc\n");
        let options = ValueOptions {
            files: vec![],
            sets: vec![
                ValueSource::SetFile(format!("tls.cert={cert}")),
                // cargo runs unit tests in the package root.
                ValueSource::SetFile("manifest=Cargo.toml".into()),
                ValueSource::SetFile("fromStdin=-".into()),
            ],
        };
        let values = merged(&options, "piped").unwrap();
        assert_eq!(values["tls"]["cert"], json!("-----BEGIN-----\nabc\n"));
        let manifest = std::fs::read_to_string("Cargo.toml").unwrap();
        assert_eq!(values["manifest"], json!(manifest));
        assert_eq!(values["fromStdin"], json!("piped"));
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let bad = file(&dir, "bad.yaml", "a: 1\n---\nb: [1\nc: 2\n");
        let e = merged(
            &ValueOptions {
                files: vec![bad.clone()],
                sets: vec![],
            },
            "",
        )
        .unwrap_err();
        assert!(e.location.starts_with(&format!("{bad}:4:")), "{e}");

        let list = file(&dir, "list.yaml", "a: 1\n---\n# a list\n- 1\n");
        let e = merged(
            &ValueOptions {
                files: vec![list.clone()],
                sets: vec![],
            },
            "",
        )
        .unwrap_err();
        assert_eq!(e.location, format!("{list}:3"));
        assert!(e.message.contains("is a list; values must be a map"), "{e}");

        let e = merged(
            &ValueOptions {
                files: vec!["-".into()],
                sets: vec![],
            },
            "just text",
        )
        .unwrap_err();
        assert_eq!(e.location, "<stdin>:1");
    }

    #[test]
    fn missing_files_are_errors_naming_them() {
        let missing = "/nonexistent/rudder/values.yaml".to_string();
        let e = merged(
            &ValueOptions {
                files: vec![missing.clone()],
                sets: vec![],
            },
            "",
        )
        .unwrap_err();
        assert_eq!(e.location, missing);
        assert!(e.message.starts_with("cannot read values file: "), "{e}");

        let e = merged(
            &ValueOptions {
                files: vec![],
                sets: vec![ValueSource::SetFile("a.b=no/such/file.txt".into())],
            },
            "",
        )
        .unwrap_err();
        assert_eq!(e.location, r#"--set-file "a.b=no/such/file.txt""#);
        assert!(
            e.message
                .starts_with(r#"at position 4: cannot read file "no/such/file.txt": "#),
            "{e}"
        );
    }

    #[test]
    fn non_utf8_and_remote_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let e = merged(
            &ValueOptions {
                files: vec![],
                sets: vec![ValueSource::SetFile(format!("b={}", path.display()))],
            },
            "",
        )
        .unwrap_err();
        assert!(e.message.ends_with("not UTF-8 text"), "{e}");
        let e = merged(
            &ValueOptions {
                files: vec!["https://example.com/values.yaml".into()],
                sets: vec![],
            },
            "",
        )
        .unwrap_err();
        assert!(e.message.contains("remote files are not supported"), "{e}");
    }

    #[test]
    fn a_bad_set_expression_fails_the_merge() {
        let e = merged(
            &ValueOptions {
                files: vec![],
                sets: vec![
                    ValueSource::Set("ok=1".into()),
                    ValueSource::SetJson("a={bad".into()),
                ],
            },
            "",
        )
        .unwrap_err();
        assert_eq!(e.location, r#"--set-json "a={bad""#);
    }

    #[test]
    fn merge_maps_recurses_into_maps_only() {
        let mut base = json!({"a": {"b": 1, "c": {"d": 2}}, "l": [1], "s": {"x": 1}})
            .as_object()
            .cloned()
            .unwrap();
        let overlay = json!({"a": {"c": {"e": 3}}, "l": [2], "s": "flat", "n": null})
            .as_object()
            .cloned()
            .unwrap();
        merge_maps(&mut base, overlay);
        assert_eq!(
            Value::Object(base),
            json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "l": [2], "s": "flat", "n": null})
        );
    }
}
