//! Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`: the `k8s\0`
//! magic, then a `runtime.Unknown` envelope whose `raw` is the object's message) into the JSON
//! the rest of the sandbox works on. kubectl's `create` and Helm's release Secret writes arrive
//! this way. The message layouts are a generated table ([`schema`]); unknown field numbers are
//! skipped, as the API server's own decoder does.

mod schema;

use base64::Engine;
use serde_json::{Map, Value, json};

/// The four bytes every Kubernetes protobuf body starts with.
pub const MAGIC: &[u8] = b"k8s\0";

/// How a field's value is encoded and shown in JSON.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// UTF-8 string.
    Str,
    /// Bytes, shown base64-encoded as in JSON.
    Bytes,
    /// Boolean varint.
    Bool,
    /// Signed integer varint (int32 / int64).
    Int,
    /// 64-bit float.
    Float,
    /// A nested message, by table name.
    Msg(&'static str),
    /// A map with string keys (entries: key = 1, value = 2).
    Map(&'static Kind),
    /// `resource.Quantity` (`{string = 1}`), shown as its string.
    Quantity,
    /// `intstr.IntOrString`, shown as a number or a string.
    IntOrString,
    /// `metav1.Time` / `MicroTime`, shown as RFC 3339.
    Time,
    /// `metav1.FieldsV1`, whose raw bytes are JSON.
    FieldsV1,
    /// `runtime.RawExtension`, whose raw bytes are JSON.
    Raw,
    /// `metav1.Duration`, shown as Go's duration string in seconds.
    Duration,
}

/// One field of a message.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The field number.
    pub num: u32,
    /// The JSON name (`""`: an inlined struct whose fields join the parent).
    pub json: &'static str,
    /// The value encoding.
    pub kind: Kind,
    /// Whether the field repeats (a JSON array).
    pub repeated: bool,
    /// Whether a zero value is meaningful (a Go pointer field such as `replicas`), so it is kept.
    pub keep_zero: bool,
}

/// Why a protobuf body could not be decoded (answered with 400 or 415).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    /// The body is not well-formed protobuf.
    #[error("unable to decode protobuf body: {0}")]
    Malformed(String),
    /// The envelope names a type the sandbox has no layout for.
    #[error("the sandbox cannot decode protobuf bodies of {0}; send JSON")]
    UnknownType(String),
}

fn message(name: &str) -> Option<&'static [Field]> {
    schema::MESSAGES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| schema::MESSAGES[i].1)
}

/// Decodes a whole body (magic + `runtime.Unknown`) into a JSON object with `apiVersion` and
/// `kind` set from the envelope.
pub fn decode(body: &[u8]) -> Result<Value, ProtoError> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| ProtoError::Malformed("missing the k8s protobuf magic prefix".into()))?;
    let envelope = decode_message(rest, "runtime.Unknown")?;
    let api_version = envelope
        .pointer("/typeMeta/apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = envelope
        .pointer("/typeMeta/kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let raw = envelope.get("raw").and_then(Value::as_str).unwrap_or("");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map_err(|e| ProtoError::Malformed(e.to_string()))?;
    let table = table_name(&api_version, &kind)
        .filter(|t| message(t).is_some())
        .ok_or_else(|| ProtoError::UnknownType(format!("{api_version} {kind}")))?;
    let mut object = decode_message(&raw, &table)?;
    if let Some(m) = object.as_object_mut() {
        let mut out = Map::new();
        if !api_version.is_empty() {
            out.insert("apiVersion".into(), json!(api_version));
        }
        if !kind.is_empty() {
            out.insert("kind".into(), json!(kind));
        }
        out.append(m);
        object = Value::Object(out);
    }
    Ok(object)
}

fn table_name(api_version: &str, kind: &str) -> Option<String> {
    if kind == "DeleteOptions" {
        return Some("meta.v1.DeleteOptions".into());
    }
    match api_version {
        "v1" => Some(format!("core.v1.{kind}")),
        "apps/v1" => Some(format!("apps.v1.{kind}")),
        _ => None,
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ProtoError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| ProtoError::Malformed("truncated varint".into()))?;
            self.pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtoError::Malformed("varint too long".into()))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtoError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| ProtoError::Malformed("truncated field".into()))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

/// A raw wire value.
enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Len(&'a [u8]),
    Fixed32(u32),
}

