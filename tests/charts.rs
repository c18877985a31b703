//! The charts under `charts/`: each renders with its defaults and with its main options through
//! `rudder template` (insta snapshots), the output is valid YAML with sound Kubernetes shapes
//! (`charts/shapes.rs`), the umbrella chart's conditions and globals work, the vendored subcharts
//! are the sources' copies, and Helm itself accepts every Chart.yaml, values.yaml and schema.

mod common;
#[path = "charts/run.rs"]
mod run;
#[path = "charts/shapes.rs"]
mod shapes;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use run::{chart_dir, notes, rudder, template, template_error};
use shapes::{Externals, Object, container, env, find};

/// A chart under `charts/`, with values its schema must reject and the JSON path the rejection
/// names.
struct ChartCase {
    name: &'static str,
    bad_values: &'static str,
    bad_path: &'static str,
}

const fn case(name: &'static str, bad_values: &'static str, bad_path: &'static str) -> ChartCase {
    ChartCase {
        name,
        bad_values,
        bad_path,
    }
}

/// Every chart under `charts/`.
const CHARTS: &[ChartCase] = &[
    case(
        "cloudflare-sync",
        r#"{"dnsName": "not a name"}"#,
        "/dnsName",
    ),
    case("crystal-www-example", r#"{"port": 0}"#, "/port"),
    case("haproxy-lb", r#"{"servers": {"web": "x"}}"#, "/servers/web"),
    case(
        "kube-cert-manager",
        r#"{"persistence": {"size": "lots"}}"#,
        "/persistence/size",
    ),
    case(
        "lobsters",
        r#"{"service": {"type": "Bogus"}}"#,
        "/service/type",
    ),
    case(
        "monolith",
        r#"{"service": {"nodePort": 80}}"#,
        "/service/nodePort",
    ),
    case("nginx", r#"{"kind": "Pod"}"#, "/kind"),
    case(
        "nginx-proxy",
        r#"{"upstream": {"port": 70000}}"#,
        "/upstream/port",
    ),
    case(
        "personal-cluster",
        r#"{"global": {"domain": "Not A Domain"}}"#,
        "/global/domain",
    ),
    case("redis", r#"{"replicas": {"count": -1}}"#, "/replicas/count"),
];

/// The umbrella chart's subcharts, vendored under `charts/personal-cluster/charts/`.
const SUBCHARTS: &[&str] = &["crystal-www-example", "kube-cert-manager", "lobsters"];

/// Parses a render and asserts its objects have sound shapes and references.
fn checked(stream: &str, namespace: &str, externals: &Externals) -> Vec<Object> {
    let objects = shapes::parse_stream(stream).unwrap_or_else(|e| panic!("{e}"));
    assert!(!objects.is_empty(), "nothing rendered");
    let problems = shapes::check(&objects, namespace, externals);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    objects
}

/// Renders `chart` with `--set` expressions, snapshots it as `<chart>-<variant>` and checks it.
fn variant(chart: &str, variant: &str, sets: &[&str], externals: &Externals) -> Vec<Object> {
    let mut extra = Vec::new();
    for s in sets {
        extra.extend(["--set", s]);
    }
    let out = template(chart, &extra);
    insta::assert_snapshot!(format!("{chart}-{variant}"), out);
    checked(&out, "default", externals)
}

fn defaults(chart: &str) {
    let out = template(chart, &[]);
    insta::assert_snapshot!(format!("{chart}-defaults"), out);
    checked(&out, "default", &Externals::default());
    insta::assert_snapshot!(format!("{chart}-notes"), notes(chart, &[]));
}

macro_rules! defaults_tests {
    ($($test:ident => $chart:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                defaults($chart);
            }
        )*
        /// The charts with a defaults test, to check none is forgotten.
        const TESTED: &[&str] = &[$($chart),*];
    };
}

defaults_tests! {
    cloudflare_sync_renders_with_defaults => "cloudflare-sync",
    crystal_www_example_renders_with_defaults => "crystal-www-example",
    haproxy_lb_renders_with_defaults => "haproxy-lb",
    kube_cert_manager_renders_with_defaults => "kube-cert-manager",
    lobsters_renders_with_defaults => "lobsters",
    monolith_renders_with_defaults => "monolith",
    nginx_renders_with_defaults => "nginx",
    nginx_proxy_renders_with_defaults => "nginx-proxy",
    personal_cluster_renders_with_defaults => "personal-cluster",
    redis_renders_with_defaults => "redis",
}

#[test]
fn every_chart_is_tested() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::repo_root().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = CHARTS.iter().map(|c| c.name).collect();
    assert_eq!(on_disk, listed, "charts/ and CHARTS differ");
    assert_eq!(TESTED, listed.as_slice(), "a chart lacks its defaults test");
}

#[test]
fn lobsters_tls_adds_the_nginx_sidecar_and_a_certificate() {
    let objects = variant(
        "lobsters",
        "tls",
        &["tls.enabled=true"],
        &Externals::default(),
    );
    let deploy = find(&objects, "Deployment", "release-name-lobsters");
    let proxy = container(deploy, "tls-proxy");
    assert_eq!(proxy["ports"][0]["containerPort"], 443);
    let conf = find(&objects, "ConfigMap", "release-name-lobsters-nginx")["data"]["nginx.conf"]
        .as_str()
        .unwrap();
    assert!(conf.contains("listen 443 ssl;"), "{conf}");
    assert!(conf.contains("proxy_pass http://127.0.0.1:3000;"), "{conf}");
    let cert = find(&objects, "Certificate", "release-name-lobsters");
    assert_eq!(cert["spec"]["domain"], "lobsters.example.com");
    // The sidecar mounts the Secret the Certificate asks kube-cert-manager to write.
    let volumes = &deploy["spec"]["template"]["spec"]["volumes"];
    let tls = volumes
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tls")
        .unwrap();
    assert_eq!(tls["secret"]["secretName"], cert["spec"]["secretName"]);
    let service = find(&objects, "Service", "release-name-lobsters");
    assert!(
        service["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["port"] == 443 && p["targetPort"] == "https")
    );
}

#[test]
fn monolith_secure_adds_the_tls_proxy_and_a_node_port() {
    let objects = variant(
        "monolith",
        "secure",
        &["secure.enabled=true"],
        &Externals::default(),
    );
    let deploy = find(&objects, "Deployment", "release-name-monolith");
    let nginx = container(deploy, "nginx");
    assert_eq!(
        nginx["lifecycle"]["preStop"]["exec"]["command"],
        json!(["/usr/sbin/nginx", "-s", "quit"])
    );
    let mounts: BTreeSet<&str> = nginx["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(mounts, BTreeSet::from(["nginx-proxy-conf", "tls-certs"]));
    find(&objects, "Secret", "release-name-monolith-tls-certs");
    find(
        &objects,
        "ConfigMap",
        "release-name-monolith-nginx-proxy-conf",
    );
    let service = find(&objects, "Service", "release-name-monolith");
    assert_eq!(service["spec"]["type"], "NodePort");
    assert_eq!(service["spec"]["ports"][0]["nodePort"], 31000);
    assert_eq!(service["spec"]["selector"]["app"], "monolith");
    assert_eq!(service["spec"]["selector"]["secure"], "enabled");
    let monolith = container(deploy, "monolith");
    let probes = (&monolith["livenessProbe"], &monolith["readinessProbe"]);
    assert_eq!(probes.0["httpGet"]["port"], "health");
    assert_eq!(probes.1["httpGet"]["path"], "/readiness");
}

#[test]
fn nginx_kind_chooses_the_controller() {
    let objects = variant(
        "nginx",
        "replication-controller",
        &["kind=ReplicationController", "replicaCount=5"],
        &Externals::default(),
    );
    let rc = find(&objects, "ReplicationController", "release-name-nginx");
    assert_eq!(rc["spec"]["replicas"], 5);
    assert!(!objects.iter().any(|o| o.kind() == "Deployment"));
    let err = template_error("nginx", &["--set", "kind=Pod"]);
    assert!(err.contains("/kind"), "{err}");
}

#[test]
fn nginx_proxy_runs_on_the_host_network_and_proxies_to_the_upstream() {
    let out = template(
        "nginx-proxy",
        &[
            "--set",
            "upstream.service=shop,upstream.namespace=web,upstream.port=8080",
        ],
    );
    let objects = checked(&out, "default", &Externals::default());
    let ds = find(&objects, "DaemonSet", "release-name-nginx-proxy");
    let pod = &ds["spec"]["template"]["spec"];
    assert_eq!(pod["hostNetwork"], true);
    assert_eq!(pod["dnsPolicy"], "ClusterFirstWithHostNet");
    assert_eq!(pod["containers"][0]["ports"][0]["hostPort"], 80);
    let conf = find(&objects, "ConfigMap", "release-name-nginx-proxy")["data"]["nginx.conf"]
        .as_str()
        .unwrap();
    assert!(
        conf.contains("server shop.web.svc.cluster.local:8080;"),
        "{conf}"
    );
}

#[test]
fn kube_cert_manager_credentials_go_to_a_secret_and_never_to_notes() {
    let sets = [
        "dnsProvider.credentials.CLOUDFLARE_EMAIL=ops@example.org",
        "dnsProvider.credentials.CLOUDFLARE_API_KEY=k3y-s3cr3t",
    ];
    let objects = variant(
        "kube-cert-manager",
        "credentials",
        &sets,
        &Externals::default(),
    );
    let secret = find(&objects, "Secret", "release-name-kube-cert-manager-dns");
    assert_eq!(secret["data"]["CLOUDFLARE_API_KEY"], "azN5LXMzY3IzdA==");
    let deploy = find(&objects, "Deployment", "release-name-kube-cert-manager");
    let c = container(deploy, "kube-cert-manager");
    assert_eq!(
        c["envFrom"][0]["secretRef"]["name"],
        "release-name-kube-cert-manager-dns"
    );
    let notes = notes("kube-cert-manager", &sets);
    for leak in ["k3y-s3cr3t", "azN5LXMzY3IzdA", "ops@example.org"] {
        assert!(!notes.contains(leak), "NOTES show {leak}:\n{notes}");
    }
    assert!(
        notes.contains("release-name-kube-cert-manager-dns"),
        "{notes}"
    );
}

#[test]
fn secrets_never_appear_in_notes() {
    use base64::Engine as _;
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "cloudflare-sync",
            &["cloudflare.apiKey=cf-s3cr3t-key"],
            "cf-s3cr3t-key",
        ),
        ("monolith", &["jwtSecret=jwt-s3cr3t"], "jwt-s3cr3t"),
        (
            "redis",
            &["auth.enabled=true", "auth.password=redis-s3cr3t"],
            "redis-s3cr3t",
        ),
    ];
    for (chart, sets, secret) in cases {
        let notes = notes(chart, sets);
        assert!(
            !notes.contains(secret),
            "{chart} NOTES show {secret}:\n{notes}"
        );
        let extra: Vec<&str> = sets.iter().flat_map(|s| ["--set", s]).collect();
        let out = template(chart, &extra);
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(
            out.contains(&encoded) && !out.contains(secret),
            "{chart}: the value must be in a Secret, base64-encoded only"
        );
    }
}

#[test]
fn redis_auth_and_node_ports() {
    let objects = variant(
        "redis",
        "auth-nodeport",
        &[
            "auth.enabled=true",
            "auth.password=pw",
            "service.type=NodePort",
            "service.nodePorts.master=30379",
        ],
        &Externals::default(),
    );
    let replicas = find(&objects, "Deployment", "release-name-redis-replicas");
    let redis = container(replicas, "redis");
    assert_eq!(env(redis, "GET_HOSTS_FROM")["value"], "dns");
    let args = redis["args"].as_array().unwrap();
    assert!(args.contains(&json!("--masterauth")), "{args:?}");
    assert!(
        args.contains(&json!("release-name-redis-master")),
        "{args:?}"
    );
    let master = find(&objects, "Service", "release-name-redis-master");
    assert_eq!(master["spec"]["ports"][0]["nodePort"], 30379);
    let replicas_svc = find(&objects, "Service", "release-name-redis-replicas");
    assert_eq!(replicas_svc["spec"]["type"], "NodePort");
    assert!(replicas_svc["spec"]["ports"][0].get("nodePort").is_none());
}

#[test]
fn haproxy_tls_offload_from_an_existing_secret() {
    let objects = variant(
        "haproxy-lb",
        "tls-existing-secret",
        &["tls.enabled=true", "tls.existingSecret=shop-tls"],
        &Externals {
            secrets: vec!["shop-tls".into()],
        },
    );
    assert!(!objects.iter().any(|o| o.kind() == "Secret"));
    let data = find(&objects, "ConfigMap", "release-name-haproxy-lb-confd")["data"]["data.yaml"]
        .as_str()
        .unwrap();
    assert!(data.contains("enabled: \"true\""), "{data}");
    let deploy = find(&objects, "Deployment", "release-name-haproxy-lb");
    let pod = &deploy["spec"]["template"]["spec"];
    assert_eq!(pod["shareProcessNamespace"], true);
    assert_eq!(pod["initContainers"][0]["name"], "confd-init");
    assert!(
        container(deploy, "confd")["args"]
            .as_array()
            .unwrap()
            .contains(&json!("-interval"))
    );
}

#[test]
fn crystal_www_example_ingress() {
    let objects = variant(
        "crystal-www-example",
        "ingress",
        &["ingress.enabled=true", "ingress.tlsSecret=www-tls"],
        &Externals {
            secrets: vec!["www-tls".into()],
        },
    );
    let ingress = find(&objects, "Ingress", "release-name-crystal-www-example");
    assert_eq!(ingress["spec"]["rules"][0]["host"], "www.example.com");
}

#[test]
fn required_values_fail_with_their_message() {
    let cases = [
        (
            "redis",
            "auth.enabled=true",
            "auth.password is required when auth.enabled is true",
        ),
        (
            "haproxy-lb",
            "tls.enabled=true",
            "tls.certificate (PEM) is required",
        ),
    ];
    for (chart, set, message) in cases {
        let err = template_error(chart, &["--set", set]);
        assert!(err.contains(message), "{chart} --set {set}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // An empty dnsName never reaches the template's `required`: the schema refuses it first.
    let err = template_error("cloudflare-sync", &["--set", "dnsName="]);
    assert!(err.contains("/dnsName"), "{err}");
}

/// Each object of a personal-cluster render: (subchart, kind, name).
fn by_subchart(objects: &[Object]) -> BTreeSet<(String, String, String)> {
    objects
        .iter()
        .map(|o| {
            let sub = o
                .source
                .strip_prefix("personal-cluster/charts/")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("personal-cluster");
            (sub.to_string(), o.kind().to_string(), o.name().to_string())
        })
        .collect()
}

#[test]
fn personal_cluster_conditions_remove_each_subchart() {
    let all = by_subchart(&checked(
        &template("personal-cluster", &[]),
        "default",
        &Externals::default(),
    ));
    for sub in SUBCHARTS {
        assert!(all.iter().any(|o| o.0 == *sub), "{sub} renders nothing");
    }
    for sub in SUBCHARTS {
        let out = template(
            "personal-cluster",
            &["--set", &format!("{sub}.enabled=false")],
        );
        let objects = checked(&out, "default", &Externals::default());
        let expected: BTreeSet<_> = all.iter().filter(|o| o.0 != *sub).cloned().collect();
        assert_eq!(by_subchart(&objects), expected, "with {sub}.enabled=false");
    }
}

#[test]
fn personal_cluster_crds_follow_the_kube_cert_manager_condition() {
    let crd_source = "personal-cluster/charts/kube-cert-manager/crds/certificate.yaml";
    let out = template("personal-cluster", &["--include-crds"]);
    assert!(out.contains(&format!("# Source: {crd_source}\n")));
    let out = template(
        "personal-cluster",
        &["--include-crds", "--set", "kube-cert-manager.enabled=false"],
    );
    assert!(!out.contains(crd_source), "{out}");
}

#[test]
fn lobsters_certificate_satisfies_the_crd_schema() {
    let out = template("personal-cluster", &["--include-crds"]);
    let (crds, rest): (Vec<&str>, Vec<&str>) = out
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .partition(|d| d.contains("/crds/"));
    assert_eq!(crds.len(), 1);
    let crd: Value = yaml_serde::from_str(crds[0]).unwrap();
    assert_eq!(crd["apiVersion"], "apiextensions.k8s.io/v1");
    let spec = &crd["spec"];
    assert_eq!(
        crd["metadata"]["name"],
        format!(
            "{}.{}",
            spec["names"]["plural"].as_str().unwrap(),
            spec["group"].as_str().unwrap()
        )
    );
    let versions = spec["versions"].as_array().unwrap();
    assert_eq!(versions.iter().filter(|v| v["storage"] == true).count(), 1);
    let schema = &versions[0]["schema"]["openAPIV3Schema"];
    let validator = jsonschema::validator_for(schema).expect("the CRD schema compiles");
    let objects =
        shapes::parse_stream(&rest.iter().map(|d| format!("---\n{d}")).collect::<String>())
            .unwrap();
    let certs: Vec<&Object> = objects
        .iter()
        .filter(|o| o.kind() == "Certificate")
        .collect();
    assert_eq!(certs.len(), 1);
    let errors: Vec<String> = validator
        .iter_errors(&certs[0].value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // And the schema is not vacuous: a Certificate without a domain fails it.
    let mut broken = certs[0].value.clone();
    broken["spec"].as_object_mut().unwrap().remove("domain");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn personal_cluster_global_domain_reaches_every_subchart() {
    let out = template("personal-cluster", &["--set", "global.domain=mine.org"]);
    let objects = checked(&out, "default", &Externals::default());
    let cert = find(&objects, "Certificate", "release-name-lobsters");
    assert_eq!(cert["spec"]["domain"], "lobsters.mine.org");
    assert_eq!(cert["spec"]["email"], "hostmaster@mine.org");
    let www = find(&objects, "Deployment", "release-name-crystal-www-example");
    assert_eq!(
        env(container(www, "www"), "SITE_HOST")["value"],
        "www.mine.org"
    );
    let kcm = find(&objects, "Deployment", "release-name-kube-cert-manager");
    assert!(
        container(kcm, "kube-cert-manager")["args"]
            .as_array()
            .unwrap()
            .contains(&json!("-default-email=hostmaster@mine.org"))
    );
    // Standalone, the same charts fall back to their own domain.
    let alone = checked(
        &template("lobsters", &["--set", "tls.enabled=true"]),
        "default",
        &Externals::default(),
    );
    assert_eq!(
        find(&alone, "Certificate", "release-name-lobsters")["spec"]["domain"],
        "lobsters.example.com"
    );
}

#[test]
fn names_follow_the_release_and_fit_dns_labels() {
    for ChartCase { name: chart, .. } in CHARTS {
        let release = format!("my-{chart}");
        let chart_path = chart_dir(chart);
        let out = rudder(&[
            "template",
            &release,
            chart_path.to_str().unwrap(),
            "--namespace",
            "prod",
        ])
        .unwrap_or_else(|e| panic!("{chart}: {e}"));
        let objects = checked(&out, "prod", &Externals::default());
        for o in &objects {
            assert!(
                o.name().starts_with(&release),
                "{chart}: {} {} does not start with the release name",
                o.kind(),
                o.name()
            );
            assert_eq!(
                o.value["metadata"]["labels"]["app.kubernetes.io/instance"],
                release
            );
        }
        if *chart == "personal-cluster" {
            continue;
        }
        let long = format!("fullnameOverride={}", "a".repeat(70));
        let out = template(chart, &["--set", &long]);
        checked(&out, "default", &Externals::default());
    }
}

#[test]
fn every_chart_passes_strict_lint() {
    let dirs: Vec<PathBuf> = CHARTS.iter().map(|c| chart_dir(c.name)).collect();
    let mut args = vec!["lint", "--strict", "--with-subcharts"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let report = rudder(&args).unwrap_or_else(|e| panic!("rudder lint --strict failed: {e}"));
    let linted = CHARTS.len() + SUBCHARTS.len();
    assert!(
        report.contains(&format!("{linted} chart(s) linted, 0 chart(s) failed")),
        "{report}"
    );
    assert!(
        !report.contains("[WARNING]") && !report.contains("[ERROR]"),
        "{report}"
    );
    for (chart, set) in [
        ("lobsters", "tls.enabled=true"),
        ("monolith", "secure.enabled=true"),
    ] {
        let dir = chart_dir(chart);
        let report = rudder(&["lint", "--strict", dir.to_str().unwrap(), "--set", set])
            .unwrap_or_else(|e| panic!("rudder lint --strict {chart} --set {set}: {e}"));
        assert!(!report.contains("[WARNING]"), "{report}");
    }
}

/// Every file of `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn vendored_subcharts_are_copies_of_their_sources() {
    let vendored_dir = chart_dir("personal-cluster").join("charts");
    let mut vendored: Vec<String> = std::fs::read_dir(&vendored_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    vendored.sort();
    assert_eq!(vendored, SUBCHARTS);
    let fix = "rm -r charts/personal-cluster/charts/NAME && cp -r charts/NAME charts/personal-cluster/charts/";
    for sub in SUBCHARTS {
        let (source, copy) = (chart_dir(sub), vendored_dir.join(sub));
        assert_eq!(
            files(&source),
            files(&copy),
            "{sub}: files differ; fix: {fix}"
        );
        for f in files(&source) {
            assert!(
                std::fs::read(source.join(&f)).unwrap() == std::fs::read(copy.join(&f)).unwrap(),
                "{sub}/{}: the vendored copy differs; fix: {fix}",
                f.display()
            );
        }
    }
}

#[test]
fn helm_accepts_every_chart_and_its_values() {
    let input: Vec<Value> = CHARTS
        .iter()
        .map(|c| {
            let bad: Value = serde_json::from_str(c.bad_values).unwrap();
            json!({"path": chart_dir(c.name), "bad_values": bad})
        })
        .collect();
    let results = common::oracle("charts.py", &json!({ "charts": input }));
    let results = results.as_array().unwrap();
    for (
        ChartCase {
            name: chart,
            bad_path,
            ..
        },
        r,
    ) in CHARTS.iter().zip(results)
    {
        assert_eq!(r["ok"], true, "Helm cannot load {chart}: {}", r["error"]);
        assert_eq!(r["name"], *chart);
        assert_eq!(r["apiVersion"], "v2");
        for m in r["lint"].as_array().unwrap() {
            assert!(
                m["severity"].as_u64().unwrap() <= 1,
                "helm lint {chart}: {m}"
            );
        }
        assert_eq!(
            r["defaults_error"],
            Value::Null,
            "{chart}: defaults fail the schema"
        );
        let rejected = r["bad_error"].as_str().unwrap_or_default();
        assert!(
            rejected.contains(bad_path),
            "{chart}: Helm should reject the bad values at {bad_path}: {rejected:?}"
        );
    }
    let umbrella = &results[CHARTS
        .iter()
        .position(|c| c.name == "personal-cluster")
        .unwrap()];
    assert_eq!(umbrella["dependencies"], json!(SUBCHARTS));
    for dep in umbrella["declared"].as_array().unwrap() {
        let name = dep["name"].as_str().unwrap();
        assert_eq!(dep["repository"], format!("file://../{name}"));
        assert_eq!(dep["condition"], format!("{name}.enabled"));
    }
}

#[test]
fn rudder_rejects_the_values_helm_rejects() {
    let dir = tempfile::tempdir().unwrap();
    for c in CHARTS {
        let file = dir.path().join(format!("{}.yaml", c.name));
        std::fs::write(&file, c.bad_values).unwrap();
        let err = template_error(c.name, &["-f", file.to_str().unwrap()]);
        assert!(err.contains(c.bad_path), "{}: {err}", c.name);
    }
}

#[test]
fn shape_checks_catch_broken_objects() {
    let out = template("lobsters", &["--set", "tls.enabled=true"]);
    let objects = shapes::parse_stream(&out).unwrap();
    let none = Externals::default();
    assert!(shapes::check(&objects, "default", &none).is_empty());
    let broken = |edit: &dyn Fn(&mut Vec<Object>)| {
        let mut copy = objects.clone();
        edit(&mut copy);
        shapes::check(&copy, "default", &none).join("\n")
    };
    let at = |objects: &mut Vec<Object>, kind: &str| -> usize {
        objects.iter().position(|o| o.kind() == kind).unwrap()
    };
    let p = broken(&|o| {
        let i = at(o, "Service");
        o[i].value["spec"]["selector"]["app.kubernetes.io/name"] = json!("other");
    });
    assert!(
        p.contains("selector matches no rendered pod template"),
        "{p}"
    );
    let p = broken(&|o| {
        let i = at(o, "Service");
        o[i].value["spec"]["ports"][0]["targetPort"] = json!("nope");
    });
    assert!(p.contains("targetPort \"nope\""), "{p}");
    let p = broken(&|o| {
        let i = at(o, "ConfigMap");
        o.remove(i);
    });
    assert!(
        p.contains("ConfigMap \"release-name-lobsters-nginx\""),
        "{p}"
    );
    let p = broken(&|o| {
        let i = at(o, "Deployment");
        let c = &mut o[i].value["spec"]["template"]["spec"]["containers"][0];
        c["resources"]["requests"]["memory"] = json!("2Gi");
        c["livenessProbe"]["httpGet"]["port"] = json!("web");
    });
    assert!(p.contains("requests more memory than its limit"), "{p}");
    assert!(p.contains("livenessProbe uses port \"web\""), "{p}");
    let p = broken(&|o| {
        let i = at(o, "Deployment");
        o[i].value["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("helm.sh/chart");
    });
    assert!(p.contains("lacks the label helm.sh/chart"), "{p}");
    let p = broken(&|o| {
        let i = at(o, "Certificate");
        o.remove(i);
    });
    assert!(p.contains("Secret \"release-name-lobsters-tls\""), "{p}");
}
