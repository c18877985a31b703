//! Writing a loaded chart as a `.tgz`, the way Helm's `chartutil.Save` lays it out, but
//! reproducibly: the same chart always gives the same bytes, hence the same digest.
//!
//! Layout (Helm's): one top directory named after the chart; `Chart.yaml` re-serialised from the
//! metadata (keys sorted, as `sigs.k8s.io/yaml` writes it), then `Chart.lock`, `values.yaml` and
//! `values.schema.json` as shipped, the templates, the other files, and every subchart as a
//! directory under `charts/` (a subchart shipped as a `.tgz` is written expanded, as Helm does).
//! Only regular files are written (no directory entries), mode 0644, owner 0:0 with empty
//! user and group names.
//!
//! Reproducibility: entries in that fixed order (each group sorted by name), every mtime set to
//! `SOURCE_DATE_EPOCH` when given (else [`DEFAULT_EPOCH`]), and a fixed gzip header (mtime =
//! `SOURCE_DATE_EPOCH` or 0, no file name, OS byte 255 "unknown", as Go writes).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use serde_json::Value;

use super::helm_yaml::to_yaml;
use super::{Chart, ChartError, Metadata};

/// The mtime of archive entries when `SOURCE_DATE_EPOCH` is not set: 1980-01-01T00:00:00Z
/// (a constant, so archives stay reproducible; not 0, which some `tar` versions warn about).
pub const DEFAULT_EPOCH: u64 = 315_532_800;

/// The gzip header's OS byte: 255, "unknown", as Go's `compress/gzip` writes it.
const GZIP_OS_UNKNOWN: u8 = 255;

/// Reads `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention): `None`
/// when unset or empty, an error naming the variable when it is not a non-negative integer.
pub fn source_date_epoch() -> Result<Option<u64>, ChartError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.trim().is_empty() => parse_epoch(&text).map(Some),
        _ => Ok(None),
    }
}

fn parse_epoch(text: &str) -> Result<u64, ChartError> {
    text.trim().parse::<u64>().map_err(|e| ChartError::Invalid {
        path: "SOURCE_DATE_EPOCH".into(),
        message: format!("{text:?} is not a number of seconds since 1970-01-01 ({e})"),
    })
}

/// The archive file name Helm gives a chart: `NAME-VERSION.tgz`.
pub fn archive_name(chart: &Chart) -> String {
    format!("{}-{}.tgz", chart.metadata.name, chart.metadata.version)
}

/// The metadata as Helm serialises `chart.Metadata` (its JSON field names and omissions): the
/// legacy `engine`/`tillerVersion` dropped, each dependency's `repository` always present, a
/// false `enabled` omitted.
pub fn metadata_value(metadata: &Metadata) -> Value {
    let mut value = serde_json::to_value(metadata).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("engine");
        map.remove("tillerVersion");
        if let Some(Value::Array(deps)) = map.get_mut("dependencies") {
            for dep in deps.iter_mut().filter_map(Value::as_object_mut) {
                dep.entry("repository")
                    .or_insert_with(|| Value::String(String::new()));
                if dep.get("enabled") == Some(&Value::Bool(false)) {
                    dep.remove("enabled");
                }
            }
        }
    }
    value
}

/// The `Chart.yaml` Helm writes into a package for this metadata (keys sorted; a v1 chart's
/// dependencies left out, since they live in its `requirements.yaml`).
pub fn chart_yaml(metadata: &Metadata) -> String {
    let mut value = metadata_value(metadata);
    if metadata.api_version == "v1"
        && let Value::Object(map) = &mut value
    {
        map.remove("dependencies");
    }
    to_yaml(&value)
}

