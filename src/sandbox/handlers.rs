//! The verbs on resources: get, list, create, update (PUT), patch, delete and deletecollection,
//! including the `/status` subresource, dry runs, optimistic concurrency, namespaces that must
//! exist, deny rules, validation, defaulting and CRDs registering their types. Every write
//! records its field manager in `managedFields` (`?fieldManager=`, else the user agent's
//! product) and then runs the simulated controllers (`super::controllers`). Pure over
//! [`State`]: the HTTP layer locks it, calls [`handle`] and writes the reply.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::controllers::{self, Clock};
use super::deny::{self, Attributes, DenyRule};
use super::errors::ApiError;
use super::errors::FieldError;
use super::patch::record_update;
use super::patching::{PatchRequest, patch_object};
use super::registry::{Registry, ResourceType};
use super::request::{Target, decode_body};
use super::selector::{FieldSelector, LabelSelector, extra_fields};
use super::simulate::{SIMULATE_ANNOTATION, simulation_of};
use super::store::now_rfc3339;
use super::store::{ObjectKey, Store};
use super::{defaults, validate};

/// The namespaces a fresh cluster has.
pub const INITIAL_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Everything a request reads or changes.
#[derive(Debug)]
pub struct State {
    /// Served types.
    pub registry: Registry,
    /// Objects.
    pub store: Store,
    /// Requests refused with 403.
    pub deny: Vec<DenyRule>,
    /// The user named in 403 messages.
    pub user: String,
    /// The last allocated Service IP (host part).
    pub next_ip: u32,
    /// When each simulated object last changed (drives `delay=` simulations).
    pub clock: Clock,
}

impl State {
    /// A fresh cluster: the built-in types and the initial namespaces.
    pub fn new(user: &str) -> Self {
        let mut state = State {
            registry: Registry::builtin(),
            store: Store::new(),
            deny: Vec::new(),
            user: user.to_string(),
            next_ip: 0,
            clock: Clock::default(),
        };
        let ns = state
            .registry
            .find("", "v1", "namespaces")
            .cloned()
            .expect("namespaces");
        for name in INITIAL_NAMESPACES {
            let mut obj =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            defaults::apply(&ns, &mut obj, None, &mut state.next_ip);
            state
                .store
                .create(ObjectKey::new("", "namespaces", "", name), obj, false);
        }
        state
    }

    /// A cluster from a persisted store: CRD types are served again and Service IPs continue.
    pub fn from_store(store: Store, user: &str) -> Self {
        let mut state = State {
            registry: Registry::builtin(),
            store,
            deny: Vec::new(),
            user: user.to_string(),
            next_ip: 0,
            clock: Clock::default(),
        };
        let crds: Vec<Value> = state
            .store
            .list("apiextensions.k8s.io", "customresourcedefinitions", None)
            .into_iter()
            .cloned()
            .collect();
        for crd in crds {
            if let (Ok(types), Some(name)) = (
                Registry::crd_types(&crd),
                crd.pointer("/metadata/name").and_then(Value::as_str),
            ) {
                state.registry.set_crd(name, types);
            }
        }
        state.next_ip = state
            .store
            .list("", "services", None)
            .iter()
            .filter_map(|s| s.pointer("/spec/clusterIP").and_then(Value::as_str))
            .filter_map(|ip| {
                let parts: Vec<u32> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
                (parts.len() == 4).then(|| (parts[2] << 8) | parts[3])
            })
            .max()
            .unwrap_or(0);
        controllers::adopt(&mut state);
        state
    }

    /// Refuses the request with 403 if a deny rule matches.
    pub fn authorize(&self, a: &Attributes<'_>) -> Result<(), ApiError> {
        if self.deny.iter().any(|r| r.matches(a)) {
            return Err(deny::forbidden(&self.user, a));
        }
        Ok(())
    }
}

/// One resource request, already routed.
#[derive(Debug)]
pub struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// What the path names.
    pub target: &'a Target,
    /// Query parameters.
    pub query: &'a HashMap<String, String>,
    /// `Content-Type` of the body.
    pub content_type: &'a str,
    /// The body.
    pub body: &'a [u8],
    /// The `User-Agent` header (names the field manager when `fieldManager` is not given).
    pub user_agent: &'a str,
}

impl Request<'_> {
    /// The field manager of a write: `?fieldManager=`, else the user agent up to its first `/`
    /// (`kubectl`, `Helm`), as the API server derives it.
    pub fn manager(&self) -> String {
        match self.query.get("fieldManager").filter(|m| !m.is_empty()) {
            Some(m) => m.clone(),
            None => self.user_agent.split('/').next().unwrap_or("").to_string(),
        }
    }
}

