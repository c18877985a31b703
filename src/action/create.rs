//! `rudder create`: scaffold a starter chart in rudder's chart language (Tera with Helm's
//! names), the counterpart of `helm create`: a Deployment, Service, ServiceAccount, optional
//! Ingress, HTTPRoute and HorizontalPodAutoscaler, NOTES.txt and a test hook, with a values
//! schema. Everything is written to a temporary sibling directory first and renamed into place,
//! so a failure never leaves a half-written chart.

use std::path::{Path, PathBuf};

use super::ActionError;
use super::lint::invalid_chart_name;

/// The placeholder for the chart name in the scaffold files.
const NAME: &str = "<CHARTNAME>";
/// The placeholder for the prefix of component names (the chart name as an identifier).
const IDENT: &str = "<CHARTIDENT>";

/// The scaffold: path inside the chart, then the text with placeholders.
const SCAFFOLD: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("create/Chart.yaml")),
    ("values.yaml", include_str!("create/values.yaml")),
    (
        "values.schema.json",
        include_str!("create/values.schema.json"),
    ),
    (".helmignore", include_str!("create/helmignore")),
    (
        "templates/_helpers.tpl",
        include_str!("create/_helpers.tpl"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("create/deployment.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("create/service.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("create/serviceaccount.yaml"),
    ),
    (
        "templates/ingress.yaml",
        include_str!("create/ingress.yaml"),
    ),
    (
        "templates/httproute.yaml",
        include_str!("create/httproute.yaml"),
    ),
    ("templates/hpa.yaml", include_str!("create/hpa.yaml")),
    ("templates/NOTES.txt", include_str!("create/NOTES.txt")),
    (
        "templates/tests/test-connection.yaml",
        include_str!("create/test-connection.yaml"),
    ),
];

/// What to create.
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    /// `NAME` as given: the chart directory; its last component is the chart name.
    pub path: PathBuf,
    /// `--starter`: a chart directory to copy instead of the built-in scaffold; `<CHARTNAME>`
    /// in its files becomes the chart name, and its Chart.yaml `name:` is set.
    pub starter: Option<PathBuf>,
}

/// A created chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The chart directory.
    pub dir: PathBuf,
    /// The chart name.
    pub name: String,
    /// The files written, relative to `dir`, sorted.
    pub files: Vec<String>,
}

/// The component-name prefix for a chart name: identifiers cannot hold `-` nor start with a
/// digit.
pub fn component_prefix(name: &str) -> String {
    let ident = name.replace(['-', '.'], "_");
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{ident}")
    } else {
        ident
    }
}

/// The built-in scaffold's files for chart `name`: (path, content), paths relative to the chart.
pub fn scaffold(name: &str) -> Vec<(String, String)> {
    let ident = component_prefix(name);
    SCAFFOLD
        .iter()
        .map(|(path, text)| {
            (
                path.to_string(),
                text.replace(NAME, name).replace(IDENT, &ident),
            )
        })
        .collect()
}

/// Creates the chart of `req`.
pub fn run(req: &CreateRequest) -> Result<Created, ActionError> {
    let name = req
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(problem) = invalid_chart_name(&name) {
        return Err(ActionError::Invalid(format!(
            "{}: {problem}",
            req.path.display()
        )));
    }
    refuse_non_empty(&req.path)?;
    let files = match &req.starter {
        None => scaffold(&name),
        Some(starter) => starter_files(starter, &name)?,
    };
    let parent = match req.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| ActionError::io(&parent, e))?;
    let tmp = parent.join(format!(".{name}.rudder-create-{}", uuid::Uuid::new_v4()));
    let result = write_all(&tmp, &files).and_then(|()| {
        if req.path.is_dir() {
            // An empty directory is replaced (checked above; re-checked by the rename itself).
            std::fs::remove_dir(&req.path).map_err(|e| ActionError::io(&req.path, e))?;
        }
        std::fs::rename(&tmp, &req.path).map_err(|e| ActionError::io(&req.path, e))
    });
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let mut written: Vec<String> = files.into_iter().map(|(p, _)| p).collect();
    written.sort();
    Ok(Created {
        dir: req.path.clone(),
        name,
        files: written,
    })
}

/// Refuses an existing file, or a directory with anything in it.
fn refuse_non_empty(path: &Path) -> Result<(), ActionError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ActionError::io(path, e)),
        Ok(m) if m.is_dir() => {
            let mut entries = std::fs::read_dir(path).map_err(|e| ActionError::io(path, e))?;
            if entries.next().is_some() {
                Err(ActionError::Invalid(format!(
                    "{}: the directory exists and is not empty; refusing to overwrite it",
                    path.display()
                )))
            } else {
                Ok(())
            }
        }
        Ok(_) => Err(ActionError::Invalid(format!(
            "{}: a file exists at this path; refusing to overwrite it",
            path.display()
        ))),
    }
}

fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), ActionError> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ActionError::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| ActionError::io(&path, e))?;
    }
    Ok(())
}

