//! Loading charts through the library API: a full directory chart, the same chart as a `.tgz`,
//! every refused input (with the file/entry/line named in the error), and the real Helm engine
//! as the reference for what a good chart contains.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use rudder::chart::{ArchiveLimits, Chart, ChartError, load, load_archive_bytes, load_with_limits};
use serde_json::{Value, json};
use tar::{EntryType, Header};

// ---------------------------------------------------------------------------------------------
// Building charts and archives in code.

/// The files of the main test chart that every loader must keep (name, content).
const KEPT: &[(&str, &str)] = &[
    (
        "Chart.yaml",
        "apiVersion: v2\nname: mychart\nversion: 1.2.3\nappVersion: \"4.5\"\ndescription: test chart\ndependencies:\n- name: sub\n  version: 0.1.0\n- name: lib\n  version: 0.1.0\n",
    ),
    (
        "values.yaml",
        "# defaults\nreplicas: 2\nimage:\n  tag: v1\n",
    ),
    (
        "values.schema.json",
        "{\n  \"type\": \"object\",\n  \"properties\": {\"replicas\": {\"type\": \"integer\"}}\n}\n",
    ),
    (
        "Chart.lock",
        "dependencies: []\ndigest: sha256:0\ngenerated: \"2024-01-01T00:00:00Z\"\n",
    ),
    (
        ".helmignore",
        "# Helm's rules, not gitignore's\n*.bak\ndrafts/\n/secret.txt\nci/*.yaml\n!*[^~]\n",
    ),
    ("README.md", "# mychart\n"),
    ("LICENSE", "Apache-2.0\n"),
    (
        "templates/deployment.yaml",
        "kind: Deployment\nreplicas: {{ values.replicas }}\n",
    ),
    (
        "templates/_helpers.tpl",
        "{% macro name() %}mychart{% endmacro %}\n",
    ),
    ("templates/NOTES.txt", "Thanks for installing.\n"),
    ("templates/sub/deep/configmap.yaml", "kind: ConfigMap\n"),
    (
        "templates/sub/.keep",
        "hidden, but not directly under templates/\n",
    ),
    ("crds/crontab.yaml", "kind: CustomResourceDefinition\n"),
    ("files/config.ini", "[main]\nkey = value\n"),
    ("files/nested/data.json", "{\"a\": 1}\n"),
    ("ci/values.json", "{}\n"),
    ("secrets/secret.txt", "not anchored at the root: kept\n"),
    (
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    ),
    ("charts/sub/values.yaml", "enabled: true\n"),
    ("charts/sub/templates/svc.yaml", "kind: Service\n"),
    (
        "charts/sub/docs/drafts.txt",
        "a file named drafts.txt is not the drafts/ dir\n",
    ),
];

/// Files of the directory chart that `.helmignore` (or Helm's defaults) leaves out.
const IGNORED: &[(&str, &str)] = &[
    ("notes.bak", "*.bak"),
    ("templates/old.yaml.bak", "*.bak at depth"),
    ("docs/drafts/wip.md", "drafts/ directory"),
    (
        "charts/sub/drafts/x.md",
        "drafts/ directory inside a subchart",
    ),
    ("secret.txt", "/secret.txt anchored"),
    ("ci/lint.yaml", "ci/*.yaml"),
    (
        "values.yaml~",
        "!*[^~]: Helm's negation ignores names not matching",
    ),
    ("templates/.swp", "Helm default templates/.?*"),
    ("charts/_scratch/Chart.yaml", "charts/_x is skipped by Helm"),
];

/// A library subchart shipped as an archive.
fn lib_tgz() -> Vec<u8> {
    tgz(&[
        (
            "lib/Chart.yaml",
            b"apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n" as &[u8],
        ),
        (
            "lib/templates/_lib.tpl",
            b"{% macro lib() %}{% endmacro %}\n",
        ),
    ])
}

/// Writes `files` under `root`, creating directories.
fn write_files<'a>(root: &Path, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) {
    for (name, data) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    }
}

/// The main test chart as a directory `mychart` inside `parent`.
fn write_good_dir(parent: &Path) -> PathBuf {
    let root = parent.join("mychart");
    write_files(&root, KEPT.iter().map(|(n, d)| (*n, d.as_bytes())));
    write_files(&root, IGNORED.iter().map(|(n, d)| (*n, d.as_bytes())));
    write_files(&root, [("charts/lib-0.1.0.tgz", &lib_tgz()[..])]);
    // A symbolic link that stays inside the chart is followed.
    std::os::unix::fs::symlink("config.ini", root.join("files/link.ini")).unwrap();
    root
}

