//! `lookup(...)` and `Capabilities` read from the live cluster at render time, driven through the
//! binary against a sandbox: the classic keep-a-generated-password-across-upgrades chart, a List
//! lookup (one namespace, all namespaces, a cluster-scoped kind), a missing object as `{}`, an
//! API error failing the render with the lookup named, `template` and `--dry-run=client` offline,
//! `--dry-run=server` and `diff` live, and `Capabilities.APIVersions` / `KubeVersion` from the
//! cluster's discovery (a CRD's group/version appearing once the CRD is installed).

mod common;

use std::path::{Path, PathBuf};

use common::sandbox_env::SandboxEnv;
use serde_json::{Value, json};

const NS: &str = "apps";
const SEEDED: &str = "seeded";

const CHART_YAML: &str = "apiVersion: v2\nname: looky\nversion: 0.1.0\n";

/// The password Secret: generated on install, kept from the live object afterwards.
const SECRET: &str = r#"{%- set existing = lookup(apiVersion="v1", kind="Secret", namespace=Release.Namespace, name=Release.Name ~ "-pass") %}
apiVersion: v1
kind: Secret
metadata:
  name: {{ Release.Name }}-pass
data:
  password: {% if existing %}{{ existing.data.password }}{% else %}{{ randAlphaNum(n=20) | b64enc }}{% endif %}
"#;

/// What the templates saw, as a ConfigMap.
const REPORT: &str = r#"{%- set one = lookup(apiVersion="v1", kind="ConfigMap", namespace="seeded", name="colors") %}
{%- set missing = lookup(apiVersion="v1", kind="ConfigMap", namespace="seeded", name="nope") %}
{%- set list = lookup(apiVersion="v1", kind="ConfigMap", namespace="seeded") %}
{%- set everywhere = lookup(apiVersion="v1", kind="ConfigMap") %}
{%- set namespaces = lookup(apiVersion="v1", kind="Namespace") %}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-report
data:
  color: {% if one %}{{ one.data.color | quote }}{% else %}"none"{% endif %}
  missing: {{ missing | toJson | quote }}
  listKind: {% if list %}{{ list.kind | quote }}{% else %}"none"{% endif %}
  listNames: "{% for i in list.items | default(value=[]) %}{{ i.metadata.name }}{% if not loop.last %},{% endif %}{% endfor %}"
  listItemKinds: "{% for i in list.items | default(value=[]) %}{{ i.kind }}/{{ i.apiVersion }}{% if not loop.last %},{% endif %}{% endfor %}"
  everywhere: "{% for i in everywhere.items | default(value=[]) %}{{ i.metadata.namespace }}/{{ i.metadata.name }}{% if not loop.last %},{% endif %}{% endfor %}"
  namespaces: "{% for i in namespaces.items | default(value=[]) %}{{ i.metadata.name }}{% if not loop.last %},{% endif %}{% endfor %}"
  kubeVersion: {{ Capabilities.KubeVersion.Version | quote }}
  kubeMinor: {{ Capabilities.KubeVersion.Minor | quote }}
  hasGadgetVersion: "{{ "example.com/v1" in Capabilities.APIVersions }}"
  hasGadgetKind: "{{ "example.com/v1/Gadget" in Capabilities.APIVersions }}"
  hasConfigMapKind: "{{ "v1/ConfigMap" in Capabilities.APIVersions }}"
"#;

/// Rendered only where the cluster serves the Gadget kind (the `has` test, as the docs spell it).
const GADGET: &str = r#"{%- if Capabilities.APIVersions is has(value="example.com/v1/Gadget") %}
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: {{ Release.Name }}-gadget
spec:
  size: 3
{%- endif %}
"#;

const CRD: &str = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
 "metadata": {"name": "gadgets.example.com"},
 "spec": {"group": "example.com", "scope": "Namespaced",
  "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
  "versions": [{"name": "v1", "served": true, "storage": true,
   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}"#;

/// A sandbox with namespaces `apps` and `seeded` (two ConfigMaps to look up) and the `looky`
/// chart written.
fn start() -> SandboxEnv {
    let env = SandboxEnv::start(NS);
    env.create(
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SEEDED}}),
    );
    for (name, color) in [("colors", "blue"), ("sizes", "large")] {
        env.create(
            &format!("/api/v1/namespaces/{SEEDED}/configmaps"),
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": name}, "data": {"color": color}}),
        );
    }
    write_chart(&env.chart());
    env
}

