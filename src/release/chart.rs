//! The chart as Helm stores it inside a release (`chart.Chart`'s JSON): metadata, lock,
//! templates and files with base64 data, default values and the schema; and the conversions
//! from and to our [`Chart`], so that a stored chart can be rendered again.
//!
//! Helm does not serialise subcharts (they are unexported in Go), so neither do we: a chart read
//! back from a release has no dependencies.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::ReleaseError;
use super::model::{null_map, null_vec};
use crate::chart::{Chart, ChartFile, Metadata, metadata_value};

/// A chart inside a release record, in Helm's JSON shape.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReleaseChart {
    /// `Chart.yaml`.
    #[serde(serialize_with = "write_metadata", deserialize_with = "read_metadata")]
    pub metadata: Metadata,
    /// `Chart.lock` as Helm's `chart.Lock` JSON (`generated`, `digest`, `dependencies`), kept
    /// verbatim; `null` when the chart has none.
    #[serde(default)]
    pub lock: Option<Value>,
    /// Files under `templates/`.
    #[serde(
        default,
        deserialize_with = "null_vec",
        serialize_with = "nil_if_empty"
    )]
    pub templates: Vec<ReleaseFile>,
    /// The chart's default values (`values.yaml`).
    #[serde(default, deserialize_with = "null_map")]
    pub values: Map<String, Value>,
    /// `values.schema.json` as bytes (base64 in JSON), `null` when absent.
    #[serde(default, with = "base64_opt")]
    pub schema: Option<Vec<u8>>,
    /// When the schema file was last modified (Helm 4), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemamodtime: Option<String>,
    /// Every other file of the chart (README, crds/, data files).
    #[serde(
        default,
        deserialize_with = "null_vec",
        serialize_with = "nil_if_empty"
    )]
    pub files: Vec<ReleaseFile>,
    /// When the chart was last modified (Helm 4), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modtime: Option<String>,
}

/// A file of a stored chart: its chart-relative name and bytes (base64 in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReleaseFile {
    /// Path relative to the chart root, `/`-separated.
    pub name: String,
    /// The file's bytes.
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
    /// Modification time (Helm 4 writes it), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modtime: Option<String>,
}

impl ReleaseChart {
    /// The stored form of `chart`, as Helm would record it on install (subcharts dropped).
    pub fn from_chart(chart: &Chart) -> Result<ReleaseChart, ReleaseError> {
        let lock = match &chart.raw_lock {
            None => None,
            Some(bytes) => Some(yaml_serde::from_slice::<Value>(bytes).map_err(|e| {
                ReleaseError::new(
                    format!("{}/Chart.lock", chart.source),
                    format!("cannot record the lock: {e}"),
                )
            })?),
        };
        let schema = match (&chart.raw_schema, &chart.schema) {
            (Some(raw), _) => Some(raw.clone()),
            (None, Some(value)) => Some(value.to_string().into_bytes()),
            (None, None) => None,
        };
        Ok(ReleaseChart {
            metadata: chart.metadata.clone(),
            lock,
            templates: chart.templates.iter().map(ReleaseFile::from).collect(),
            values: chart.values.clone(),
            schema,
            schemamodtime: None,
            files: chart.files.iter().map(ReleaseFile::from).collect(),
            modtime: None,
        })
    }

    /// The chart back in our model, ready to render again; `object` names the storage object for
    /// errors (a schema that is not JSON, a lock that is not a map).
    pub fn to_chart(&self, object: &str) -> Result<Chart, ReleaseError> {
        let schema = match &self.schema {
            None => None,
            Some(bytes) => Some(serde_json::from_slice::<Value>(bytes).map_err(|e| {
                ReleaseError::new(object, format!("chart schema is not JSON: {e}"))
            })?),
        };
        let raw_lock = match &self.lock {
            None | Some(Value::Null) => None,
            Some(lock @ Value::Object(_)) => Some(crate::chart::to_helm_yaml(lock).into_bytes()),
            Some(_) => return Err(ReleaseError::new(object, "chart lock is not an object")),
        };
        let raw_values = (!self.values.is_empty())
            .then(|| crate::chart::to_helm_yaml(&Value::Object(self.values.clone())));
        Ok(Chart {
            metadata: self.metadata.clone(),
            values: self.values.clone(),
            raw_values,
            schema,
            raw_schema: self.schema.clone(),
            raw_lock,
            templates: sorted(self.templates.iter().map(ChartFile::from).collect()),
            files: sorted(self.files.iter().map(ChartFile::from).collect()),
            dependencies: Vec::new(),
            source: object.to_string(),
        })
    }
}

fn sorted(mut files: Vec<ChartFile>) -> Vec<ChartFile> {
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

impl From<&ChartFile> for ReleaseFile {
    fn from(file: &ChartFile) -> Self {
        ReleaseFile {
            name: file.name.clone(),
            data: file.data.clone(),
            modtime: None,
        }
    }
}

impl From<&ReleaseFile> for ChartFile {
    fn from(file: &ReleaseFile) -> Self {
        ChartFile {
            name: file.name.clone(),
            data: file.data.clone(),
        }
    }
}

fn write_metadata<S: Serializer>(metadata: &Metadata, s: S) -> Result<S::Ok, S::Error> {
    metadata_value(metadata).serialize(s)
}

fn read_metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Metadata, D::Error> {
    Ok(Option::<Metadata>::deserialize(d)?.unwrap_or_default())
}

/// Go writes a nil slice as `null`; Helm's loader leaves `templates`/`files` nil when empty.
fn nil_if_empty<S: Serializer>(files: &[ReleaseFile], s: S) -> Result<S::Ok, S::Error> {
    if files.is_empty() {
        s.serialize_none()
    } else {
        files.serialize(s)
    }
}

/// `[]byte` fields: a base64 string in JSON (`null` reads as empty).
mod base64_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        STANDARD
            .decode(text.unwrap_or_default())
            .map_err(|e| serde::de::Error::custom(format!("file data is not base64: {e}")))
    }
}

/// A `[]byte` that may be nil: `null` in JSON when absent.
mod base64_opt {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| STANDARD.decode(t))
            .transpose()
            .map_err(|e| serde::de::Error::custom(format!("schema is not base64: {e}")))
    }
}