/// The same chart as a Helm-layout archive (what `helm package` makes: ignored files left out).
fn good_tgz() -> Vec<u8> {
    let lib = lib_tgz();
    let mut entries: Vec<(String, Vec<u8>)> = KEPT
        .iter()
        .map(|(n, d)| (format!("mychart/{n}"), d.as_bytes().to_vec()))
        .collect();
    entries.push(("mychart/charts/lib-0.1.0.tgz".into(), lib));
    entries.push((
        "mychart/files/link.ini".into(),
        b"[main]\nkey = value\n".to_vec(),
    ));
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    tgz(&refs)
}

/// A gzip'd tar of regular files, made with the `tar` crate's checked API.
fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (name, data) in entries {
        let mut header = Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// One raw tar entry, written without the `tar` crate's path checks (to build hostile archives).
struct Raw<'a> {
    name: &'a str,
    kind: EntryType,
    link: &'a str,
    data: &'a [u8],
}

fn file<'a>(name: &'a str, data: &'a [u8]) -> Raw<'a> {
    Raw {
        name,
        kind: EntryType::Regular,
        link: "",
        data,
    }
}

/// A gzip'd tar of raw entries, names and link targets written byte for byte.
fn raw_tgz(entries: &[Raw]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for e in entries {
        let mut header = Header::new_old();
        header.as_old_mut().name[..e.name.len()].copy_from_slice(e.name.as_bytes());
        header.as_old_mut().linkname[..e.link.len()].copy_from_slice(e.link.as_bytes());
        header.set_size(e.data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(e.kind);
        header.set_cksum();
        builder.append(&header, e.data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

const CHART_YAML: &[u8] = b"apiVersion: v2\nname: c\nversion: 0.1.0\n";

// ---------------------------------------------------------------------------------------------
// Observing the result.

fn names(files: &[rudder::chart::ChartFile]) -> Vec<&str> {
    files.iter().map(|f| f.name.as_str()).collect()
}

/// Every path under `dir` (to show nothing was written while loading).
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

fn expected_templates() -> Vec<&'static str> {
    let mut t: Vec<&str> = KEPT
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| n.starts_with("templates/"))
        .collect();
    t.sort();
    t
}

fn expected_files() -> Vec<&'static str> {
    let special = [
        "Chart.yaml",
        "values.yaml",
        "values.schema.json",
        "Chart.lock",
    ];
    let mut f: Vec<&str> = KEPT
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| {
            !special.contains(n) && !n.starts_with("templates/") && !n.starts_with("charts/")
        })
        .chain(["files/link.ini"])
        .collect();
    f.sort();
    f
}

/// Checks everything the loader must get right about the main test chart.
fn assert_good_chart(chart: &Chart, source: &str) {
    assert_eq!(chart.name(), "mychart");
    assert_eq!(chart.metadata.version, "1.2.3");
    assert_eq!(chart.metadata.app_version.as_deref(), Some("4.5"));
    assert_eq!(chart.source, source);
    assert_eq!(
        Value::Object(chart.values.clone()),
        json!({"replicas": 2, "image": {"tag": "v1"}})
    );
    assert_eq!(chart.raw_values.as_deref(), Some(KEPT[1].1));
    assert_eq!(
        chart.schema.as_ref().unwrap()["properties"]["replicas"]["type"],
        "integer"
    );
    assert_eq!(names(&chart.templates), expected_templates());
    assert_eq!(names(&chart.files), expected_files());
    assert_eq!(
        chart.file("files/link.ini").unwrap().data,
        b"[main]\nkey = value\n"
    );
    assert_eq!(
        chart
            .crd_files()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["crds/crontab.yaml"]
    );
    assert_eq!(chart.readme().unwrap().name, "README.md");
    assert!(!chart.is_library());

    let deps: Vec<&str> = chart.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(deps, ["lib", "sub"]);
    let lib = &chart.dependencies[0];
    assert!(lib.is_library());
    assert_eq!(lib.source, format!("{source}/charts/lib-0.1.0.tgz"));
    assert_eq!(names(&lib.templates), ["templates/_lib.tpl"]);
    let sub = &chart.dependencies[1];
    assert_eq!(sub.source, format!("{source}/charts/sub"));
    assert_eq!(names(&sub.templates), ["templates/svc.yaml"]);
    assert_eq!(names(&sub.files), ["docs/drafts.txt"]);
    assert_eq!(Value::Object(sub.values.clone()), json!({"enabled": true}));
}

