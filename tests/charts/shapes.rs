//! Structural checks of the Kubernetes objects a chart renders: required fields per kind, and the
//! references between objects (selectors, named ports, volumes, Secrets and ConfigMaps with their
//! keys, ServiceAccounts, RBAC bindings). No cluster is needed: these are the mistakes that
//! `kubectl apply` or the pods themselves would only reveal at run time. Also the lookups the
//! tests use to reach into rendered objects.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One rendered object and the template it came from.
#[derive(Debug, Clone)]
pub struct Object {
    /// `# Source:` of the document.
    pub source: String,
    /// The parsed document.
    pub value: Value,
}

impl Object {
    /// `kind`.
    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or_default()
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or_default()
    }

    fn label(&self) -> String {
        format!("{} {} ({})", self.kind(), self.name(), self.source)
    }
}

/// The object of a kind and name, which must be among `objects`.
pub fn find<'a>(objects: &'a [Object], kind: &str, name: &str) -> &'a Value {
    &objects
        .iter()
        .find(|o| o.kind() == kind && o.name() == name)
        .unwrap_or_else(|| panic!("no {kind} {name} among the rendered objects"))
        .value
}

/// A container of a workload's pod template, by name.
pub fn container<'a>(pod_owner: &'a Value, name: &str) -> &'a Value {
    pod_owner["spec"]["template"]["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

/// An environment variable of a container, by name.
pub fn env<'a>(container: &'a Value, name: &str) -> &'a Value {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no env {name}"))
}

/// Splits `rudder template` output into objects, parsing each document as YAML.
pub fn parse_stream(stream: &str) -> Result<Vec<Object>, String> {
    let mut objects = Vec::new();
    for doc in stream.split("---\n").filter(|d| !d.trim().is_empty()) {
        let (first, body) = doc.split_once('\n').unwrap_or((doc, ""));
        let source = first
            .strip_prefix("# Source: ")
            .ok_or_else(|| format!("document without a `# Source:` line: {first:?}"))?;
        let value: Value = yaml_serde::from_str(body)
            .map_err(|e| format!("{source}: the rendered YAML does not parse: {e}"))?;
        if !value.is_object() {
            return Err(format!("{source}: the document is not a map"));
        }
        objects.push(Object {
            source: source.to_string(),
            value,
        });
    }
    Ok(objects)
}

/// What one release's objects may reference without rendering it themselves.
#[derive(Debug, Clone, Default)]
pub struct Externals {
    /// Secrets created outside the release (an `existingSecret` value).
    pub secrets: Vec<String>,
}

/// Checks every object of one release; returns every problem found (empty when all is well).
pub fn check(objects: &[Object], namespace: &str, externals: &Externals) -> Vec<String> {
    let mut problems = Vec::new();
    let index = Index::new(objects, externals);
    let mut seen = BTreeSet::new();
    for o in objects {
        let mut p = Problems {
            at: o.label(),
            list: &mut problems,
        };
        if !seen.insert((o.kind().to_string(), o.name().to_string())) {
            p.add("is rendered twice");
        }
        check_common(o, &mut p);
        let v = &o.value;
        match o.kind() {
            "Deployment" | "DaemonSet" | "ReplicationController" => {
                check_workload(o, &index, &mut p)
            }
            "Service" => check_service(v, &index, &mut p),
            "ConfigMap" => check_config_map(v, &mut p),
            "Secret" => check_secret(v, &mut p),
            "PersistentVolumeClaim" => check_pvc(v, &mut p),
            "ClusterRole" => check_cluster_role(v, &mut p),
            "ClusterRoleBinding" => check_binding(v, &index, namespace, &mut p),
            "Ingress" => check_ingress(v, &index, &mut p),
            "Certificate" => check_certificate(v, &mut p),
            "ServiceAccount" => {}
            other => p.add(&format!("kind {other:?} is not known to these checks")),
        }
    }
    problems
}

struct Problems<'a> {
    at: String,
    list: &'a mut Vec<String>,
}

