//! The chart's CRDs on install and upgrade, driven through the binary against a sandbox and
//! checked with the real kubectl: Helm's default (install creates missing CRDs and skips
//! existing ones; upgrade never touches them), `--upgrade-crds` applying a new version and a new
//! field (leaving an unchanged CRD untouched), the refusals before any write — a dropped version
//! still in `status.storedVersions`, a field removed from a version's schema — naming the CRD,
//! the version and the field path, and `--force-upgrade-crds` going through.

mod common;

use std::path::{Path, PathBuf};

use common::sandbox_env::SandboxEnv;
use rudder::release::Status;
use serde_json::{Value, json};

const NS: &str = "apps";
const GADGETS: &str = "gadgets.example.com";
const WIDGETS: &str = "widgets.example.com";

const CHART_YAML: &str = "apiVersion: v2\nname: gizmo\nversion: 0.1.0\n";

const TEMPLATE: &str = r#"apiVersion: example.com/v1
kind: Gadget
metadata:
  name: {{ Release.Name }}-gadget
spec:
  size: "3"
  color: red
"#;

/// A CRD named `plural.example.com`; `versions` are (name, served, storage, spec properties).
fn crd(plural: &str, kind: &str, versions: &[(&str, bool, bool, &[&str])]) -> String {
    let versions: Vec<Value> = versions
        .iter()
        .map(|(name, served, storage, props)| {
            let props: serde_json::Map<String, Value> = props
                .iter()
                .map(|p| (p.to_string(), json!({"type": "string"})))
                .collect();
            json!({"name": name, "served": served, "storage": storage,
                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                       "spec": {"type": "object", "properties": props}}}}})
        })
        .collect();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.example.com")},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind},
                 "versions": versions},
    });
    serde_json::to_string_pretty(&crd).unwrap()
}

/// The first CRD set: Gadget v1 with `size` and `color`, and Widget v1.
fn gadgets_v1() -> String {
    crd(
        "gadgets",
        "Gadget",
        &[("v1", true, true, &["size", "color"])],
    )
}

fn widgets_v1() -> String {
    crd("widgets", "Widget", &[("v1", true, true, &["name"])])
}