// ---------------------------------------------------------------------------------------------
// Good charts.

#[test]
fn loads_a_directory_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_good_dir(tmp.path());
    let before = tree(tmp.path());
    let chart = load(&dir).unwrap();
    assert_good_chart(&chart, &dir.display().to_string());
    assert_eq!(tree(tmp.path()), before, "loading must not write anything");
}

#[test]
fn loads_the_same_chart_from_an_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mychart-1.2.3.tgz");
    fs::write(&path, good_tgz()).unwrap();
    let before = tree(tmp.path());
    // Decided by content, not by name: the same bytes under another name load too.
    let odd = tmp.path().join("mychart.bin");
    fs::write(&odd, good_tgz()).unwrap();
    assert_good_chart(&load(&path).unwrap(), &path.display().to_string());
    assert_good_chart(&load(&odd).unwrap(), &odd.display().to_string());
    assert_good_chart(
        &load_archive_bytes("mychart-1.2.3.tgz", &good_tgz()).unwrap(),
        "mychart-1.2.3.tgz",
    );
    fs::remove_file(&odd).unwrap();
    assert_eq!(tree(tmp.path()), before, "loading must not write anything");
}

#[test]
fn helm_loads_the_same_good_charts_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_good_dir(tmp.path());
    let tgz_path = tmp.path().join("mychart-1.2.3.tgz");
    fs::write(&tgz_path, good_tgz()).unwrap();
    let paths = [dir.clone(), tgz_path.clone()];
    let helm = common::oracle(
        "chart_load.py",
        &json!({ "paths": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>() }),
    );
    for (path, helm) in paths.iter().zip(helm.as_array().unwrap()) {
        assert_eq!(
            helm["ok"],
            true,
            "Helm failed on {}: {helm}",
            path.display()
        );
        let ours = load(path).unwrap();
        assert_eq!(helm["name"], ours.name(), "{}", path.display());
        assert_eq!(helm["version"], ours.metadata.version.as_str());
        assert_eq!(helm["apiVersion"], ours.metadata.api_version.as_str());
        assert_eq!(
            helm["templates"],
            json!(names(&ours.templates)),
            "{}",
            path.display()
        );
        assert_eq!(
            helm["files"],
            json!(names(&ours.files)),
            "{}",
            path.display()
        );
        let deps: Vec<&str> = ours.dependencies.iter().map(|d| d.name()).collect();
        assert_eq!(helm["dependencies"], json!(deps), "{}", path.display());
        assert_eq!(helm["values"], Value::Object(ours.values.clone()));
        assert_eq!(helm["schema"], ours.schema.clone().unwrap_or(Value::Null));
    }
}

#[test]
fn helmignore_errors_name_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        [
            ("Chart.yaml", CHART_YAML),
            (".helmignore", b"# ok\n*.tmp\nsrc/**/x\n" as &[u8]),
        ],
    );
    let e = load(tmp.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}/.helmignore:3: rule \"src/**/x\": double-star (**) syntax is not supported",
            tmp.path().display()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Bad directory charts.

/// Loads a directory chart made of `files` and returns the error text, with the temporary
/// directory's path replaced by `DIR`.
fn dir_error(files: &[(&str, &[u8])]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), files.iter().copied());
    let e = load(tmp.path()).expect_err("the chart must be refused");
    e.to_string()
        .replace(&tmp.path().display().to_string(), "DIR")
}