impl SandboxEnv {
    fn chart(&self) -> PathBuf {
        self.path("looky")
    }

    fn chart_arg(&self) -> String {
        self.chart().display().to_string()
    }

    /// The report ConfigMap's data of release `name`.
    fn report(&self, name: &str) -> Value {
        self.get(&format!("/api/v1/namespaces/{NS}/configmaps/{name}-report"))
            .unwrap_or_else(|| panic!("no report of {name}"))["data"]
            .clone()
    }

    fn password(&self, name: &str) -> String {
        let s = self
            .get(&format!("/api/v1/namespaces/{NS}/secrets/{name}-pass"))
            .expect("password secret");
        s["data"]["password"].as_str().unwrap().to_string()
    }

    fn install_crd(&self) {
        self.create(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            &serde_json::from_str(CRD).unwrap(),
        );
    }
}

fn write_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.join("templates/secret.yaml"), SECRET).unwrap();
    std::fs::write(dir.join("templates/report.yaml"), REPORT).unwrap();
    std::fs::write(dir.join("templates/gadget.yaml"), GADGET).unwrap();
}

/// The report as a rendered manifest prints it (`template`, `--dry-run`): the `data` of the
/// `*-report` ConfigMap document in `out`.
fn report_in(out: &str) -> Value {
    for doc in out.split("\n---") {
        let Ok(v) = yaml_serde::from_str::<Value>(doc) else {
            continue;
        };
        if v["kind"] == "ConfigMap"
            && v["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("-report"))
        {
            return v["data"].clone();
        }
    }
    panic!("no report in {out}");
}

fn sandbox_git_version() -> &'static str {
    rudder::sandbox::discovery::GIT_VERSION
}

#[test]
fn install_and_upgrade_read_the_live_cluster() {
    let env = start();
    env.ok(&["install", "looky", &env.chart_arg()]);
    let report = env.report("looky");
    assert_eq!(report["color"], "blue", "{report}");
    assert_eq!(report["missing"], "{}", "a missing object is an empty map");
    assert_eq!(report["listKind"], "ConfigMapList");
    assert_eq!(report["listNames"], "colors,sizes");
    assert_eq!(report["listItemKinds"], "ConfigMap/v1,ConfigMap/v1");
    // No namespace: every namespace (the report itself is not there yet while rendering).
    assert_eq!(report["everywhere"], "seeded/colors,seeded/sizes");
    let namespaces = report["namespaces"].as_str().unwrap();
    assert!(
        namespaces.contains("apps") && namespaces.contains("seeded"),
        "{namespaces}"
    );
    assert_eq!(report["kubeVersion"], sandbox_git_version());
    assert_eq!(
        report["kubeMinor"],
        rudder::sandbox::discovery::KUBE_VERSION.1
    );
    assert_eq!(report["hasConfigMapKind"], "true");
    assert_eq!(report["hasGadgetVersion"], "false");

    // The generated password survives upgrades: lookup finds the live Secret.
    let password = env.password("looky");
    assert!(!password.is_empty());
    env.ok(&["upgrade", "looky", &env.chart_arg()]);
    env.ok(&["upgrade", "looky", &env.chart_arg()]);
    assert_eq!(env.password("looky"), password);
    let report = env.report("looky");
    let everywhere = report["everywhere"].as_str().unwrap();
    assert!(everywhere.contains("apps/looky-report"), "{everywhere}");
    assert!(everywhere.contains("seeded/colors"), "{everywhere}");

    // `upgrade --install` of a new release renders live too.
    env.ok(&["upgrade", "--install", "fresh", &env.chart_arg()]);
    assert_eq!(env.report("fresh")["color"], "blue");
    let fresh = env.password("fresh");
    env.ok(&["upgrade", "--install", "fresh", &env.chart_arg()]);
    assert_eq!(env.password("fresh"), fresh);
}