/// The bytes of the chart's `.tgz` (see the module documentation for the layout); `epoch` is
/// `SOURCE_DATE_EPOCH` if set.
pub fn archive_bytes(chart: &Chart, epoch: Option<u64>) -> Result<Vec<u8>, ChartError> {
    let mut entries = Vec::new();
    collect_entries(chart, "", &mut entries)?;
    let mut seen = BTreeSet::new();
    for (name, _) in &entries {
        if !seen.insert(name.as_str()) {
            return Err(ChartError::Invalid {
                path: chart.source.clone(),
                message: format!(
                    "two files would be written as {name} (two subcharts with the same name?)"
                ),
            });
        }
    }

    let mtime = epoch.unwrap_or(DEFAULT_EPOCH);
    let gzip_mtime = u32::try_from(epoch.unwrap_or(0)).unwrap_or(u32::MAX);
    let gz = GzBuilder::new()
        .mtime(gzip_mtime)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gz);
    let io_err = |e: std::io::Error| ChartError::Invalid {
        path: chart.source.clone(),
        message: format!("cannot write the archive: {e}"),
    };
    for (name, data) in &entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_size(data.len() as u64);
        tar.append_data(&mut header, name, data.as_ref())
            .map_err(io_err)?;
    }
    let gz = tar.into_inner().map_err(io_err)?;
    gz.finish().map_err(io_err)
}

/// Files of `chart` (and its subcharts) as archive entries under `prefix`, in Helm's order.
fn collect_entries<'a>(
    chart: &'a Chart,
    prefix: &str,
    out: &mut Vec<(String, Cow<'a, [u8]>)>,
) -> Result<(), ChartError> {
    let name = chart.name();
    if name.is_empty() || name == "." || name.contains(['/', '\\']) || name.contains("..") {
        return Err(ChartError::Invalid {
            path: format!("{}/Chart.yaml", chart.source),
            message: format!("chart name {name:?} cannot be used as a directory name"),
        });
    }
    let base = format!("{prefix}{name}/");
    let mut push = |file: &str, data: Cow<'a, [u8]>| out.push((format!("{base}{file}"), data));
    push(
        "Chart.yaml",
        Cow::Owned(chart_yaml(&chart.metadata).into_bytes()),
    );
    if chart.metadata.api_version == "v2"
        && let Some(lock) = &chart.raw_lock
    {
        push("Chart.lock", Cow::Borrowed(lock));
    }
    if let Some(values) = &chart.raw_values {
        push("values.yaml", Cow::Borrowed(values.as_bytes()));
    }
    match (&chart.raw_schema, &chart.schema) {
        (Some(raw), _) => push("values.schema.json", Cow::Borrowed(raw)),
        (None, Some(schema)) => {
            let text = serde_json::to_vec_pretty(schema).unwrap_or_default();
            push("values.schema.json", Cow::Owned(text));
        }
        (None, None) => {}
    }
    for file in chart.templates.iter().chain(&chart.files) {
        push(&file.name, Cow::Borrowed(&file.data));
    }
    let sub_prefix = format!("{base}charts/");
    for dep in &chart.dependencies {
        collect_entries(dep, &sub_prefix, out)?;
    }
    Ok(())
}

