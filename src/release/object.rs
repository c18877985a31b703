//! The Kubernetes object that stores one release revision, as Helm's `secret` and `configmap`
//! drivers write it: name `sh.helm.release.v1.<name>.v<version>`, labels `name`, `owner=helm`,
//! `status`, `version` plus `createdAt` (on create) or `modifiedAt` (on update) and the
//! release's own labels; a Secret has type `helm.sh/release.v1`. `data.release` holds the
//! [`encode`](super::encode)d release (for a Secret, base64'd once more, as Secret data is bytes).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::{Release, ReleaseError, decode, encode};

/// The prefix of every storage object name (Helm's `HelmStorageType`).
pub const NAME_PREFIX: &str = "sh.helm.release.v1";
/// The `type` of a release Secret.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The `owner` label value marking Helm release objects.
pub const OWNER: &str = "helm";
/// The labels the drivers own; a release's user labels never include these.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// Which kind of object holds releases: the `secret` driver's or the `configmap` driver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A `v1` Secret (Helm's default).
    Secret,
    /// A `v1` ConfigMap.
    ConfigMap,
}

impl ObjectKind {
    /// The Kubernetes kind, `Secret` or `ConfigMap`.
    pub fn kind(self) -> &'static str {
        match self {
            ObjectKind::Secret => "Secret",
            ObjectKind::ConfigMap => "ConfigMap",
        }
    }

    /// The API resource, `secrets` or `configmaps`.
    pub fn resource(self) -> &'static str {
        match self {
            ObjectKind::Secret => "secrets",
            ObjectKind::ConfigMap => "configmaps",
        }
    }

    /// How errors name one object: `secret apps/sh.helm.release.v1.rel.v1`.
    pub fn describe(self, namespace: &str, name: &str) -> String {
        let kind = self.kind().to_ascii_lowercase();
        if namespace.is_empty() {
            format!("{kind} {name}")
        } else {
            format!("{kind} {namespace}/{name}")
        }
    }
}

/// The name of the object storing revision `version` of release `name`.
pub fn object_name(name: &str, version: u64) -> String {
    format!("{NAME_PREFIX}.{name}.v{version}")
}

/// The timestamp label a write carries: Helm sets `createdAt` on create and replaces it with
/// `modifiedAt` on update (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// A create at this Unix time.
    Created(i64),
    /// An update at this Unix time.
    Modified(i64),
}

impl Stamp {
    /// A create stamped now.
    pub fn created_now() -> Stamp {
        Stamp::Created(chrono::Utc::now().timestamp())
    }

    /// An update stamped now.
    pub fn modified_now() -> Stamp {
        Stamp::Modified(chrono::Utc::now().timestamp())
    }
}

/// The labels of the object for `release`: its user labels, then the system labels over them.
pub fn object_labels(release: &Release, stamp: Stamp) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = release
        .labels
        .iter()
        .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let (key, at) = match stamp {
        Stamp::Created(t) => ("createdAt", t),
        Stamp::Modified(t) => ("modifiedAt", t),
    };
    labels.insert(key.into(), at.to_string());
    labels.insert("name".into(), release.name.clone());
    labels.insert("owner".into(), OWNER.into());
    labels.insert("status".into(), release.info.status.as_str().into());
    labels.insert("version".into(), release.version.to_string());
    labels
}

/// The object (as Kubernetes JSON) that stores `release` in its namespace.
pub fn to_object(kind: ObjectKind, release: &Release, stamp: Stamp) -> Value {
    let encoded = encode(release);
    let mut metadata = Map::new();
    metadata.insert(
        "name".into(),
        Value::String(object_name(&release.name, release.version)),
    );
    if !release.namespace.is_empty() {
        metadata.insert("namespace".into(), Value::String(release.namespace.clone()));
    }
    metadata.insert("labels".into(), json!(object_labels(release, stamp)));
    match kind {
        ObjectKind::Secret => json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": SECRET_TYPE,
            "data": {"release": STANDARD.encode(encoded)},
        }),
        ObjectKind::ConfigMap => json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata,
            "data": {"release": encoded},
        }),
    }
}

/// The release stored in `object` (Kubernetes JSON of the given kind), with its user labels
/// taken from the object's labels. Errors name the object.
pub fn from_object(kind: ObjectKind, object: &Value) -> Result<Release, ReleaseError> {
    let meta = object.get("metadata");
    let text = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let described = kind.describe(text("namespace"), text("name"));
    if let Some(found) = object.get("kind").and_then(Value::as_str)
        && found != kind.kind()
    {
        return Err(ReleaseError::new(
            described,
            format!("is a {found}, expected a {}", kind.kind()),
        ));
    }
    let data = object
        .get("data")
        .and_then(|d| d.get("release"))
        .and_then(Value::as_str)
        .ok_or_else(|| ReleaseError::new(&described, "has no data.release"))?;
    let encoded = match kind {
        ObjectKind::Secret => {
            let bytes = STANDARD.decode(data).map_err(|e| {
                ReleaseError::new(&described, format!("data.release is not base64: {e}"))
            })?;
            String::from_utf8(bytes).map_err(|_| {
                ReleaseError::new(&described, "data.release does not hold base64 text")
            })?
        }
        ObjectKind::ConfigMap => data.to_string(),
    };
    let mut release = decode(&encoded, &described)?;
    if let Some(Value::Object(labels)) = meta.and_then(|m| m.get("labels")) {
        release.labels = labels
            .iter()
            .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
    }
    Ok(release)
}