#[test]
fn a_missing_path_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let e = load(&missing).unwrap_err();
    assert!(matches!(e, ChartError::Io { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{e}"
    );
}

#[test]
fn a_missing_chart_yaml_is_named() {
    let e = dir_error(&[("values.yaml", b"a: 1\n"), ("templates/x.yaml", b"x")]);
    assert_eq!(
        e,
        "DIR/Chart.yaml: file is missing (every chart needs a Chart.yaml)"
    );
}

#[test]
fn invalid_yaml_in_chart_yaml_reports_the_line() {
    let e = dir_error(&[(
        "Chart.yaml",
        b"apiVersion: v2\nname: c\nversion: 0.1.0\nkeywords: [a, b\n",
    )]);
    assert!(e.starts_with("DIR/Chart.yaml:5:"), "{e}");
    // A well-formed file with a field of the wrong type: the line and column of the value.
    let e = dir_error(&[(
        "Chart.yaml",
        b"apiVersion: v2\nname: c\nversion: 0.1.0\ndescription: [a]\n",
    )]);
    assert_eq!(
        e,
        "DIR/Chart.yaml:4:14: description: invalid type: sequence, expected a string"
    );
    let e = dir_error(&[("Chart.yaml", b"apiVersion: v2\nname: c\n  version: 1\n")]);
    assert!(e.starts_with("DIR/Chart.yaml:3:"), "{e}");
}

#[test]
fn a_non_semver_version_is_reported_against_chart_yaml() {
    let e = dir_error(&[("Chart.yaml", b"apiVersion: v2\nname: c\nversion: '1.2'\n")]);
    assert!(
        e.starts_with("DIR/Chart.yaml: version \"1.2\" is not a valid SemVer"),
        "{e}"
    );
}

#[test]
fn a_missing_api_version_reads_as_v1_as_in_helm() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        [
            ("Chart.yaml", b"name: old\nversion: 0.1.0\n" as &[u8]),
            (
                "requirements.yaml",
                b"dependencies:\n- name: db\n  version: 1.x\n",
            ),
            ("requirements.lock", b"dependencies: []\n"),
        ],
    );
    let chart = load(tmp.path()).unwrap();
    assert_eq!(chart.metadata.api_version, "v1");
    assert_eq!(chart.metadata.dependencies[0].name, "db");
    assert_eq!(
        names(&chart.files),
        ["requirements.lock", "requirements.yaml"]
    );
}

#[test]
fn invalid_values_yaml_reports_file_and_line() {
    let e = dir_error(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", b"a: 1\nb:\n  c: [1, 2\n"),
    ]);
    assert!(e.starts_with("DIR/values.yaml:4:"), "{e}");
    let e = dir_error(&[("Chart.yaml", CHART_YAML), ("values.yaml", b"- a\n- b\n")]);
    assert_eq!(
        e,
        "DIR/values.yaml:1: the YAML document starting here is a list; values must be a map"
    );
}

#[test]
fn an_empty_values_yaml_is_an_empty_map() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        [("Chart.yaml", CHART_YAML), ("values.yaml", b"")],
    );
    let chart = load(tmp.path()).unwrap();
    assert!(chart.values.is_empty());
    assert_eq!(chart.raw_values.as_deref(), Some(""));
}

#[test]
fn invalid_schema_json_reports_line_and_column() {
    let e = dir_error(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.schema.json",
            b"{\n  \"type\": \"object\",\n  oops\n}\n",
        ),
    ]);
    assert!(e.starts_with("DIR/values.schema.json:3:3: "), "{e}");
}

#[test]
fn a_stray_file_in_charts_is_refused_like_helm() {
    let e = dir_error(&[("Chart.yaml", CHART_YAML), ("charts/README.md", b"x")]);
    assert!(e.starts_with("DIR/charts/README.md: not a chart"), "{e}");
}

#[test]
fn subchart_errors_name_the_subchart_file() {
    let e = dir_error(&[
        ("Chart.yaml", CHART_YAML),
        (
            "charts/sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: x\n",
        ),
    ]);
    assert!(
        e.starts_with("DIR/charts/sub/Chart.yaml: version \"x\""),
        "{e}"
    );
    let e = dir_error(&[
        ("Chart.yaml", CHART_YAML),
        ("charts/sub-1.0.0.tgz", b"not gzip"),
    ]);
    assert!(
        e.starts_with("DIR/charts/sub-1.0.0.tgz: is not a gzipped archive"),
        "{e}"
    );
}

#[test]
fn a_symlink_escaping_the_chart_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c");
    write_files(&root, [("Chart.yaml", CHART_YAML)]);
    fs::write(tmp.path().join("outside.txt"), "secret").unwrap();
    std::os::unix::fs::symlink("../outside.txt", root.join("leak.txt")).unwrap();
    let e = load(&root).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}/leak.txt: symbolic link points outside the chart",
            root.display()
        )),
        "{e}"
    );
    // An escaping link that .helmignore leaves out is never looked at.
    fs::write(root.join(".helmignore"), "leak.txt\n").unwrap();
    assert!(load(&root).unwrap().file("leak.txt").is_none());
}