impl Problems<'_> {
    fn add(&mut self, what: &str) {
        self.list.push(format!("{}: {what}", self.at));
    }
}

/// Names and contents of the objects others refer to.
struct Index<'a> {
    config_maps: BTreeMap<&'a str, &'a Value>,
    secrets: BTreeMap<&'a str, Option<&'a Value>>,
    service_accounts: BTreeSet<&'a str>,
    cluster_roles: BTreeSet<&'a str>,
    claims: BTreeSet<&'a str>,
    services: BTreeMap<&'a str, &'a Value>,
    /// Pod templates: (labels, container port names).
    pods: Vec<(&'a Map<String, Value>, BTreeSet<String>)>,
}

impl<'a> Index<'a> {
    fn new(objects: &'a [Object], externals: &'a Externals) -> Self {
        let mut ix = Index {
            config_maps: BTreeMap::new(),
            secrets: BTreeMap::new(),
            service_accounts: BTreeSet::new(),
            cluster_roles: BTreeSet::new(),
            claims: BTreeSet::new(),
            services: BTreeMap::new(),
            pods: Vec::new(),
        };
        for s in &externals.secrets {
            ix.secrets.insert(s.as_str(), None);
        }
        for o in objects {
            let v = &o.value;
            match o.kind() {
                "ConfigMap" => {
                    ix.config_maps.insert(o.name(), &v["data"]);
                }
                "Secret" => {
                    ix.secrets.insert(o.name(), Some(&v["data"]));
                }
                // kube-cert-manager writes the Secret a Certificate names.
                "Certificate" => {
                    if let Some(s) = v["spec"]["secretName"].as_str() {
                        ix.secrets.insert(s, None);
                    }
                }
                "ServiceAccount" => {
                    ix.service_accounts.insert(o.name());
                }
                "ClusterRole" => {
                    ix.cluster_roles.insert(o.name());
                }
                "PersistentVolumeClaim" => {
                    ix.claims.insert(o.name());
                }
                "Service" => {
                    ix.services.insert(o.name(), v);
                }
                "Deployment" | "DaemonSet" | "ReplicationController" => {
                    let t = &v["spec"]["template"];
                    if let Some(labels) = t["metadata"]["labels"].as_object() {
                        let ports = containers(&t["spec"])
                            .flat_map(|c| array(&c["ports"]))
                            .filter_map(|p| p["name"].as_str().map(str::to_string))
                            .collect();
                        ix.pods.push((labels, ports));
                    }
                }
                _ => {}
            }
        }
        ix
    }

    /// The named ports of the pods `selector` selects; `None` when it selects no pod.
    fn selected_ports(&self, selector: &Map<String, Value>) -> Option<BTreeSet<String>> {
        let mut found = None;
        for (labels, ports) in &self.pods {
            if is_subset(selector, labels) {
                found
                    .get_or_insert_with(BTreeSet::new)
                    .extend(ports.iter().cloned());
            }
        }
        found
    }

    /// Checks that a Secret exists and, when its data is known, holds `key`.
    fn secret_key(&self, name: &str, key: Option<&str>, p: &mut Problems) {
        match self.secrets.get(name) {
            None => p.add(&format!("refers to Secret {name:?}, which is not rendered")),
            Some(Some(data)) => {
                if let Some(k) = key
                    && data.get(k).is_none()
                {
                    p.add(&format!(
                        "refers to key {k:?} of Secret {name:?}, which it lacks"
                    ));
                }
            }
            Some(None) => {}
        }
    }

    fn config_map_key(&self, name: &str, key: Option<&str>, p: &mut Problems) {
        match self.config_maps.get(name) {
            None => p.add(&format!(
                "refers to ConfigMap {name:?}, which is not rendered"
            )),
            Some(data) => {
                if let Some(k) = key
                    && data.get(k).is_none()
                {
                    p.add(&format!(
                        "refers to key {k:?} of ConfigMap {name:?}, which it lacks"
                    ));
                }
            }
        }
    }
}

