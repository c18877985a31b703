//! Unit tests: Helm's own release JSON survives decode/encode unchanged, the object layout,
//! corrupt data named by object, and the chart conversions.

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;

/// A release record written by the real Helm v4 engine (install with a hook, NOTES.txt, schema,
/// README and user values), captured from its storage Secret.
const HELM_JSON: &str = include_str!("testdata/helm_release.json");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn helm_json_decodes_field_by_field() {
    let data = STANDARD.encode(gzip(HELM_JSON.as_bytes()));
    let r = decode(&data, "obj").unwrap();
    assert_eq!(r.name, "rel");
    assert_eq!(r.namespace, "apps");
    assert_eq!(r.version, 1);
    assert_eq!(r.apply_method, "ssa");
    assert_eq!(r.info.status, Status::Deployed);
    assert_eq!(r.info.description, "Install complete");
    assert_eq!(r.info.notes, "notes rel\n");
    assert!(r.info.deleted.is_none());
    assert_eq!(r.info.first_deployed, r.info.last_deployed);
    assert_eq!(
        r.config,
        *json!({"a": 2, "b": {"c": [1, "x"]}}).as_object().unwrap()
    );
    assert!(r.manifest.contains("name: rel-c"));
    let hook = &r.hooks[0];
    assert_eq!(hook.kind, "ConfigMap");
    assert_eq!(
        hook.events,
        [HookEvent::PostInstall, HookEvent::PostUpgrade]
    );
    assert_eq!(hook.weight, 3);
    assert_eq!(hook.delete_policies, [HookDeletePolicy::BeforeHookCreation]);
    assert_eq!(hook.last_run.phase, HookPhase::Succeeded);
    let chart = r.chart.as_ref().unwrap();
    assert_eq!(chart.metadata.name, "demo");
    assert_eq!(chart.metadata.app_version.as_deref(), Some("1.0"));
    assert_eq!(chart.templates.len(), 3);
    assert_eq!(chart.files[0].data, b"hello\n");
    assert_eq!(
        chart.schema.as_deref(),
        Some(&b"{\"type\":\"object\"}\n"[..])
    );
}

#[test]
fn helm_json_round_trips_without_loss() {
    let original: Value = serde_json::from_str(HELM_JSON).unwrap();
    let release = decode_json(HELM_JSON.as_bytes(), "obj").unwrap();
    let again: Value = serde_json::to_value(&release).unwrap();
    assert_eq!(again, original);
    // and through the full codec
    let back = decode(&encode(&release), "obj").unwrap();
    assert_eq!(back, release);
}

#[test]
fn decode_accepts_plain_json_as_helm_does() {
    let data = STANDARD.encode(HELM_JSON);
    assert_eq!(decode(&data, "o").unwrap().name, "rel");
}

#[test]
fn encode_is_gzip_then_base64() {
    let release = decode_json(HELM_JSON.as_bytes(), "o").unwrap();
    let bytes = STANDARD.decode(encode(&release)).unwrap();
    assert_eq!(&bytes[..3], &[0x1f, 0x8b, 0x08]);
}

#[test]
fn corrupt_data_names_the_object() {
    let obj = "secret apps/sh.helm.release.v1.rel.v1";
    let cases = [
        ("not base64 !!".to_string(), "not base64"),
        (
            STANDARD.encode([0x1f, 0x8b, 0x08, 0, 1, 2, 3]),
            "not valid gzip",
        ),
        (STANDARD.encode(gzip(b"{\"name\": ")), "line 1 column"),
        (
            STANDARD.encode("{\"info\":{\"status\":\"exploded\"}}"),
            "unknown variant",
        ),
        (
            STANDARD.encode("{\"info\":{\"last_deployed\":\"yesterday\"}}"),
            "bad timestamp",
        ),
        (
            STANDARD.encode(
                "{\"chart\":{\"metadata\":{},\"templates\":[{\"name\":\"t\",\"data\":\"@@\"}]}}",
            ),
            "not base64",
        ),
    ];
    for (data, needle) in cases {
        let err = decode(&data, obj).unwrap_err();
        assert_eq!(err.object, obj);
        let text = err.to_string();
        assert!(text.starts_with(obj) && text.contains(needle), "{text}");
    }
}

#[test]
fn statuses_use_helm_names() {
    for s in Status::ALL {
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json, s.as_str());
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    assert_eq!(Status::PendingRollback.as_str(), "pending-rollback");
    assert!(Status::PendingUpgrade.is_pending() && !Status::Deployed.is_pending());
}