/// Writes the chart's archive as `dest/NAME-VERSION.tgz` (creating `dest` if needed) and
/// returns its path. The file appears whole or not at all (written aside, then renamed).
pub fn save(chart: &Chart, dest: &Path, epoch: Option<u64>) -> Result<PathBuf, ChartError> {
    let bytes = archive_bytes(chart, epoch)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ChartError::Io { path, source }
    };
    match std::fs::metadata(dest) {
        Ok(meta) if !meta.is_dir() => {
            return Err(ChartError::Invalid {
                path: dest.display().to_string(),
                message: "is not a directory".into(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dest).map_err(io(dest))?;
        }
        Err(e) => return Err(io(dest)(e)),
    }
    let path = dest.join(archive_name(chart));
    write_atomic(&path, &bytes).map_err(io(&path))?;
    Ok(path)
}

/// Writes `bytes` to `path` atomically (see [`crate::atomic::write`]), readable as the umask
/// allows: archives, indexes and lock files are meant to be shared.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::atomic::write(path, bytes, crate::atomic::Access::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartFile, Dependency, load_archive_bytes};

    fn chart(name: &str) -> Chart {
        Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: "1.0.0".into(),
                ..Metadata::default()
            },
            raw_values: Some("a: 1\n".into()),
            templates: vec![ChartFile {
                name: "templates/cm.yaml".into(),
                data: b"kind: ConfigMap\n".to_vec(),
            }],
            source: name.into(),
            ..Chart::default()
        }
    }

    fn entry_names(bytes: &[u8]) -> Vec<(String, u64, u32, u64)> {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        tar.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mtime().unwrap(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn layout_and_header_fields_are_fixed() {
        let mut parent = chart("web");
        parent.metadata.dependencies = vec![Dependency {
            name: "db".into(),
            ..Dependency::default()
        }];
        parent.dependencies = vec![chart("db")];
        parent.raw_lock = Some(b"dependencies: []\n".to_vec());
        parent.files = vec![ChartFile {
            name: "README.md".into(),
            data: b"hi".to_vec(),
        }];
        let bytes = archive_bytes(&parent, Some(1_700_000_000)).unwrap();
        let names: Vec<_> = entry_names(&bytes).into_iter().collect();
        let just_names: Vec<&str> = names.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(
            just_names,
            [
                "web/Chart.yaml",
                "web/Chart.lock",
                "web/values.yaml",
                "web/templates/cm.yaml",
                "web/README.md",
                "web/charts/db/Chart.yaml",
                "web/charts/db/values.yaml",
                "web/charts/db/templates/cm.yaml",
            ]
        );
        assert!(
            names
                .iter()
                .all(|n| n.1 == 1_700_000_000 && n.2 == 0o644 && n.3 == 0)
        );
        // gzip header: magic, deflate, no flags (no name), the epoch as mtime, OS 255.
        assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&bytes[4..8], &1_700_000_000u32.to_le_bytes());
        assert_eq!(bytes[9], 255);
        let back = load_archive_bytes("web.tgz", &bytes).unwrap();
        assert_eq!(back.dependencies[0].name(), "db");
        assert_eq!(back.raw_lock.as_deref(), Some(&b"dependencies: []\n"[..]));

        let default = archive_bytes(&parent, None).unwrap();
        assert_eq!(&default[4..8], &[0, 0, 0, 0]);
        assert!(entry_names(&default).iter().all(|n| n.1 == DEFAULT_EPOCH));
        assert_eq!(default, archive_bytes(&parent, None).unwrap());
    }

    #[test]
    fn chart_yaml_is_helms_shape() {
        let mut meta = chart("web").metadata;
        meta.app_version = Some("1.0".into());
        meta.engine = Some("gotpl".into());
        meta.dependencies = vec![Dependency {
            name: "db".into(),
            version: "~1".into(),
            enabled: Some(false),
            ..Dependency::default()
        }];
        assert_eq!(
            chart_yaml(&meta),
            "apiVersion: v2\nappVersion: \"1.0\"\ndependencies:\n- name: db\n  repository: \"\"\n  version: ~1\nname: web\nversion: 1.0.0\n"
        );
        meta.api_version = "v1".into();
        assert!(!chart_yaml(&meta).contains("dependencies"));
    }

    #[test]
    fn duplicate_subcharts_and_bad_names_are_refused() {
        let mut parent = chart("web");
        parent.dependencies = vec![chart("db"), chart("db")];
        let e = archive_bytes(&parent, None).unwrap_err().to_string();
        assert!(e.contains("web/charts/db/Chart.yaml"), "{e}");
        let e = archive_bytes(&chart("a/b"), None).unwrap_err().to_string();
        assert!(e.contains("cannot be used as a directory name"), "{e}");
    }

    #[test]
    fn epoch_parsing() {
        assert_eq!(parse_epoch(" 42 ").unwrap(), 42);
        let e = parse_epoch("yesterday").unwrap_err().to_string();
        assert!(e.starts_with("SOURCE_DATE_EPOCH: \"yesterday\""), "{e}");
        assert!(parse_epoch("-1").is_err());
    }

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tgz");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // A parent that is a file cannot hold it: an error, and the file is untouched.
        assert!(write_atomic(&path.join("x"), b"").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
    }
}