fn array(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

fn containers(pod_spec: &Value) -> impl Iterator<Item = &Value> {
    array(&pod_spec["initContainers"]).chain(array(&pod_spec["containers"]))
}

fn is_subset(small: &Map<String, Value>, big: &Map<String, Value>) -> bool {
    small.iter().all(|(k, v)| big.get(k) == Some(v))
}

/// Lowercase alphanumerics and `-`, not at the ends.
fn is_dns_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 label: what Service, container and port names must be.
fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && is_dns_word(s)
}

/// A DNS-1123 subdomain as Kubernetes checks object names: 253 characters at most (the parts
/// between dots are not limited to 63).
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_word)
}

/// A host name: dot-separated DNS labels.
fn is_host_name(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A valid label value: at most 63 characters, alphanumerics with `-_.` inside.
fn is_label_value(s: &str) -> bool {
    s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && s.bytes().next().is_none_or(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_none_or(|b| b.is_ascii_alphanumeric())
}

fn is_port(v: &Value) -> bool {
    v.as_u64().is_some_and(|n| (1..=65535).contains(&n))
}

/// The API version each kind must use.
fn expected_api_version(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Deployment" | "DaemonSet" => "apps/v1",
        "ReplicationController"
        | "Service"
        | "ConfigMap"
        | "Secret"
        | "ServiceAccount"
        | "PersistentVolumeClaim" => "v1",
        "ClusterRole" | "ClusterRoleBinding" => "rbac.authorization.k8s.io/v1",
        "Ingress" => "networking.k8s.io/v1",
        "Certificate" => "stable.k8s.psg.io/v1",
        _ => return None,
    })
}

const STANDARD_LABELS: &[&str] = &[
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
];

fn check_common(o: &Object, p: &mut Problems) {
    let v = &o.value;
    match (v["apiVersion"].as_str(), expected_api_version(o.kind())) {
        (Some(got), Some(want)) if got != want => {
            p.add(&format!("apiVersion is {got:?}, want {want:?}"))
        }
        (None, _) => p.add("has no apiVersion"),
        _ => {}
    }
    let name = o.name();
    let name_ok = if o.kind() == "Service" {
        is_dns_label(name) && name.starts_with(|c: char| c.is_ascii_lowercase())
    } else {
        is_dns_subdomain(name)
    };
    if !name_ok {
        p.add(&format!(
            "metadata.name {name:?} is not a valid name for its kind"
        ));
    }
    if v["metadata"].get("namespace").is_some() {
        p.add("sets metadata.namespace (the release namespace applies)");
    }
    let labels = v["metadata"]["labels"].as_object();
    for key in STANDARD_LABELS {
        if labels.and_then(|l| l.get(*key)).is_none() {
            p.add(&format!("lacks the label {key}"));
        }
    }
    if let Some(labels) = labels {
        if labels
            .get("app.kubernetes.io/managed-by")
            .is_some_and(|m| m != "rudder")
        {
            p.add("app.kubernetes.io/managed-by is not Release.Service (rudder)");
        }
        check_labels(labels, p);
    }
    if let Some(annotations) = v["metadata"]["annotations"].as_object() {
        for (k, a) in annotations {
            if !a.is_string() {
                p.add(&format!("annotation {k} is not a string"));
            }
        }
    }
}

fn check_labels(labels: &Map<String, Value>, p: &mut Problems) {
    for (k, l) in labels {
        match l.as_str() {
            Some(s) if is_label_value(s) => {}
            _ => p.add(&format!("label {k}={l} is not a valid label value")),
        }
    }
}