#[test]
fn a_symlinked_directory_loop_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        [("Chart.yaml", CHART_YAML), ("files/a.txt", b"a")],
    );
    std::os::unix::fs::symlink("..", tmp.path().join("files/loop")).unwrap();
    let e = load(tmp.path()).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}/files/loop: symbolic link loop",
            tmp.path().display()
        )),
        "{e}"
    );
}

#[test]
fn a_fifo_in_a_chart_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), [("Chart.yaml", CHART_YAML)]);
    let fifo = tmp.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let e = load(tmp.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}/pipe: cannot load an irregular file (device, socket or FIFO)",
            tmp.path().display()
        )
    );
}

#[test]
fn a_directory_chart_over_the_size_cap_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        [
            ("Chart.yaml", CHART_YAML),
            ("files/big.bin", &[0u8; 4096][..]),
        ],
    );
    let limits = ArchiveLimits {
        max_bytes: 2048,
        max_entries: 100,
    };
    let e = load_with_limits(tmp.path(), &limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}/files/big.bin: decompressed chart is larger than the limit of 2048 bytes",
            tmp.path().display()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile archives.

/// The hostile archives: (case, bytes, text the error must contain, whether Helm rejects it).
fn hostile_archives() -> Vec<(&'static str, Vec<u8>, &'static str, bool)> {
    let good = tgz(&[("c/Chart.yaml", CHART_YAML), ("c/templates/a.yaml", b"x")]);
    let many: Vec<(String, &[u8])> = (0..20)
        .map(|i| (format!("c/files/f{i}.txt"), b"x" as &[u8]))
        .collect();
    let mut many: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    many.insert(0, ("c/Chart.yaml", CHART_YAML));
    let dev = |kind| Raw {
        name: "c/templates/dev",
        kind,
        link: "",
        data: b"",
    };
    vec![
        (
            "dotdot",
            raw_tgz(&[
                file("c/Chart.yaml", CHART_YAML),
                file("c/../evil", b"pwned"),
            ]),
            "entry \"c/../evil\": parent directory (..)",
            true,
        ),
        (
            "dotdot-deep",
            raw_tgz(&[
                file("c/Chart.yaml", CHART_YAML),
                file("c/templates/../../../evil", b"pwned"),
            ]),
            "entry \"c/templates/../../../evil\": parent directory (..)",
            true,
        ),
        (
            "absolute",
            raw_tgz(&[
                file("c/Chart.yaml", CHART_YAML),
                file("/etc/passwd", b"root"),
            ]),
            "entry \"/etc/passwd\": absolute paths are not allowed",
            false,
        ),
        (
            "symlink",
            raw_tgz(&[
                file("c/Chart.yaml", CHART_YAML),
                Raw {
                    name: "c/templates/link",
                    kind: EntryType::Symlink,
                    link: "/etc/passwd",
                    data: b"",
                },
            ]),
            "entry \"c/templates/link\": symbolic links are not allowed in a chart archive (link to \"/etc/passwd\")",
            false,
        ),
        (
            "hardlink",
            raw_tgz(&[
                file("c/Chart.yaml", CHART_YAML),
                Raw {
                    name: "c/templates/hard",
                    kind: EntryType::Link,
                    link: "c/Chart.yaml",
                    data: b"",
                },
            ]),
            "entry \"c/templates/hard\": hard links are not allowed",
            false,
        ),
        (
            "char-device",
            raw_tgz(&[file("c/Chart.yaml", CHART_YAML), dev(EntryType::Char)]),
            "entry \"c/templates/dev\": device files are not allowed",
            false,
        ),
        (
            "block-device",
            raw_tgz(&[file("c/Chart.yaml", CHART_YAML), dev(EntryType::Block)]),
            "entry \"c/templates/dev\": device files are not allowed",
            false,
        ),
        (
            "fifo",
            raw_tgz(&[file("c/Chart.yaml", CHART_YAML), dev(EntryType::Fifo)]),
            "entry \"c/templates/dev\": FIFOs are not allowed",
            false,
        ),
        (
            "two-top-directories",
            tgz(&[("c/Chart.yaml", CHART_YAML), ("d/templates/a.yaml", b"x")]),
            "entry \"d/templates/a.yaml\": a second top directory \"d\"",
            false,
        ),
        (
            "top-level-file",
            tgz(&[("Chart.yaml", CHART_YAML)]),
            "entry \"Chart.yaml\": file is outside the chart's top directory",
            true,
        ),
        (
            "truncated-gzip",
            good[..good.len() / 2].to_vec(),
            "corrupt archive",
            true,
        ),
        (
            "too-many-entries",
            tgz(&many),
            "chart has more than the limit of 10 entries",
            false,
        ),
        (
            "over-size-cap",
            tgz(&[
                ("c/Chart.yaml", CHART_YAML),
                ("c/files/big.bin", &[7u8; 3000]),
            ]),
            "entry \"c/files/big.bin\": decompressed chart is larger than the limit of 2048 bytes",
            false,
        ),
    ]
}