/// A successful reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status (200, 201).
    pub code: u16,
    /// The JSON body.
    pub body: Value,
    /// Whether stored state changed (so it is persisted).
    pub changed: bool,
}

fn ok(code: u16, body: Value, changed: bool) -> Result<Reply, ApiError> {
    Ok(Reply {
        code,
        body,
        changed,
    })
}

/// The Kubernetes verb of a request (`list` for a collection GET, `deletecollection` ...).
pub fn verb(method: &str, target: &Target, query: &HashMap<String, String>) -> &'static str {
    let item = target.name.is_some();
    match method {
        "GET" | "HEAD" if !item && is_true(query.get("watch")) => "watch",
        "GET" | "HEAD" => {
            if item {
                "get"
            } else {
                "list"
            }
        }
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => {
            if item {
                "delete"
            } else {
                "deletecollection"
            }
        }
        _ => "unknown",
    }
}

/// Whether a query flag is set (`true`, `1`).
pub fn is_true(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("true" | "1"))
}

/// The authorizer's view of a request.
pub fn attributes<'a>(verb: &'a str, target: &'a Target, resource: &'a str) -> Attributes<'a> {
    Attributes {
        verb,
        group: &target.rt.group,
        resource,
        namespace: target.namespace.as_deref().filter(|_| target.rt.namespaced),
        name: target.name.as_deref(),
    }
}

/// Handles one request.
pub fn handle(state: &mut State, req: &Request<'_>) -> Result<Reply, ApiError> {
    let t = req.target;
    let v = verb(req.method, t, req.query);
    let resource = match &t.subresource {
        Some(sub) => format!("{}/{sub}", t.rt.plural),
        None => t.rt.plural.clone(),
    };
    state.authorize(&attributes(v, t, &resource))?;
    let dry_run = req.query.get("dryRun").is_some_and(|d| d == "All");
    match v {
        "get" => get(state, t),
        "list" => list(state, t, req.query),
        "create" => {
            let obj = decode_body(req.content_type, req.body)?;
            create(state, t, obj, &req.manager(), dry_run)
        }
        "update" => {
            let obj = decode_body(req.content_type, req.body)?;
            update(state, t, obj, &req.manager(), dry_run)
        }
        "patch" => patch(state, req, dry_run),
        "delete" => {
            let opts = if req.body.iter().all(u8::is_ascii_whitespace) {
                json!({})
            } else {
                decode_body(req.content_type, req.body)?
            };
            delete(state, t, &opts, dry_run || opts_dry_run(&opts))
        }
        "deletecollection" => delete_collection(state, t, req.query, dry_run),
        _ => Err(ApiError::method_not_allowed(req.method)),
    }
}

fn opts_dry_run(opts: &Value) -> bool {
    opts.get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|d| d == "All"))
}

fn key(t: &Target, name: &str) -> ObjectKey {
    let ns = if t.rt.namespaced {
        t.namespace.as_deref().unwrap_or("")
    } else {
        ""
    };
    ObjectKey::new(&t.rt.group, &t.rt.plural, ns, name)
}

/// The object as served at the target's version (CRD objects may be stored under another).
fn present(rt: &ResourceType, mut obj: Value) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(rt.api_version()));
        m.insert("kind".into(), json!(rt.kind));
    }
    obj
}

fn get(state: &State, t: &Target) -> Result<Reply, ApiError> {
    let name = t.name.as_deref().unwrap_or("");
    let obj = state
        .store
        .get(&key(t, name))
        .ok_or_else(|| ApiError::not_found(&t.rt.group, &t.rt.plural, name))?;
    ok(200, present(&t.rt, obj.clone()), false)
}

/// The objects of a collection request matching its selectors.
pub fn select(
    state: &State,
    t: &Target,
    query: &HashMap<String, String>,
) -> Result<Vec<Value>, ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))
        .map_err(|e| ApiError::bad_request(e.0))?;
    let fields = FieldSelector::parse(
        query.get("fieldSelector").map_or("", String::as_str),
        extra_fields(&t.rt.kind),
    )
    .map_err(|e| ApiError::bad_request(e.0))?;
    let ns = t.namespace.as_deref().filter(|_| t.rt.namespaced);
    Ok(state
        .store
        .list(&t.rt.group, &t.rt.plural, ns)
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .map(|o| present(&t.rt, o.clone()))
        .collect())
}

