//! The kube layer against an in-process sandbox, reached only through an ordinary kubeconfig
//! written to a temp dir: discovery (and a CRD appearing), server-side apply (create, update,
//! field removal, conflicts, force), deletion order, CRD Established waits, create-namespace,
//! the Secret/ConfigMap store, and the errors users see (unknown kind, unreachable, 403).

use std::path::PathBuf;
use std::time::Duration;

use rudder::kube::{
    ApplyOptions, Cluster, Deletion, KubeEnv, KubeError, KubeOptions, ObjectStore, StoreKind,
};
use rudder::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

struct Env {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
}

impl Env {
    fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::start(SandboxOptions {
            kubeconfig: Some(dir.path().join("kubeconfig")),
            access_log: Some(dir.path().join("access.log")),
            ..SandboxOptions::default()
        })
        .unwrap();
        Env { sandbox, dir }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// A cluster handle through `--kubeconfig` and `-n`.
    fn cluster(&self, namespace: &str) -> Cluster {
        let opts = KubeOptions {
            kubeconfig: Some(self.kubeconfig()),
            namespace: Some(namespace.into()),
            ..KubeOptions::default()
        };
        Cluster::connect(&opts, &KubeEnv::default()).unwrap()
    }

    /// `METHOD PATH` (query dropped) of the access log's requests of `method`, in order.
    fn requests(&self, method: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with(&format!("{method} ")))
            .map(|l| {
                let request = l.rsplit_once(' ').map_or(l, |(a, _)| a);
                request.split('?').next().unwrap_or(request).to_string()
            })
            .collect()
    }
}

fn yaml(text: &str) -> Value {
    yaml_serde::from_str(text).unwrap()
}

fn configmap(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
}

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;

#[test]
fn connects_through_kubeconfig_env_and_resolves_namespace() {
    let env = Env::start();
    let kenv = KubeEnv {
        kubeconfig: Some(env.kubeconfig().display().to_string()),
        namespace: Some("from-env".into()),
        home: None,
    };
    let c = Cluster::connect(&KubeOptions::default(), &kenv).unwrap();
    assert_eq!(c.namespace(), "from-env");
    assert_eq!(c.server(), env.sandbox.url());
    assert_eq!(c.context(), "rudder-sandbox");
    assert!(c.server_version().unwrap().starts_with("v1."));
    let missing = KubeOptions {
        context: Some("foo".into()),
        ..KubeOptions::default()
    };
    assert_eq!(
        Cluster::connect(&missing, &kenv).unwrap_err().to_string(),
        format!(
            "kubeconfig {}: no context \"foo\"",
            env.kubeconfig().display()
        )
    );
}

#[test]
fn discovery_scopes_unknown_kinds_and_a_crd_appearing() {
    let env = Env::start();
    let c = env.cluster("default");
    let d = c.resolve("apps/v1", "Deployment").unwrap();
    assert!(d.namespaced);
    assert_eq!(d.api_resource.plural, "deployments");
    let ns = c.resolve("v1", "Namespace").unwrap();
    assert!(!ns.namespaced);
    let err = c.resolve("example.com/v1", "Gadget").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no matches for kind \"Gadget\" in version \"example.com/v1\" (the cluster does not serve it)"
    );
    // A served version without the kind is the same error.
    assert!(matches!(
        c.resolve("apps/v1", "Gadget"),
        Err(KubeError::NoMatch { .. })
    ));
    // Another client installs the CRD: this run's cache still says no until it refreshes.
    let other = env.cluster("default");
    other
        .install_crds(
            &[yaml(CRD)],
            &ApplyOptions::default(),
            Duration::from_secs(5),
        )
        .unwrap();
    assert!(
        other
            .resolve("example.com/v1", "Gadget")
            .unwrap()
            .namespaced
    );
    assert!(c.resolve("example.com/v1", "Gadget").is_err());
    let discovery_gets = env
        .requests("GET")
        .iter()
        .filter(|l| l.ends_with("/apis/example.com/v1"))
        .count();
    c.refresh_discovery();
    let g = c.resolve("example.com/v1", "Gadget").unwrap();
    assert_eq!(
        (g.api_resource.plural.as_str(), g.namespaced),
        ("gadgets", true)
    );
    // Cached: resolving again does not ask the server.
    c.resolve("example.com/v1", "Gadget").unwrap();
    let after = env
        .requests("GET")
        .iter()
        .filter(|l| l.ends_with("/apis/example.com/v1"))
        .count();
    assert_eq!(after, discovery_gets + 1);
    // And the custom resource applies.
    let w = json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"size": 3}});
    let stored = c.apply_one(&w, &ApplyOptions::default()).unwrap();
    assert_eq!(stored["metadata"]["namespace"], "default");
}