/// Small caps so the size and count cases stay fast.
const SMALL: ArchiveLimits = ArchiveLimits {
    max_bytes: 2048,
    max_entries: 10,
};

#[test]
fn hostile_archives_are_refused_naming_archive_and_entry_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd_before = tree(&std::env::current_dir().unwrap());
    for (case, bytes, expected, _) in hostile_archives() {
        let dir = tmp.path().join(case);
        fs::create_dir(&dir).unwrap();
        let path = dir.join(format!("{case}.tgz"));
        fs::write(&path, &bytes).unwrap();
        let before = tree(tmp.path());
        let e = load_with_limits(&path, &SMALL).expect_err(case).to_string();
        let archive = path.display().to_string();
        assert!(e.starts_with(&archive), "{case}: {e}");
        assert!(e.contains(expected), "{case}: {e}");
        assert!(!e.contains('\n'), "{case}: one line: {e}");
        let mem = load_archive_bytes_with_limits_named(case, &bytes);
        assert!(mem.contains(expected), "{case} (bytes): {mem}");
        assert_eq!(tree(tmp.path()), before, "{case}: something was written");
        assert!(!tmp.path().join("evil").exists() && !dir.join("evil").exists());
    }
    assert_eq!(tree(&std::env::current_dir().unwrap()), cwd_before);
}

fn load_archive_bytes_with_limits_named(case: &str, bytes: &[u8]) -> String {
    rudder::chart::load_archive_bytes_with_limits(case, bytes, &SMALL)
        .expect_err(case)
        .to_string()
}

#[test]
fn helm_rejects_the_hostile_archives_it_knows_about() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = hostile_archives();
    let paths: Vec<String> = cases
        .iter()
        .map(|(case, bytes, _, _)| {
            let path = tmp.path().join(format!("{case}.tgz"));
            fs::write(&path, bytes).unwrap();
            path.display().to_string()
        })
        .collect();
    let helm = common::oracle("chart_load.py", &json!({ "paths": paths }));
    for ((case, _, _, helm_rejects), verdict) in cases.iter().zip(helm.as_array().unwrap()) {
        // The size and count cases use caps far below Helm's fixed 100 MiB: Helm accepts them,
        // and Helm reads links, devices, absolute names and a second top directory as plain
        // (empty) files. Rudder refuses all of them (see the test above); this pins where Helm
        // stands so a change in Helm shows up here.
        assert_eq!(
            verdict["ok"] == false,
            *helm_rejects,
            "{case}: Helm said {verdict}"
        );
    }
}

#[test]
fn a_nested_archive_draws_on_the_same_budget() {
    let inner = tgz(&[
        (
            "sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 0.1.0\n" as &[u8],
        ),
        ("sub/files/big.bin", &[1u8; 1500]),
    ]);
    let outer = tgz(&[
        ("c/Chart.yaml", CHART_YAML),
        ("c/files/big.bin", &[2u8; 1000]),
        ("c/charts/sub-0.1.0.tgz", &inner),
    ]);
    let limits = ArchiveLimits {
        max_bytes: 2048,
        max_entries: 100,
    };
    let e = rudder::chart::load_archive_bytes_with_limits("c.tgz", &outer, &limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "c.tgz/charts/sub-0.1.0.tgz: entry \"sub/files/big.bin\": decompressed chart is larger than the limit of 2048 bytes"
    );
    let roomy = ArchiveLimits {
        max_bytes: 1 << 20,
        max_entries: 100,
    };
    let chart = rudder::chart::load_archive_bytes_with_limits("c.tgz", &outer, &roomy).unwrap();
    assert_eq!(chart.dependencies[0].source, "c.tgz/charts/sub-0.1.0.tgz");
    assert_eq!(names(&chart.dependencies[0].files), ["files/big.bin"]);
}