fn check_workload(o: &Object, ix: &Index, p: &mut Problems) {
    let spec = &o.value["spec"];
    let template_labels = spec["template"]["metadata"]["labels"].as_object();
    let selector = if o.kind() == "ReplicationController" {
        spec["selector"].as_object()
    } else {
        spec["selector"]["matchLabels"].as_object()
    };
    match (selector, template_labels) {
        (Some(s), Some(t)) if !s.is_empty() && is_subset(s, t) => check_labels(t, p),
        _ => p.add("its selector is empty or does not match its pod template's labels"),
    }
    match o.kind() {
        "Deployment" => {
            let strategy = &spec["strategy"];
            match strategy["type"].as_str() {
                None | Some("RollingUpdate") => {}
                Some("Recreate") if strategy.get("rollingUpdate").is_none() => {}
                other => p.add(&format!("invalid strategy {other:?}")),
            }
        }
        "DaemonSet" => {
            if !matches!(
                spec["updateStrategy"]["type"].as_str(),
                None | Some("RollingUpdate") | Some("OnDelete")
            ) {
                p.add("invalid updateStrategy.type");
            }
            if spec.get("replicas").is_some() {
                p.add("a DaemonSet has no replicas");
            }
        }
        _ => {}
    }
    if o.kind() != "DaemonSet" && !spec["replicas"].is_u64() {
        p.add("spec.replicas is not a non-negative integer");
    }
    check_pod(&spec["template"]["spec"], ix, p);
}

fn check_pod(pod: &Value, ix: &Index, p: &mut Problems) {
    let host_network = pod["hostNetwork"] == Value::Bool(true);
    if host_network && pod["dnsPolicy"] != "ClusterFirstWithHostNet" {
        p.add("hostNetwork pods need dnsPolicy ClusterFirstWithHostNet to resolve Services");
    }
    if let Some(sa) = pod["serviceAccountName"].as_str()
        && sa != "default"
        && !ix.service_accounts.contains(sa)
    {
        p.add(&format!(
            "runs as ServiceAccount {sa:?}, which is not rendered"
        ));
    }
    let volumes: BTreeMap<&str, &Value> = array(&pod["volumes"])
        .filter_map(|v| Some((v["name"].as_str()?, v)))
        .collect();
    let mut mounted = BTreeSet::new();
    if array(&pod["containers"]).next().is_none() {
        p.add("has no containers");
    }
    let mut names = BTreeSet::new();
    for c in containers(pod) {
        let name = c["name"].as_str().unwrap_or_default();
        if !is_dns_label(name) || !names.insert(name) {
            p.add(&format!("container name {name:?} is invalid or repeated"));
        }
        let mut cp = Problems {
            at: format!("{}, container {name}", p.at),
            list: p.list,
        };
        check_container(c, host_network, ix, &mut cp);
        for m in array(&c["volumeMounts"]) {
            let vol = m["name"].as_str().unwrap_or_default();
            mounted.insert(vol);
            if !volumes.contains_key(vol) {
                cp.add(&format!(
                    "mounts volume {vol:?}, which the pod does not define"
                ));
            }
            if !m["mountPath"].as_str().is_some_and(|s| s.starts_with('/')) {
                cp.add(&format!("volume {vol:?} has no absolute mountPath"));
            }
        }
    }
    for (name, v) in &volumes {
        if !mounted.contains(name) {
            p.add(&format!("volume {name:?} is never mounted"));
        }
        check_volume(v, ix, p);
    }
}

fn check_volume(v: &Value, ix: &Index, p: &mut Problems) {
    let items = |src: &Value| -> Vec<String> {
        array(&src["items"])
            .filter_map(|i| i["key"].as_str().map(str::to_string))
            .collect()
    };
    if let Some(cm) = v.get("configMap") {
        let name = cm["name"].as_str().unwrap_or_default();
        ix.config_map_key(name, None, p);
        for key in items(cm) {
            ix.config_map_key(name, Some(&key), p);
        }
    } else if let Some(s) = v.get("secret") {
        let name = s["secretName"].as_str().unwrap_or_default();
        ix.secret_key(name, None, p);
        for key in items(s) {
            ix.secret_key(name, Some(&key), p);
        }
    } else if let Some(c) = v.get("persistentVolumeClaim") {
        let name = c["claimName"].as_str().unwrap_or_default();
        if !ix.claims.contains(name) {
            p.add(&format!(
                "uses PersistentVolumeClaim {name:?}, which is not rendered"
            ));
        }
    } else if v.get("emptyDir").is_none() {
        p.add(&format!("volume {} has an unexpected source", v["name"]));
    }
}