/// The files of a starter chart directory, with `<CHARTNAME>` replaced and Chart.yaml's `name:`
/// set to `name`. Only regular UTF-8 files are taken: a starter is text.
fn starter_files(starter: &Path, name: &str) -> Result<Vec<(String, String)>, ActionError> {
    if !starter.join("Chart.yaml").is_file() {
        return Err(ActionError::Invalid(format!(
            "--starter {}: not a chart directory (no Chart.yaml)",
            starter.display()
        )));
    }
    let ident = component_prefix(name);
    let mut files = Vec::new();
    let mut stack = vec![(starter.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| ActionError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ActionError::io(&dir, e))?;
            let path = entry.path();
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().map_err(|e| ActionError::io(&path, e))?;
            if kind.is_dir() {
                stack.push((path, format!("{rel}/")));
            } else if kind.is_file() {
                let text = std::fs::read_to_string(&path).map_err(|e| ActionError::io(&path, e))?;
                let mut text = text.replace(NAME, name).replace(IDENT, &ident);
                if rel == "Chart.yaml" {
                    text = set_chart_name(&text, name);
                }
                files.push((rel, text));
            } else {
                return Err(ActionError::Invalid(format!(
                    "--starter: {}: only regular files and directories are copied",
                    path.display()
                )));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Sets the top-level `name:` of a Chart.yaml text, keeping its comments and layout.
fn set_chart_name(text: &str, name: &str) -> String {
    let mut found = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|line| {
            if !found && line.starts_with("name:") {
                found = true;
                format!("name: {name}")
            } else {
                line.to_string()
            }
        })
        .collect();
    if !found {
        out.insert(0, format!("name: {name}"));
    }
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_identifiers() {
        assert_eq!(component_prefix("my-chart"), "my_chart");
        assert_eq!(component_prefix("9lives"), "_9lives");
        assert_eq!(component_prefix("web"), "web");
    }

    #[test]
    fn scaffold_has_no_placeholders_left() {
        for (path, text) in scaffold("my-app") {
            assert!(!text.contains("<CHART"), "{path}");
        }
        let files = scaffold("my-app");
        let helpers = &files
            .iter()
            .find(|(p, _)| p == "templates/_helpers.tpl")
            .unwrap()
            .1;
        assert!(helpers.contains("{% component my_app_fullname(@Values, @Release, @Chart)"));
        let chart = &files.iter().find(|(p, _)| p == "Chart.yaml").unwrap().1;
        assert!(chart.contains("\nname: my-app\n"));
        let schema = &files
            .iter()
            .find(|(p, _)| p == "values.schema.json")
            .unwrap()
            .1;
        serde_json::from_str::<serde_json::Value>(schema).unwrap();
    }

    #[test]
    fn creates_and_refuses() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("web");
        let created = run(&CreateRequest {
            path: path.clone(),
            starter: None,
        })
        .unwrap();
        assert_eq!(created.name, "web");
        assert!(path.join("templates/tests/test-connection.yaml").is_file());
        assert_eq!(created.files.len(), SCAFFOLD.len());
        // Nothing but the chart is left in the parent.
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);

        let err = run(&CreateRequest {
            path: path.clone(),
            starter: None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");

        let bad = root.path().join("Bad_Name");
        let err = run(&CreateRequest {
            path: bad.clone(),
            starter: None,
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("chart name \"Bad_Name\" is invalid"),
            "{err}"
        );
        assert!(!bad.exists());
    }

    #[test]
    fn an_empty_directory_is_filled() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("web");
        std::fs::create_dir(&path).unwrap();
        run(&CreateRequest {
            path: path.clone(),
            starter: None,
        })
        .unwrap();
        assert!(path.join("Chart.yaml").is_file());
    }

    #[test]
    fn starters_are_copied_with_the_name() {
        let root = tempfile::tempdir().unwrap();
        let starter = root.path().join("starter");
        std::fs::create_dir_all(starter.join("templates")).unwrap();
        std::fs::write(
            starter.join("Chart.yaml"),
            "# my starter\napiVersion: v2\nname: starter\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            starter.join("templates/cm.yaml"),
            "name: <CHARTNAME> {{ include(name=\"<CHARTIDENT>_x\") }}\n",
        )
        .unwrap();
        let path = root.path().join("new-app");
        let created = run(&CreateRequest {
            path: path.clone(),
            starter: Some(starter),
        })
        .unwrap();
        assert_eq!(created.files, vec!["Chart.yaml", "templates/cm.yaml"]);
        assert_eq!(
            std::fs::read_to_string(path.join("Chart.yaml")).unwrap(),
            "# my starter\napiVersion: v2\nname: new-app\nversion: 0.1.0\n"
        );
        assert_eq!(
            std::fs::read_to_string(path.join("templates/cm.yaml")).unwrap(),
            "name: new-app {{ include(name=\"new_app_x\") }}\n"
        );
    }
}