// ---------------------------------------------------------------------------------------------
// .helmignore, rule by rule, against Helm.

/// Each `.helmignore` text is applied to the same directory chart by rudder and by Helm: both
/// must keep exactly the same files, or both refuse the chart.
#[test]
fn helmignore_rules_select_the_same_files_as_helm() {
    const BASE: &[(&str, &[u8])] = &[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", b"a: 1\n"),
        ("templates/a.yaml", b"a"),
        ("templates/.hidden", b"h"),
        ("templates/sub/b.yaml", b"b"),
        ("templates/sub/.keep", b"k"),
        ("docs/keep.txt", b"k"),
        ("docs/drop.txt", b"d"),
        ("docs/drafts/x.md", b"x"),
        ("notes.txt", b"n"),
        ("important.txt", b"i"),
        ("backup.yaml~", b"b"),
        ("build/out.bin", b"o"),
        ("a/build/deep.bin", b"d"),
        (".config", b"c"),
    ];
    const RULES: &[&str] = &[
        "",
        "# only a comment\n\n   \n",
        "*.txt",
        "docs/",
        "/notes.txt",
        "docs/*.txt",
        "build/",
        "/build/",
        "[a-c]*/",
        "templates/sub/*",
        "templates/*/b.yaml",
        "?otes.txt\n  important.txt  ",
        "docs\\/keep.txt",
        "linked/",
        ".*",
        "templates",
        "values.yaml",
        "!*[^~]",
        "*.txt\n!*",
        "*.txt\n!important.txt",
        "!templates/",
        "*",
        "**/x",
        "[",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, rules) in RULES.iter().enumerate() {
        let root = tmp.path().join(format!("case{i}"));
        write_files(&root, BASE.iter().copied());
        if !rules.is_empty() {
            fs::write(root.join(".helmignore"), rules).unwrap();
        }
        // A symbolic link to a directory inside the chart is followed, as Helm does.
        std::os::unix::fs::symlink("docs", root.join("linked")).unwrap();
        paths.push(root);
    }
    let helm = common::oracle(
        "chart_load.py",
        &json!({ "paths": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>() }),
    );
    let mut kept = std::collections::BTreeSet::new();
    let mut refused = 0;
    for ((rules, path), helm) in RULES.iter().zip(&paths).zip(helm.as_array().unwrap()) {
        match load(path) {
            Ok(ours) => {
                kept.insert(names(&ours.files).join(","));
                assert_eq!(helm["ok"], true, "{rules:?}: Helm refused: {helm}");
                assert_eq!(
                    helm["templates"],
                    json!(names(&ours.templates)),
                    "{rules:?}"
                );
                assert_eq!(helm["files"], json!(names(&ours.files)), "{rules:?}");
                assert_eq!(
                    helm["values"],
                    Value::Object(ours.values.clone()),
                    "{rules:?}"
                );
            }
            Err(e) => {
                refused += 1;
                assert_eq!(
                    helm["ok"], false,
                    "{rules:?}: we refused ({e}), Helm: {helm}"
                );
            }
        }
    }
    // The rule sets really select different files, and some make the chart unloadable.
    assert!(kept.len() >= 10, "{kept:?}");
    assert_eq!(refused, 5);
}

#[test]
fn a_file_that_is_not_an_archive_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let values = tmp.path().join("values.yaml");
    fs::write(&values, "a: 1\n").unwrap();
    let e = load(&values).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: seems to be a YAML file, but a chart directory or a gzipped archive was expected",
            values.display()
        )
    );
    let big = tmp.path().join("big.tgz");
    fs::write(&big, good_tgz()).unwrap();
    let tiny = ArchiveLimits {
        max_bytes: 100,
        max_entries: 1000,
    };
    let e = load_with_limits(&big, &tiny).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: archive file is larger than the limit of 100 bytes",
            big.display()
        )
    );
}