fn check_container(c: &Value, host_network: bool, ix: &Index, p: &mut Problems) {
    if !c["image"]
        .as_str()
        .is_some_and(|i| !i.is_empty() && !i.ends_with(':'))
    {
        p.add("has no image (or an empty tag)");
    }
    let mut port_names = BTreeSet::new();
    for port in array(&c["ports"]) {
        if !is_port(&port["containerPort"]) {
            p.add(&format!(
                "containerPort {} is not a port",
                port["containerPort"]
            ));
        }
        if let Some(n) = port["name"].as_str()
            && (n.len() > 15 || !is_dns_label(n) || !port_names.insert(n.to_string()))
        {
            p.add(&format!("port name {n:?} is invalid or repeated"));
        }
        if host_network
            && port.get("hostPort").is_some()
            && port["hostPort"] != port["containerPort"]
        {
            p.add("with hostNetwork, hostPort must equal containerPort");
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(pr) = c.get(probe) else { continue };
        let handlers: Vec<&str> = ["httpGet", "tcpSocket", "exec", "grpc"]
            .into_iter()
            .filter(|h| pr.get(*h).is_some())
            .collect();
        if handlers.len() != 1 {
            p.add(&format!(
                "{probe} needs exactly one handler, has {handlers:?}"
            ));
        }
        for h in ["httpGet", "tcpSocket"] {
            let port = &pr[h]["port"];
            if let Some(name) = port.as_str()
                && !port_names.contains(name)
            {
                p.add(&format!(
                    "{probe} uses port {name:?}, which the container lacks"
                ));
            } else if !port.is_null() && !port.is_string() && !is_port(port) {
                p.add(&format!("{probe} port {port} is invalid"));
            }
        }
        if pr["httpGet"]
            .get("path")
            .is_some_and(|x| !x.as_str().is_some_and(|s| s.starts_with('/')))
        {
            p.add(&format!("{probe} path must start with /"));
        }
    }
    check_resources(&c["resources"], p);
    let mut env_names = BTreeSet::new();
    for e in array(&c["env"]) {
        let name = e["name"].as_str().unwrap_or_default();
        let valid = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.starts_with(|ch: char| ch.is_ascii_digit());
        if !valid || !env_names.insert(name.to_string()) {
            p.add(&format!("env name {name:?} is invalid or repeated"));
        }
        if e.get("value").is_some_and(|v| !v.is_string()) {
            p.add(&format!("env {name} has a non-string value"));
        }
        if let Some(r) = e["valueFrom"].get("secretKeyRef") {
            ix.secret_key(r["name"].as_str().unwrap_or_default(), r["key"].as_str(), p);
        }
        if let Some(r) = e["valueFrom"].get("configMapKeyRef") {
            ix.config_map_key(r["name"].as_str().unwrap_or_default(), r["key"].as_str(), p);
        }
    }
    for e in array(&c["envFrom"]) {
        if let Some(r) = e.get("secretRef") {
            ix.secret_key(r["name"].as_str().unwrap_or_default(), None, p);
        }
        if let Some(r) = e.get("configMapRef") {
            ix.config_map_key(r["name"].as_str().unwrap_or_default(), None, p);
        }
    }
    // `$(VAR)` in command/args expands only variables defined in `env`.
    for arg in array(&c["command"]).chain(array(&c["args"])) {
        let Some(s) = arg.as_str() else {
            p.add(&format!("command/args entry {arg} is not a string"));
            continue;
        };
        let mut rest = s;
        while let Some(start) = rest.find("$(") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            if !env_names.contains(&after[..end]) {
                p.add(&format!(
                    "argument {s:?} uses $({}), which env lacks",
                    &after[..end]
                ));
            }
            rest = &after[end..];
        }
    }
    if let Some(pre) = c["lifecycle"].get("preStop")
        && !pre["exec"]["command"].is_array()
        && pre.get("httpGet").is_none()
        && pre.get("sleep").is_none()
    {
        p.add("preStop hook without a handler");
    }
}