#[test]
fn apply_creates_updates_and_removes_fields() {
    let env = Env::start();
    let c = env.cluster("demo");
    c.create_namespace("demo").unwrap();
    let first = c
        .apply_one(
            &configmap("c", json!({"a": "1", "b": "2"})),
            &ApplyOptions::default(),
        )
        .unwrap();
    assert_eq!(first["metadata"]["namespace"], "demo");
    assert_eq!(first["data"], json!({"a": "1", "b": "2"}));
    let managers: Vec<&str> = first["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["rudder"]);
    c.apply_one(
        &configmap("c", json!({"a": "9", "b": "2"})),
        &ApplyOptions::default(),
    )
    .unwrap();
    let got = c.get("v1", "ConfigMap", None, "c").unwrap().unwrap();
    assert_eq!(got["data"], json!({"a": "9", "b": "2"}));
    // A field rudder stops applying is removed.
    c.apply_one(&configmap("c", json!({"a": "9"})), &ApplyOptions::default())
        .unwrap();
    let got = c
        .get("v1", "ConfigMap", Some("demo"), "c")
        .unwrap()
        .unwrap();
    assert_eq!(got["data"], json!({"a": "9"}));
    // Cluster-scoped kinds drop a namespace they carry.
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "extra", "namespace": "demo"}});
    let stored = c.apply_one(&ns, &ApplyOptions::default()).unwrap();
    assert!(stored["metadata"].get("namespace").is_none());
    // get of a missing object is None; list by label selector.
    assert!(c.get("v1", "ConfigMap", None, "nope").unwrap().is_none());
    let mut labelled = configmap("l", json!({}));
    labelled["metadata"]["labels"] = json!({"app": "web"});
    c.apply(&[labelled], &ApplyOptions::default()).unwrap();
    let names = |sel: &str| -> Vec<String> {
        c.list("v1", "ConfigMap", None, sel)
            .unwrap()
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("app=web"), ["l"]);
    assert_eq!(names("!app"), ["c"]);
    assert!(
        c.list("v1", "ConfigMap", Some("default"), "app=web")
            .unwrap()
            .is_empty()
    );
    // Namespaces with the label Helm puts on them.
    let demo = c.get("v1", "Namespace", None, "demo").unwrap().unwrap();
    assert_eq!(demo["metadata"]["labels"]["name"], "demo");
    c.create_namespace("demo").unwrap();
}