fn list(state: &State, t: &Target, query: &HashMap<String, String>) -> Result<Reply, ApiError> {
    let items = select(state, t, query)?;
    ok(
        200,
        json!({
            "kind": t.rt.list_kind(),
            "apiVersion": t.rt.api_version(),
            "metadata": {"resourceVersion": state.store.revision().to_string()},
            "items": items,
        }),
        false,
    )
}

/// Checks apiVersion/kind of a body against the path and fills them in.
fn check_type(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the request body is not a JSON object",
        ));
    }
    let api_version = rt.api_version();
    if let Some(given) = obj.get("apiVersion").and_then(Value::as_str)
        && !given.is_empty()
        && given != api_version
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({given}) does not match the expected API version ({api_version})"
        )));
    }
    if let Some(given) = obj.get("kind").and_then(Value::as_str)
        && !given.is_empty()
        && given != rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({given}) does not match the expected kind ({})",
            rt.kind
        )));
    }
    *obj = present(rt, std::mem::take(obj));
    Ok(())
}

/// Sets `metadata.namespace` from the path (refusing a different one in the body).
fn place(t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    let meta = super::store::metadata_mut(obj);
    if !t.rt.namespaced {
        meta.remove("namespace");
        return Ok(());
    }
    let path_ns = t.namespace.clone().unwrap_or_default();
    match meta.get("namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() && ns != path_ns => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {
            meta.insert("namespace".into(), json!(path_ns));
            Ok(())
        }
    }
}

fn require_namespace(state: &State, t: &Target) -> Result<(), ApiError> {
    if !t.rt.namespaced {
        return Ok(());
    }
    let ns = t.namespace.as_deref().unwrap_or("");
    if state
        .store
        .get(&ObjectKey::new("", "namespaces", "", ns))
        .is_none()
    {
        return Err(ApiError::not_found("", "namespaces", ns));
    }
    Ok(())
}

fn generate_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let id = uuid::Uuid::new_v4();
    let suffix: String = id.as_bytes()[..5]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}{suffix}")
}

fn obj_name(obj: &Value) -> String {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn create(
    state: &mut State,
    t: &Target,
    mut obj: Value,
    manager: &str,
    dry_run: bool,
) -> Result<Reply, ApiError> {
    if t.name.is_some() {
        return Err(ApiError::method_not_allowed("POST"));
    }
    check_type(&t.rt, &mut obj)?;
    place(t, &mut obj)?;
    if obj_name(&obj).is_empty()
        && let Some(prefix) = obj
            .pointer("/metadata/generateName")
            .and_then(Value::as_str)
        && !prefix.is_empty()
    {
        let name = generate_name(prefix);
        super::store::metadata_mut(&mut obj).insert("name".into(), json!(name));
    }
    store_new(state, t, obj, Some(manager), dry_run)
}

/// The error for an unreadable simulate annotation, if the object has one.
fn simulation_errors(obj: &Value) -> Vec<FieldError> {
    match simulation_of(obj) {
        Ok(_) => Vec::new(),
        Err(message) => {
            let value = obj
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(SIMULATE_ANNOTATION))
                .cloned()
                .unwrap_or(Value::Null);
            vec![FieldError::invalid(
                &format!("metadata.annotations[{SIMULATE_ANNOTATION}]"),
                value,
                message,
            )]
        }
    }
}

/// Validates, defaults and stores a new object (create, or an apply that creates). `manager`
/// is recorded in managedFields as an `Update` (an apply has recorded itself already).
fn store_new(
    state: &mut State,
    t: &Target,
    mut obj: Value,
    manager: Option<&str>,
    dry_run: bool,
) -> Result<Reply, ApiError> {
    let name = obj_name(&obj);
    let mut errors = validate::validate_create(&t.rt, &obj);
    errors.extend(simulation_errors(&obj));
    if !errors.is_empty() {
        return Err(ApiError::invalid(&t.rt.group, &t.rt.kind, &name, &errors));
    }
    require_namespace(state, t)?;
    let k = key(t, &name);
    if state.store.get(&k).is_some() {
        return Err(ApiError::already_exists(&t.rt.group, &t.rt.plural, &name));
    }
    if let Some(m) = obj.as_object_mut()
        && t.rt.kind != "CustomResourceDefinition"
    {
        // A new object has no status of its own until a controller writes one.
        if t.rt.has_status && t.rt.crd.is_none() {
            m.remove("status");
        }
    }
    let crd_types = crd_types(t, &obj, &name)?;
    defaults::apply(&t.rt, &mut obj, None, &mut state.next_ip);
    if let Some(manager) = manager {
        obj = record_update(None, &obj, manager, "Update", &now_rfc3339());
    }
    let stored = state.store.create(k.clone(), obj, dry_run);
    if !dry_run {
        if let Some(types) = crd_types {
            state.registry.set_crd(&name, types);
        }
        controllers::after_write(state, &k, None);
    }
    ok(201, present(&t.rt, stored), !dry_run)
}