/// Requests and limits for cpu and memory, requests not above limits.
fn check_resources(r: &Value, p: &mut Problems) {
    for res in ["cpu", "memory"] {
        let request = quantity(&r["requests"][res]);
        let limit = quantity(&r["limits"][res]);
        match (request, limit) {
            (Some(req), Some(lim)) if req <= lim => {}
            (Some(_), Some(_)) => p.add(&format!("requests more {res} than its limit")),
            _ => p.add(&format!("lacks a valid {res} request and limit")),
        }
    }
}

/// A Kubernetes quantity (`250m`, `1`, `0.5`, `64Mi`, `1Gi`, `1k`) as a number.
fn quantity(v: &Value) -> Option<f64> {
    if let Some(n) = v.as_f64() {
        return Some(n);
    }
    let s = v.as_str()?;
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("m", 0.001),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(num) = s.strip_suffix(suffix) {
            return num.parse::<f64>().ok().map(|n| n * factor);
        }
    }
    s.parse().ok()
}

fn check_service(v: &Value, ix: &Index, p: &mut Problems) {
    let spec = &v["spec"];
    let kind = spec["type"].as_str().unwrap_or("ClusterIP");
    if !matches!(kind, "ClusterIP" | "NodePort" | "LoadBalancer") {
        p.add(&format!("type {kind:?} is unexpected"));
    }
    let selected = match spec["selector"].as_object() {
        Some(s) if !s.is_empty() => {
            check_labels(s, p);
            let ports = ix.selected_ports(s);
            if ports.is_none() {
                p.add("its selector matches no rendered pod template");
            }
            ports
        }
        _ => {
            p.add("has no selector");
            None
        }
    };
    let ports: Vec<&Value> = array(&spec["ports"]).collect();
    if ports.is_empty() {
        p.add("has no ports");
    }
    let mut names = BTreeSet::new();
    for port in ports {
        if !is_port(&port["port"]) {
            p.add(&format!("port {} is not a port", port["port"]));
        }
        if !names.insert(port["name"].as_str().unwrap_or_default()) {
            p.add("port names are missing or repeated");
        }
        match &port["targetPort"] {
            Value::String(name) => {
                if let Some(sel) = &selected
                    && !sel.contains(name)
                {
                    p.add(&format!(
                        "targetPort {name:?} is no port of the selected pods"
                    ));
                }
            }
            t if !t.is_null() && !is_port(t) => p.add(&format!("targetPort {t} is invalid")),
            _ => {}
        }
        if let Some(np) = port.get("nodePort") {
            let in_range = np.as_u64().is_some_and(|n| (30000..=32767).contains(&n));
            if kind == "ClusterIP" || !in_range {
                p.add(&format!("nodePort {np} is invalid for a {kind} Service"));
            }
        }
    }
}

fn check_config_map(v: &Value, p: &mut Problems) {
    match v["data"].as_object() {
        Some(data) if !data.is_empty() => {
            for (k, d) in data {
                if !is_data_key(k) || !d.is_string() {
                    p.add(&format!("data key {k:?} is invalid or not a string"));
                }
            }
        }
        _ => p.add("has no data"),
    }
}

fn is_data_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn check_secret(v: &Value, p: &mut Problems) {
    use base64::Engine as _;
    if v["type"].as_str().is_none() {
        p.add("has no type");
    }
    match v["data"].as_object() {
        Some(data) if !data.is_empty() => {
            for (k, d) in data {
                let decodes = d
                    .as_str()
                    .is_some_and(|s| base64::engine::general_purpose::STANDARD.decode(s).is_ok());
                if !is_data_key(k) || !decodes {
                    p.add(&format!(
                        "data key {k:?} is invalid or its value is not base64"
                    ));
                }
            }
        }
        _ => p.add("has no data"),
    }
}