#[test]
fn conflicts_with_another_manager_then_force() {
    let env = Env::start();
    let c = env.cluster("default");
    let other = ApplyOptions {
        field_manager: "other".into(),
        ..ApplyOptions::default()
    };
    c.apply_one(&configmap("c", json!({"a": "1"})), &other)
        .unwrap();
    let err = c
        .apply_one(&configmap("c", json!({"a": "2"})), &ApplyOptions::default())
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "ConfigMap default/c: Apply failed with 1 conflict: conflict with \"other\": .data.a (rerun with --force-conflicts to take ownership)"
    );
    let unchanged = c.get("v1", "ConfigMap", None, "c").unwrap().unwrap();
    assert_eq!(unchanged["data"]["a"], "1");
    let forced = ApplyOptions {
        force_conflicts: true,
        ..ApplyOptions::default()
    };
    let stored = c
        .apply_one(&configmap("c", json!({"a": "2"})), &forced)
        .unwrap();
    assert_eq!(stored["data"]["a"], "2");
    // rudder now owns .data.a; "other" applying it again conflicts the other way.
    let back = c
        .apply_one(&configmap("c", json!({"a": "3"})), &other)
        .unwrap_err();
    assert!(
        back.to_string().contains("conflict with \"rudder\""),
        "{back}"
    );
}

#[test]
fn deletes_in_reverse_install_order() {
    let env = Env::start();
    let c = env.cluster("default");
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app-ns"}}),
        configmap("first", json!({})),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "second"}, "stringData": {"k": "v"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "third"},
               "spec": {"ports": [{"port": 80}]}}),
    ];
    c.apply(&objects, &ApplyOptions::default()).unwrap();
    let done = c.delete(&objects).unwrap();
    let order: Vec<String> = done.iter().map(|(r, _)| r.to_string()).collect();
    assert_eq!(
        order,
        [
            "Service default/third",
            "Secret default/second",
            "ConfigMap default/first",
            "Namespace app-ns"
        ]
    );
    assert!(done.iter().all(|(_, d)| *d == Deletion::Deleted));
    assert_eq!(
        env.requests("DELETE"),
        [
            "DELETE /api/v1/namespaces/default/services/third",
            "DELETE /api/v1/namespaces/default/secrets/second",
            "DELETE /api/v1/namespaces/default/configmaps/first",
            "DELETE /api/v1/namespaces/app-ns",
        ]
    );
    assert!(c.get("v1", "Secret", None, "second").unwrap().is_none());
    // Again: everything is already gone, including a kind nobody serves.
    let mut again = objects.clone();
    again
        .push(json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}));
    let done = c.delete(&again).unwrap();
    assert_eq!(done.len(), 5);
    assert!(done.iter().all(|(_, d)| *d == Deletion::AlreadyGone));
}

#[test]
fn waits_for_crds_to_be_established() {
    let env = Env::start();
    let c = env.cluster("default");
    c.install_crds(
        &[yaml(CRD)],
        &ApplyOptions::default(),
        Duration::from_secs(5),
    )
    .unwrap();
    // Make the CRD unestablished, as a slow API server would leave it.
    let set_established = |status: &str| {
        let status = status.to_string();
        env.sandbox.with_state(move |s| {
            let key = rudder::sandbox::store::ObjectKey::new(
                "apiextensions.k8s.io",
                "customresourcedefinitions",
                "",
                "gadgets.example.com",
            );
            let mut crd = s.store.get(&key).cloned().unwrap();
            for cond in crd["status"]["conditions"].as_array_mut().unwrap() {
                if cond["type"] == "Established" {
                    cond["status"] = Value::from(status.clone());
                }
            }
            s.store.update(key, crd, false);
        });
    };
    set_established("False");
    let names = vec!["gadgets.example.com".to_string()];
    let err = c
        .wait_established(&names, Duration::from_millis(300))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomResourceDefinition gadgets.example.com: timed out after 300ms waiting for condition Established"
    );
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            set_established("True");
        });
        c.wait_established(&names, Duration::from_secs(5)).unwrap();
    });
    let not_crd = configmap("x", json!({}));
    assert_eq!(
        c.install_crds(&[not_crd], &ApplyOptions::default(), Duration::from_secs(1))
            .unwrap_err()
            .to_string(),
        "ConfigMap x: is not a CustomResourceDefinition"
    );
}