/// A sandbox with namespace `apps` and the `gizmo` chart (with its two CRDs) written.
fn start() -> SandboxEnv {
    let env = SandboxEnv::start(NS);
    let chart = env.chart();
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::create_dir_all(chart.join("crds")).unwrap();
    std::fs::write(chart.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(chart.join("templates/gadget.yaml"), TEMPLATE).unwrap();
    env.set_crds(&gadgets_v1(), &widgets_v1());
    env
}

impl SandboxEnv {
    fn chart(&self) -> PathBuf {
        self.path("gizmo")
    }

    fn set_crds(&self, gadgets: &str, widgets: &str) {
        let crds = self.chart().join("crds");
        std::fs::write(crds.join("gadgets.yaml"), gadgets).unwrap();
        std::fs::write(crds.join("widgets.yaml"), widgets).unwrap();
    }

    /// Runs rudder with `args` plus the chart; returns (exit code, stderr).
    fn chart_run(&self, args: &[&str]) -> (i32, String) {
        let chart = self.chart().display().to_string();
        let mut all = args.to_vec();
        all.push(&chart);
        let run = self.run(&all);
        (run.code.unwrap_or(-1), run.stderr)
    }

    /// Runs rudder with `args` plus the chart; asserts success.
    fn chart_ok(&self, args: &[&str]) {
        let (code, stderr) = self.chart_run(args);
        assert_eq!(code, 0, "rudder {args:?}: {stderr}");
    }

    /// The CRD as kubectl shows it.
    fn crd(&self, name: &str) -> Value {
        serde_json::from_str(&self.kubectl_ok(&["get", "crd", name, "-o", "json"])).unwrap()
    }
}

fn version_names(crd: &Value) -> Vec<String> {
    crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

fn spec_fields(crd: &Value, version: &str) -> Vec<String> {
    let v = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version)
        .unwrap_or_else(|| panic!("no version {version} in {crd}"));
    let mut fields: Vec<String> =
        v["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
    fields.sort();
    fields
}

fn resource_version(crd: &Value) -> String {
    crd["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn helm_default_install_creates_missing_crds_and_upgrade_leaves_them_alone() {
    let env = start();
    env.chart_ok(&["install", "one"]);
    let installed = env.crd(GADGETS);
    assert_eq!(version_names(&installed), vec!["v1"]);
    assert_eq!(spec_fields(&installed, "v1"), vec!["color", "size"]);

    // A newer chart: Gadget gains v2 and a field; without the flag nothing is applied.
    env.set_crds(
        &crd(
            "gadgets",
            "Gadget",
            &[
                ("v1", true, true, &["size", "color", "shape"]),
                ("v2", true, false, &["size"]),
            ],
        ),
        &widgets_v1(),
    );
    env.chart_ok(&["upgrade", "one"]);
    let after = env.crd(GADGETS);
    assert_eq!(resource_version(&after), resource_version(&installed));
    assert_eq!(version_names(&after), vec!["v1"]);
    // Installing another release of the chart skips the existing CRDs too.
    env.chart_ok(&["install", "two"]);
    assert_eq!(
        resource_version(&env.crd(GADGETS)),
        resource_version(&installed)
    );
    assert_eq!(
        env.statuses("one"),
        vec![(1, Status::Superseded), (2, Status::Deployed)]
    );
}

#[test]
fn upgrade_crds_applies_a_new_version_and_field_and_leaves_unchanged_ones() {
    let env = start();
    // Rendered only once the cluster serves example.com/v2.
    write(
        &env.chart().join("templates/gadget2.yaml"),
        "{%- if Capabilities.APIVersions is has(value=\"example.com/v2\") %}\n\
         apiVersion: example.com/v2\nkind: Gadget\nmetadata:\n  name: {{ Release.Name }}-gadget2\n\
         spec:\n  size: \"1\"\n{%- endif %}\n",
    );
    env.chart_ok(&["install", "one"]);
    let widgets_before = env.crd(WIDGETS);
    env.set_crds(
        &crd(
            "gadgets",
            "Gadget",
            &[
                ("v1", true, true, &["size", "color", "shape"]),
                ("v2", true, false, &["size"]),
            ],
        ),
        &widgets_v1(),
    );
    env.chart_ok(&["upgrade", "one", "--upgrade-crds"]);
    let gadgets = env.crd(GADGETS);
    assert_eq!(version_names(&gadgets), vec!["v1", "v2"]);
    assert_eq!(spec_fields(&gadgets, "v1"), vec!["color", "shape", "size"]);
    let established = gadgets["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Established" && c["status"] == "True");
    assert!(established, "{gadgets}");
    // The unchanged CRD was not written.
    assert_eq!(
        resource_version(&env.crd(WIDGETS)),
        resource_version(&widgets_before)
    );
    // The new version is served: kubectl reads the release's Gadget through it.
    let stdout = env.kubectl_ok(&[
        "get",
        "gadgets.v2.example.com",
        "one-gadget",
        "-n",
        NS,
        "-o",
        "jsonpath={.metadata.name}",
    ]);
    assert_eq!(stdout, "one-gadget");
    // The upgrade rendered after the CRD change: Capabilities listed v2 and the guarded object
    // went in with this very revision.
    env.kubectl_ok(&["get", "gadgets.v2.example.com", "one-gadget2", "-n", NS]);

    // On install too, when the CRDs exist already.
    env.set_crds(
        &crd(
            "gadgets",
            "Gadget",
            &[
                ("v1", true, true, &["size", "color", "shape", "weight"]),
                ("v2", true, false, &["size"]),
            ],
        ),
        &widgets_v1(),
    );
    env.chart_ok(&["install", "two", "--upgrade-crds"]);
    assert!(spec_fields(&env.crd(GADGETS), "v1").contains(&"weight".to_string()));
}

#[test]
fn unsafe_crd_changes_are_refused_before_any_write_unless_forced() {
    let env = start();
    env.chart_ok(&["install", "one"]);
    let before = env.crd(GADGETS);
    assert_eq!(before["status"]["storedVersions"], json!(["v1"]));
    let widgets_before = env.crd(WIDGETS);

    // v1 is stored and would be dropped; the Widget change alone would be fine but is not
    // applied either (nothing is written when anything is refused).
    let widgets_new = crd(
        "widgets",
        "Widget",
        &[("v1", true, true, &["name", "extra"])],
    );
    env.set_crds(
        &crd(
            "gadgets",
            "Gadget",
            &[("v2", true, true, &["size", "color"])],
        ),
        &widgets_new,
    );
    let (code, stderr) = env.chart_run(&["upgrade", "one", "--upgrade-crds"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(
        stderr.contains(
            "CustomResourceDefinition gadgets.example.com: version v1 would be removed but is still in status.storedVersions"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--force-upgrade-crds"), "{stderr}");
    assert_eq!(
        resource_version(&env.crd(GADGETS)),
        resource_version(&before)
    );
    assert_eq!(
        resource_version(&env.crd(WIDGETS)),
        resource_version(&widgets_before)
    );
    assert_eq!(env.statuses("one"), vec![(1, Status::Deployed)]);

    // Serving it no longer is refused the same way.
    env.set_crds(
        &crd(
            "gadgets",
            "Gadget",
            &[
                ("v1", false, false, &["size", "color"]),
                ("v2", true, true, &["size", "color"]),
            ],
        ),
        &widgets_v1(),
    );
    let (code, stderr) = env.chart_run(&["upgrade", "one", "--upgrade-crds"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr
            .contains("version v1 would no longer be served but is still in status.storedVersions"),
        "{stderr}"
    );

    // A field removed from a version's schema, named by its path.
    env.set_crds(
        &crd("gadgets", "Gadget", &[("v1", true, true, &["size"])]),
        &widgets_v1(),
    );
    let (code, stderr) = env.chart_run(&["upgrade", "one", "--upgrade-crds"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "CustomResourceDefinition gadgets.example.com: version v1 would remove field spec.color from its schema"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // --dry-run=server checks too, and writes nothing either way.
    let (code, _) = env.chart_run(&["upgrade", "one", "--upgrade-crds", "--dry-run=server"]);
    assert_eq!(code, 1);
    assert_eq!(
        resource_version(&env.crd(GADGETS)),
        resource_version(&before)
    );
    assert_eq!(env.statuses("one"), vec![(1, Status::Deployed)]);

    // Forced, it goes through (the template no longer sets the removed field).
    write(
        &env.chart().join("templates/gadget.yaml"),
        &TEMPLATE.replace("  color: red\n", ""),
    );
    env.chart_ok(&["upgrade", "one", "--upgrade-crds", "--force-upgrade-crds"]);
    assert_eq!(spec_fields(&env.crd(GADGETS), "v1"), vec!["size"]);
    assert_eq!(
        env.statuses("one"),
        vec![(1, Status::Superseded), (2, Status::Deployed)]
    );
    // --force-upgrade-crds alone is a usage error.
    let (code, stderr) = env.chart_run(&["upgrade", "one", "--force-upgrade-crds"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("required arguments were not provided")
            && stderr.contains("--upgrade-crds"),
        "{stderr}"
    );
}