fn check_pvc(v: &Value, p: &mut Problems) {
    let spec = &v["spec"];
    if array(&spec["accessModes"]).next().is_none() {
        p.add("has no accessModes");
    }
    if quantity(&spec["resources"]["requests"]["storage"]).is_none() {
        p.add("requests no storage size");
    }
}

fn check_cluster_role(v: &Value, p: &mut Problems) {
    const VERBS: &[&str] = &[
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
    ];
    let rules: Vec<&Value> = array(&v["rules"]).collect();
    if rules.is_empty() {
        p.add("has no rules");
    }
    for r in rules {
        let non_empty = |k: &str| array(&r[k]).next().is_some();
        if !non_empty("apiGroups") || !non_empty("resources") || !non_empty("verbs") {
            p.add("a rule lacks apiGroups, resources or verbs");
        }
        for verb in array(&r["verbs"]) {
            if !verb.as_str().is_some_and(|s| VERBS.contains(&s)) {
                p.add(&format!("unknown verb {verb}"));
            }
        }
    }
}

fn check_binding(v: &Value, ix: &Index, namespace: &str, p: &mut Problems) {
    let role = &v["roleRef"];
    if role["kind"] != "ClusterRole"
        || role["apiGroup"] != "rbac.authorization.k8s.io"
        || !role["name"]
            .as_str()
            .is_some_and(|n| ix.cluster_roles.contains(n))
    {
        p.add("roleRef is not a rendered ClusterRole");
    }
    let subjects: Vec<&Value> = array(&v["subjects"]).collect();
    if subjects.is_empty() {
        p.add("has no subjects");
    }
    for s in subjects {
        let rendered = s["name"]
            .as_str()
            .is_some_and(|n| ix.service_accounts.contains(n));
        if s["kind"] != "ServiceAccount" || !rendered || s["namespace"] != namespace {
            p.add(&format!(
                "subject {s} is not a rendered ServiceAccount in namespace {namespace}"
            ));
        }
    }
}

fn check_ingress(v: &Value, ix: &Index, p: &mut Problems) {
    let rules: Vec<&Value> = array(&v["spec"]["rules"]).collect();
    if rules.is_empty() {
        p.add("has no rules");
    }
    for r in rules {
        if !r["host"].as_str().is_some_and(is_host_name) {
            p.add(&format!("host {} is not a DNS name", r["host"]));
        }
        for path in array(&r["http"]["paths"]) {
            let svc = &path["backend"]["service"];
            let name = svc["name"].as_str().unwrap_or_default();
            let Some(service) = ix.services.get(name) else {
                p.add(&format!(
                    "routes to Service {name:?}, which is not rendered"
                ));
                continue;
            };
            let port = &svc["port"];
            let has_port = array(&service["spec"]["ports"])
                .any(|sp| sp["name"] == port["name"] || sp["port"] == port["number"]);
            if !has_port {
                p.add(&format!("routes to port {port} that Service {name} lacks"));
            }
            if !matches!(
                path["pathType"].as_str(),
                Some("Prefix" | "Exact" | "ImplementationSpecific")
            ) {
                p.add("a path has no valid pathType");
            }
        }
    }
    for t in array(&v["spec"]["tls"]) {
        ix.secret_key(t["secretName"].as_str().unwrap_or_default(), None, p);
    }
}

fn check_certificate(v: &Value, p: &mut Problems) {
    let spec = &v["spec"];
    if !spec["domain"].as_str().is_some_and(is_host_name) {
        p.add(&format!("spec.domain {} is not a DNS name", spec["domain"]));
    }
    if !spec["secretName"].as_str().is_some_and(is_dns_subdomain) {
        p.add("spec.secretName is not a valid Secret name");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity(&Value::from("250m")), Some(0.25));
        assert_eq!(quantity(&Value::from("64Mi")), Some(67108864.0));
        assert_eq!(quantity(&Value::from(2)), Some(2.0));
        assert_eq!(quantity(&Value::from("lots")), None);
    }
}