#[test]
fn object_store_for_release_records() {
    let env = Env::start();
    let c = env.cluster("default");
    c.create_namespace("rel").unwrap();
    for kind in [StoreKind::Secret, StoreKind::ConfigMap] {
        let store = c.store(kind, "rel");
        let record = json!({"metadata": {"name": "sh.helm.release.v1.web.v1",
            "labels": {"owner": "helm", "name": "web", "version": "1"}},
            "type": "helm.sh/release.v1", "data": {"release": "cmVs"}});
        let created = store.create(&record).unwrap();
        assert_eq!(created["kind"], kind.kind());
        assert_eq!(created["metadata"]["namespace"], "rel");
        let dup = store.create(&record).unwrap_err();
        assert!(dup.is_already_exists(), "{dup}");
        assert_eq!(
            dup.to_string(),
            format!(
                "{} rel/sh.helm.release.v1.web.v1: {} \"sh.helm.release.v1.web.v1\" already exists",
                kind.kind(),
                if kind == StoreKind::Secret {
                    "secrets"
                } else {
                    "configmaps"
                }
            )
        );
        let mut second = record.clone();
        second["metadata"]["name"] = "sh.helm.release.v1.web.v2".into();
        second["metadata"]["labels"]["version"] = "2".into();
        store.create(&second).unwrap();
        let mut listed: Vec<String> = store
            .list("owner=helm,name=web")
            .unwrap()
            .iter()
            .map(|o| {
                o["metadata"]["labels"]["version"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        listed.sort();
        assert_eq!(listed, ["1", "2"]);
        assert!(store.list("name=other").unwrap().is_empty());
        // Update, and a stale resourceVersion is a conflict.
        let mut got = store.get("sh.helm.release.v1.web.v1").unwrap().unwrap();
        got["metadata"]["labels"]["status"] = "superseded".into();
        let updated = store.update(&got).unwrap();
        assert_eq!(updated["metadata"]["labels"]["status"], "superseded");
        let stale = store.update(&got).unwrap_err();
        assert!(stale.is_conflict(), "{stale}");
        store.delete("sh.helm.release.v1.web.v1").unwrap();
        assert!(store.get("sh.helm.release.v1.web.v1").unwrap().is_none());
        assert!(
            store
                .delete("sh.helm.release.v1.web.v1")
                .unwrap_err()
                .is_not_found()
        );
        assert!(store.create(&json!({"metadata": {}})).is_err());
    }
}

#[test]
fn forbidden_requests_are_surfaced_with_the_rbac_message() {
    let env = Env::start();
    let c = env.cluster("default");
    env.sandbox
        .deny("patch:configmaps:default".parse().unwrap());
    let err = c
        .apply_one(&configmap("c", json!({"a": "1"})), &ApplyOptions::default())
        .unwrap_err();
    assert!(err.is_forbidden());
    assert_eq!(
        err.to_string(),
        "ConfigMap default/c: configmaps \"c\" is forbidden: User \"sandbox-user\" cannot patch resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    env.sandbox.deny("list:secrets".parse().unwrap());
    let err = c
        .store(StoreKind::Secret, "default")
        .list("owner=helm")
        .unwrap_err();
    assert!(
        err.to_string().starts_with("Secret in default: secrets is forbidden: User \"sandbox-user\" cannot list resource \"secrets\""),
        "{err}"
    );
}

#[test]
fn unreachable_server_names_the_url() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let path = dir.path().join("kubeconfig");
    rudder::sandbox::kubeconfig::write(&path, &url).unwrap();
    let opts = KubeOptions {
        kubeconfig: Some(path),
        ..KubeOptions::default()
    };
    let c = Cluster::connect(&opts, &KubeEnv::default()).unwrap();
    let err = c
        .apply_one(&configmap("c", json!({})), &ApplyOptions::default())
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, KubeError::Unreachable { .. }), "{text}");
    assert!(
        text.starts_with(&format!(
            "cannot reach the Kubernetes API server at {url}: "
        )),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
}