#[test]
fn template_and_client_dry_runs_are_offline_server_dry_run_and_diff_are_live() {
    let env = start();
    let out = env.ok(&["template", "looky", &env.chart_arg()]);
    let report = report_in(&out);
    assert_eq!(report["color"], "none", "{report}");
    assert_eq!(report["listKind"], "none");
    assert_eq!(report["namespaces"], "");
    assert_eq!(
        report["kubeVersion"],
        rudder::engine::context::DEFAULT_KUBE_VERSION
    );

    let out = env.ok(&["install", "looky", &env.chart_arg(), "--dry-run"]);
    assert_eq!(report_in(&out)["color"], "none");
    let out = env.ok(&["install", "looky", &env.chart_arg(), "--dry-run=server"]);
    let report = report_in(&out);
    assert_eq!(report["color"], "blue", "{report}");
    assert_eq!(report["kubeVersion"], sandbox_git_version());

    env.ok(&["install", "looky", &env.chart_arg()]);
    let out = env.ok(&["upgrade", "looky", &env.chart_arg(), "--dry-run"]);
    assert_eq!(report_in(&out)["color"], "none");
    let out = env.ok(&["upgrade", "looky", &env.chart_arg(), "--dry-run=server"]);
    assert_eq!(report_in(&out)["color"], "blue");

    // The diff renders as the upgrade would: the password is looked up, so nothing changes.
    // (Offline it would be regenerated and the report would lose its lookups.) One real
    // upgrade first: the install's all-namespaces list ran before the report existed.
    env.ok(&["upgrade", "looky", &env.chart_arg()]);
    env.ok(&[
        "diff",
        "upgrade",
        "looky",
        &env.chart_arg(),
        "--detailed-exitcode",
    ]);
    // A change in what lookup sees shows up in the diff.
    env.create(
        &format!("/api/v1/namespaces/{SEEDED}/configmaps"),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shapes"}}),
    );
    let out = env.run(&[
        "diff",
        "upgrade",
        "looky",
        &env.chart_arg(),
        "--detailed-exitcode",
        "--no-color",
    ]);
    assert_eq!(out.code, Some(2));
    let text = &out.stdout;
    assert!(text.contains("shapes"), "{text}");
    assert!(!text.contains("password"), "{text}");
}

#[test]
fn capabilities_list_a_crd_once_it_is_installed() {
    let env = start();
    env.ok(&["install", "looky", &env.chart_arg()]);
    assert!(
        env.get(&format!(
            "/apis/example.com/v1/namespaces/{NS}/gadgets/looky-gadget"
        ))
        .is_none()
    );
    env.install_crd();
    env.ok(&["upgrade", "looky", &env.chart_arg()]);
    let report = env.report("looky");
    assert_eq!(report["hasGadgetVersion"], "true", "{report}");
    assert_eq!(report["hasGadgetKind"], "true");
    let gadget = env
        .get(&format!(
            "/apis/example.com/v1/namespaces/{NS}/gadgets/looky-gadget"
        ))
        .expect("the guarded Gadget is created once its CRD is served");
    assert_eq!(gadget["spec"]["size"], 3);
    // Offline the guard stays closed.
    let out = env.ok(&["template", "looky", &env.chart_arg()]);
    assert!(!out.contains("kind: Gadget"), "{out}");
}

#[test]
fn a_lookup_the_server_refuses_fails_the_render_naming_it() {
    let env = start();
    env.sandbox
        .deny(format!("get:configmaps:{SEEDED}").parse().unwrap());
    let err = env.fails(&["install", "looky", &env.chart_arg()]);
    assert!(err.contains("looky/templates/report.yaml"), "{err}");
    assert!(err.contains("lookup ConfigMap seeded/colors"), "{err}");
    assert!(err.contains("Forbidden"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Nothing was written.
    assert!(
        env.get(&format!("/api/v1/namespaces/{NS}/secrets/looky-pass"))
            .is_none()
    );
    let records = env
        .get(&format!("/api/v1/namespaces/{NS}/secrets"))
        .unwrap();
    assert_eq!(records["items"].as_array().unwrap().len(), 0, "{records}");
    // Offline rendering does not ask the server.
    env.ok(&["template", "looky", &env.chart_arg()]);
}