fn next_field<'a>(r: &mut Reader<'a>) -> Result<(u32, Wire<'a>), ProtoError> {
    let tag = r.varint()?;
    let num = u32::try_from(tag >> 3).map_err(|_| ProtoError::Malformed("bad tag".into()))?;
    let wire = match tag & 7 {
        0 => Wire::Varint(r.varint()?),
        1 => Wire::Fixed64(u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"))),
        2 => {
            let n = usize::try_from(r.varint()?)
                .map_err(|_| ProtoError::Malformed("length too large".into()))?;
            Wire::Len(r.take(n)?)
        }
        5 => Wire::Fixed32(u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"))),
        w => return Err(ProtoError::Malformed(format!("unsupported wire type {w}"))),
    };
    Ok((num, wire))
}

fn decode_message(buf: &[u8], name: &str) -> Result<Value, ProtoError> {
    let fields = message(name).ok_or_else(|| ProtoError::UnknownType(name.to_string()))?;
    let mut out = Map::new();
    let mut r = Reader { buf, pos: 0 };
    while !r.done() {
        let (num, wire) = next_field(&mut r)?;
        let Some(field) = fields.iter().find(|f| f.num == num) else {
            continue;
        };
        if let (Kind::Map(value_kind), Wire::Len(entry)) = (field.kind, &wire) {
            let (k, v) = decode_entry(entry, value_kind)?;
            let map = out
                .entry(field.json)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(m) = map.as_object_mut() {
                m.insert(k, v);
            }
            continue;
        }
        if field.repeated {
            let values = decode_repeated(field.kind, wire)?;
            let arr = out.entry(field.json).or_insert_with(|| json!([]));
            if let Some(a) = arr.as_array_mut() {
                a.extend(values);
            }
            continue;
        }
        let value = decode_value(field.kind, wire)?;
        if field.json.is_empty() {
            if let Value::Object(inner) = value {
                out.extend(inner);
            }
            continue;
        }
        if value.is_null() || (!field.keep_zero && is_zero(&value)) {
            continue;
        }
        out.insert(field.json.to_string(), value);
    }
    Ok(Value::Object(out))
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

fn decode_entry(buf: &[u8], value_kind: &Kind) -> Result<(String, Value), ProtoError> {
    let mut r = Reader { buf, pos: 0 };
    let mut key = String::new();
    let mut value = None;
    while !r.done() {
        match next_field(&mut r)? {
            (1, Wire::Len(b)) => key = utf8(b)?,
            (2, wire) => value = Some(decode_value(*value_kind, wire)?),
            _ => {}
        }
    }
    let value = value.unwrap_or_else(|| match value_kind {
        Kind::Int => json!(0),
        Kind::Bool => json!(false),
        Kind::Msg(_) => json!({}),
        _ => json!(""),
    });
    Ok((key, value))
}

fn decode_repeated(kind: Kind, wire: Wire<'_>) -> Result<Vec<Value>, ProtoError> {
    match (kind, wire) {
        (Kind::Int | Kind::Bool, Wire::Len(packed)) => {
            let mut r = Reader {
                buf: packed,
                pos: 0,
            };
            let mut out = Vec::new();
            while !r.done() {
                out.push(decode_value(kind, Wire::Varint(r.varint()?))?);
            }
            Ok(out)
        }
        (kind, wire) => Ok(vec![decode_value(kind, wire)?]),
    }
}

fn utf8(b: &[u8]) -> Result<String, ProtoError> {
    String::from_utf8(b.to_vec())
        .map_err(|_| ProtoError::Malformed("invalid UTF-8 in a string field".into()))
}

fn mismatch(kind: Kind) -> ProtoError {
    ProtoError::Malformed(format!("wire type does not match a {kind:?} field"))
}

fn decode_value(kind: Kind, wire: Wire<'_>) -> Result<Value, ProtoError> {
    Ok(match (kind, wire) {
        (Kind::Str, Wire::Len(b)) => Value::String(utf8(b)?),
        (Kind::Bytes, Wire::Len(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        (Kind::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
        (Kind::Int, Wire::Varint(v)) => json!(v as i64),
        (Kind::Float, Wire::Fixed64(v)) => json!(f64::from_bits(v)),
        (Kind::Float, Wire::Fixed32(v)) => json!(f32::from_bits(v)),
        (Kind::Msg(name), Wire::Len(b)) => decode_message(b, name)?,
        (Kind::Quantity, Wire::Len(b)) => {
            let mut r = Reader { buf: b, pos: 0 };
            let mut s = String::new();
            while !r.done() {
                if let (1, Wire::Len(x)) = next_field(&mut r)? {
                    s = utf8(x)?;
                }
            }
            Value::String(s)
        }
        (Kind::IntOrString, Wire::Len(b)) => {
            let mut r = Reader { buf: b, pos: 0 };
            let (mut ty, mut int, mut text) = (0u64, 0i64, String::new());
            while !r.done() {
                match next_field(&mut r)? {
                    (1, Wire::Varint(v)) => ty = v,
                    (2, Wire::Varint(v)) => int = v as i64,
                    (3, Wire::Len(x)) => text = utf8(x)?,
                    _ => {}
                }
            }
            if ty == 1 {
                Value::String(text)
            } else {
                json!(int)
            }
        }
        (Kind::Time, Wire::Len(b)) => {
            let mut r = Reader { buf: b, pos: 0 };
            let (mut secs, mut nanos) = (0i64, 0i64);
            while !r.done() {
                match next_field(&mut r)? {
                    (1, Wire::Varint(v)) => secs = v as i64,
                    (2, Wire::Varint(v)) => nanos = v as i64,
                    _ => {}
                }
            }
            if secs == 0 && nanos == 0 {
                Value::Null
            } else {
                let t = chrono::DateTime::from_timestamp(secs, 0).ok_or_else(|| {
                    ProtoError::Malformed(format!("timestamp {secs} out of range"))
                })?;
                Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            }
        }
        (Kind::FieldsV1 | Kind::Raw, Wire::Len(b)) => {
            let mut r = Reader { buf: b, pos: 0 };
            let mut raw: &[u8] = &[];
            while !r.done() {
                if let (1, Wire::Len(x)) = next_field(&mut r)? {
                    raw = x;
                }
            }
            if raw.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(raw)
                    .map_err(|e| ProtoError::Malformed(format!("embedded JSON: {e}")))?
            }
        }
        (Kind::Duration, Wire::Len(b)) => {
            let mut r = Reader { buf: b, pos: 0 };
            let mut nanos = 0i64;
            while !r.done() {
                if let (1, Wire::Varint(v)) = next_field(&mut r)? {
                    nanos = v as i64;
                }
            }
            Value::String(format!("{}s", nanos as f64 / 1e9))
        }
        (kind, _) => return Err(mismatch(kind)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny protobuf writer for building test bodies.
    #[derive(Default)]
    struct W(Vec<u8>);

    impl W {
        fn varint(&mut self, mut v: u64) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    self.0.push(b);
                    return;
                }
                self.0.push(b | 0x80);
            }
        }
        fn bytes(mut self, num: u32, b: &[u8]) -> Self {
            self.varint(u64::from(num) << 3 | 2);
            self.varint(b.len() as u64);
            self.0.extend_from_slice(b);
            self
        }
        fn str(self, num: u32, s: &str) -> Self {
            self.bytes(num, s.as_bytes())
        }
        fn int(mut self, num: u32, v: u64) -> Self {
            self.varint(u64::from(num) << 3);
            self.varint(v);
            self
        }
        fn entry(self, num: u32, k: &str, v: &[u8]) -> Self {
            let e = W::default().str(1, k).bytes(2, v);
            self.bytes(num, &e.0)
        }
    }

    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let tm = W::default().str(1, api_version).str(2, kind);
        let unknown = W::default().bytes(1, &tm.0).bytes(2, raw);
        let mut body = MAGIC.to_vec();
        body.extend(unknown.0);
        body
    }

    #[test]
    fn decodes_a_secret() {
        let meta = W::default()
            .str(1, "sh.helm.release.v1.web.v1")
            .str(2, "")
            .str(3, "ns")
            .int(7, 0)
            .bytes(8, &[])
            .entry(11, "owner", b"helm");
        let secret = W::default()
            .bytes(1, &meta.0)
            .entry(2, "release", b"\x00\x01hi")
            .str(3, "helm.sh/release.v1");
        let v = decode(&envelope("v1", "Secret", &secret.0)).unwrap();
        assert_eq!(
            v,
            json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "sh.helm.release.v1.web.v1", "namespace": "ns", "labels": {"owner": "helm"}},
                "data": {"release": "AAFoaQ=="},
                "type": "helm.sh/release.v1"
            })
        );
    }

    #[test]
    fn decodes_a_deployment_with_pointer_zero_and_inline() {
        let container = W::default().str(1, "web").str(2, "nginx");
        let volume_source = W::default().bytes(1, &W::default().str(1, "/tmp").0);
        let volume = W::default().str(1, "v").bytes(2, &volume_source.0);
        let pod_spec = W::default().bytes(2, &container.0).bytes(1, &volume.0);
        let template = W::default().bytes(2, &pod_spec.0);
        let selector = W::default().entry(1, "app", b"web");
        let spec = W::default()
            .int(1, 0)
            .bytes(2, &selector.0)
            .bytes(3, &template.0);
        let d = W::default()
            .bytes(1, &W::default().str(1, "web").0)
            .bytes(2, &spec.0);
        let v = decode(&envelope("apps/v1", "Deployment", &d.0)).unwrap();
        assert_eq!(v["spec"]["replicas"], 0);
        assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "web");
        assert_eq!(
            v["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx"
        );
        assert_eq!(
            v["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"],
            "/tmp"
        );
    }

    #[test]
    fn decodes_delete_options_and_rejects_garbage() {
        let opts = W::default().str(4, "Background");
        let v = decode(&envelope("meta.k8s.io/v1", "DeleteOptions", &opts.0)).unwrap();
        assert_eq!(v["propagationPolicy"], "Background");
        assert!(matches!(decode(b"nope"), Err(ProtoError::Malformed(_))));
        assert!(matches!(
            decode(&envelope("example.com/v1", "Widget", &[])),
            Err(ProtoError::UnknownType(_))
        ));
        let mut truncated = envelope("v1", "Secret", &W::default().str(3, "Opaque").0);
        truncated.pop();
        assert!(decode(&truncated).is_err());
    }
}