fn crd_types(t: &Target, obj: &Value, name: &str) -> Result<Option<Vec<ResourceType>>, ApiError> {
    if t.rt.group != "apiextensions.k8s.io" || t.rt.kind != "CustomResourceDefinition" {
        return Ok(None);
    }
    Registry::crd_types(obj)
        .map(Some)
        .map_err(|errs| ApiError::invalid(&t.rt.group, &t.rt.kind, name, &errs))
}

fn update(
    state: &mut State,
    t: &Target,
    mut obj: Value,
    manager: &str,
    dry_run: bool,
) -> Result<Reply, ApiError> {
    let name = t.name.clone().unwrap_or_default();
    check_type(&t.rt, &mut obj)?;
    place(t, &mut obj)?;
    let body_name = obj_name(&obj);
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    super::store::metadata_mut(&mut obj).insert("name".into(), json!(name));
    let live = state
        .store
        .get(&key(t, &name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(&t.rt.group, &t.rt.plural, &name))?;
    let given_rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !given_rv.is_empty()
        && Some(given_rv)
            != live
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
    {
        return Err(ApiError::conflict(&t.rt.group, &t.rt.plural, &name));
    }
    let status_only = t.subresource.as_deref() == Some("status");
    let obj = scope_to_target(t, &live, obj);
    let manager = (!status_only).then_some(manager);
    store_existing(state, t, &live, obj, manager, dry_run)
}

/// What a write may change: only `status` through the status subresource; everything but
/// `status` through the main resource (where the type has a status subresource).
fn scope_to_target(t: &Target, live: &Value, mut obj: Value) -> Value {
    if t.subresource.as_deref() == Some("status") {
        let mut merged = live.clone();
        merged["status"] = obj.get("status").cloned().unwrap_or(Value::Null);
        return merged;
    }
    if t.rt.has_status
        && let Some(m) = obj.as_object_mut()
    {
        match live.get("status") {
            Some(s) => m.insert("status".into(), s.clone()),
            None => m.remove("status"),
        };
    }
    obj
}

/// Validates, defaults and stores a changed object (update, patch, apply). `manager` is
/// recorded in managedFields as an `Update` (`None`: an apply, already recorded, or a status
/// write, which keeps the live managedFields).
fn store_existing(
    state: &mut State,
    t: &Target,
    live: &Value,
    mut obj: Value,
    manager: Option<&str>,
    dry_run: bool,
) -> Result<Reply, ApiError> {
    let name = obj_name(live);
    defaults::apply(&t.rt, &mut obj, Some(live), &mut state.next_ip);
    let mut errors = validate::validate_create(&t.rt, &obj);
    errors.extend(validate::validate_update(&t.rt, live, &obj));
    errors.extend(simulation_errors(&obj));
    if !errors.is_empty() {
        return Err(ApiError::invalid(&t.rt.group, &t.rt.kind, &name, &errors));
    }
    let crd_types = crd_types(t, &obj, &name)?;
    if let Some(manager) = manager {
        obj = record_update(Some(live), &obj, manager, "Update", &now_rfc3339());
    }
    let k = key(t, &name);
    let stored = state.store.update(k.clone(), obj, dry_run);
    if !dry_run {
        if let Some(types) = crd_types {
            state.registry.set_crd(&name, types);
        }
        controllers::after_write(state, &k, Some(live));
    }
    ok(200, present(&t.rt, stored), !dry_run)
}

fn patch(state: &mut State, req: &Request<'_>, dry_run: bool) -> Result<Reply, ApiError> {
    let t = req.target;
    let name = t.name.clone().unwrap_or_default();
    let live = state.store.get(&key(t, &name)).cloned();
    let is_apply = super::request::media_type(req.content_type) == "application/apply-patch+yaml";
    if live.is_none() && !is_apply {
        return Err(ApiError::not_found(&t.rt.group, &t.rt.plural, &name));
    }
    let manager = req.manager();
    if is_apply && req.query.get("fieldManager").is_none_or(String::is_empty) {
        return Err(ApiError::bad_request(
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
    let mut obj = patch_object(&PatchRequest {
        rt: &t.rt,
        name: &name,
        live: live.as_ref(),
        body: req.body,
        content_type: req.content_type,
        manager: &manager,
        force: is_true(req.query.get("force")),
    })?;
    check_type(&t.rt, &mut obj)?;
    place(t, &mut obj)?;
    let body_name = obj_name(&obj);
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    super::store::metadata_mut(&mut obj).insert("name".into(), json!(name));
    let record = (!is_apply).then_some(manager.as_str());
    let Some(live) = live else {
        return store_new(state, t, obj, record, dry_run);
    };
    let live_rv = live.pointer("/metadata/resourceVersion").cloned();
    match obj.pointer("/metadata/resourceVersion") {
        Some(rv) if Some(rv) != live_rv.as_ref() && !rv.is_null() => {
            return Err(ApiError::conflict(&t.rt.group, &t.rt.plural, &name));
        }
        _ => {}
    }
    let status_only = t.subresource.as_deref() == Some("status");
    let obj = scope_to_target(t, &live, obj);
    let record = record.filter(|_| !status_only);
    store_existing(state, t, &live, obj, record, dry_run)
}

fn delete(state: &mut State, t: &Target, opts: &Value, dry_run: bool) -> Result<Reply, ApiError> {
    let name = t.name.clone().unwrap_or_default();
    let k = key(t, &name);
    let live = state
        .store
        .get(&k)
        .ok_or_else(|| ApiError::not_found(&t.rt.group, &t.rt.plural, &name))?;
    if let Some(pre) = opts.get("preconditions") {
        let want = |f: &str| pre.get(f).and_then(Value::as_str).filter(|s| !s.is_empty());
        let have = |f: &str| {
            live.pointer(&format!("/metadata/{f}"))
                .and_then(Value::as_str)
        };
        for f in ["uid", "resourceVersion"] {
            if let Some(w) = want(f)
                && Some(w) != have(f)
            {
                return Err(ApiError::conflict(&t.rt.group, &t.rt.plural, &name));
            }
        }
    }
    let uid = live
        .pointer("/metadata/uid")
        .cloned()
        .unwrap_or(Value::Null);
    let orphan = opts.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan")
        || opts.get("orphanDependents") == Some(&Value::Bool(true));
    remove(state, &k, !orphan, dry_run);
    let mut details = json!({"name": name, "kind": t.rt.plural, "uid": uid});
    if !t.rt.group.is_empty() {
        details["group"] = json!(t.rt.group);
    }
    ok(
        200,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
        !dry_run,
    )
}

/// Removes an object and what hangs off it: a namespace's objects, a CRD's custom resources,
/// and (unless orphaning) objects whose ownerReferences name it.
pub fn remove(state: &mut State, k: &ObjectKey, cascade: bool, dry_run: bool) {
    let Some(obj) = state.store.delete(k, dry_run) else {
        return;
    };
    if dry_run {
        return;
    }
    let mut dependents: Vec<ObjectKey> = Vec::new();
    if k.group.is_empty() && k.resource == "namespaces" {
        dependents.extend(
            state
                .store
                .keys()
                .filter(|d| d.namespace == k.name)
                .cloned(),
        );
    }
    if k.group == "apiextensions.k8s.io" && k.resource == "customresourcedefinitions" {
        let types: Vec<ResourceType> = state
            .registry
            .types()
            .iter()
            .filter(|t| t.crd.as_deref() == Some(k.name.as_str()))
            .cloned()
            .collect();
        state.registry.remove_crd(&k.name);
        dependents.extend(
            state
                .store
                .keys()
                .filter(|d| {
                    types
                        .iter()
                        .any(|t| t.group == d.group && t.plural == d.resource)
                })
                .cloned(),
        );
    }
    if cascade && let Some(uid) = obj.pointer("/metadata/uid").and_then(Value::as_str) {
        let owned: Vec<ObjectKey> = state
            .store
            .keys()
            .filter(|d| k.namespace.is_empty() || d.namespace == k.namespace)
            .filter(|d| {
                state.store.get(d).is_some_and(|o| {
                    o.pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
                })
            })
            .cloned()
            .collect();
        dependents.extend(owned);
    }
    for d in dependents {
        remove(state, &d, cascade, false);
    }
}

fn delete_collection(
    state: &mut State,
    t: &Target,
    query: &HashMap<String, String>,
    dry_run: bool,
) -> Result<Reply, ApiError> {
    let items = select(state, t, query)?;
    for item in &items {
        let k = key(
            &Target {
                namespace: item
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .map(String::from),
                ..t.clone()
            },
            &obj_name(item),
        );
        remove(state, &k, true, dry_run);
    }
    ok(
        200,
        json!({"kind": t.rt.list_kind(), "apiVersion": t.rt.api_version(), "metadata": {}, "items": items}),
        !dry_run && !items.is_empty(),
    )
}