#[test]
fn empty_fields_are_omitted_like_go() {
    let r = Release {
        name: "x".into(),
        version: 1,
        ..Release::default()
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"name": "x", "info": {"status": "unknown"}, "version": 1})
    );
}

fn sample() -> Release {
    let mut r = decode_json(HELM_JSON.as_bytes(), "o").unwrap();
    r.labels.insert("team".into(), "x".into());
    r.labels.insert("status".into(), "forged".into());
    r
}

#[test]
fn secret_object_matches_helm_layout_and_reads_back() {
    let r = sample();
    let obj = to_object(ObjectKind::Secret, &r, Stamp::Created(1700000000));
    assert_eq!(obj["kind"], "Secret");
    assert_eq!(obj["type"], "helm.sh/release.v1");
    assert_eq!(obj["metadata"]["name"], "sh.helm.release.v1.rel.v1");
    assert_eq!(obj["metadata"]["namespace"], "apps");
    assert_eq!(
        obj["metadata"]["labels"],
        json!({"createdAt": "1700000000", "name": "rel", "owner": "helm", "status": "deployed", "team": "x", "version": "1"})
    );
    // double base64: once for Secret bytes, once inside
    let inner = STANDARD
        .decode(obj["data"]["release"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        decode(std::str::from_utf8(&inner).unwrap(), "o")
            .unwrap()
            .name,
        "rel"
    );
    let back = from_object(ObjectKind::Secret, &obj).unwrap();
    let mut expected = r.clone();
    expected.labels.remove("status");
    assert_eq!(back, expected);
}

#[test]
fn configmap_object_has_single_base64_and_modified_stamp() {
    let r = sample();
    let obj = to_object(ObjectKind::ConfigMap, &r, Stamp::Modified(5));
    assert_eq!(obj["kind"], "ConfigMap");
    assert!(obj.get("type").is_none());
    assert_eq!(obj["metadata"]["labels"]["modifiedAt"], "5");
    assert!(obj["metadata"]["labels"].get("createdAt").is_none());
    assert_eq!(
        decode(obj["data"]["release"].as_str().unwrap(), "o")
            .unwrap()
            .version,
        1
    );
    assert_eq!(
        from_object(ObjectKind::ConfigMap, &obj).unwrap().name,
        "rel"
    );
}

#[test]
fn bad_objects_are_named() {
    let mut obj = to_object(ObjectKind::Secret, &sample(), Stamp::Created(1));
    let err = from_object(ObjectKind::ConfigMap, &obj).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configmap apps/sh.helm.release.v1.rel.v1: is a Secret, expected a ConfigMap"
    );
    obj["data"]["release"] = json!("%%%");
    let err = from_object(ObjectKind::Secret, &obj).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("secret apps/sh.helm.release.v1.rel.v1: data.release is not base64"),
        "{err}"
    );
    obj["data"] = json!({});
    let err = from_object(ObjectKind::Secret, &obj).unwrap_err();
    assert_eq!(
        err.to_string(),
        "secret apps/sh.helm.release.v1.rel.v1: has no data.release"
    );
}

#[test]
fn chart_converts_to_the_stored_form_and_back() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    let mut tried = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if !path.join("Chart.yaml").exists() {
            continue;
        }
        let chart = crate::chart::load(&path).unwrap();
        let stored = ReleaseChart::from_chart(&chart).unwrap();
        let json = serde_json::to_value(&stored).unwrap();
        for key in ["metadata", "lock", "templates", "values", "schema", "files"] {
            assert!(
                json.get(key).is_some(),
                "{key} missing for {}",
                path.display()
            );
        }
        let stored: ReleaseChart = serde_json::from_value(json).unwrap();
        let back = stored.to_chart("obj").unwrap();
        assert_eq!(back.metadata, chart.metadata);
        assert_eq!(back.values, chart.values);
        assert_eq!(back.templates, chart.templates);
        assert_eq!(back.files, chart.files);
        assert_eq!(back.schema, chart.schema);
        assert!(back.dependencies.is_empty());
        tried += 1;
    }
    assert!(tried > 0);
}

#[test]
fn stored_chart_with_bad_schema_is_named() {
    let stored = ReleaseChart {
        schema: Some(b"{nope".to_vec()),
        ..ReleaseChart::default()
    };
    let err = stored.to_chart("secret a/b").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("secret a/b: chart schema is not JSON"),
        "{err}"
    );
}
