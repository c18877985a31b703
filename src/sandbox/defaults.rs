//! Server-side defaulting the API server does on every write, limited to what clients read back:
//! namespace phase and name label, Secret `stringData` folded into `data`, Service cluster IPs and
//! port defaults, Deployment rollout defaults, and a CRD's `Established` condition.

use base64::Engine;
use serde_json::{Value, json};

use super::registry::ResourceType;
use super::store::now_rfc3339;

/// Fills defaults on `object` about to be stored; `old` is the stored object for updates (its
/// allocated values, such as a Service's cluster IP, carry over).
pub fn apply(rt: &ResourceType, object: &mut Value, old: Option<&Value>, next_ip: &mut u32) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Namespace") => namespace(object),
        ("", "Secret") => secret(object),
        ("", "Service") => service(object, old, next_ip),
        ("apps", "Deployment") => deployment(object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(object),
        _ => {}
    }
}

fn set_default(obj: &mut Value, key: &str, value: Value) {
    if let Some(m) = obj.as_object_mut()
        && m.get(key).is_none_or(Value::is_null)
    {
        m.insert(key.to_string(), value);
    }
}

fn namespace(object: &mut Value) {
    let name = object
        .pointer("/metadata/name")
        .cloned()
        .unwrap_or(Value::Null);
    let meta = super::store::metadata_mut(object);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(l) = labels.as_object_mut() {
        l.insert("kubernetes.io/metadata.name".into(), name);
    }
    set_default(object, "spec", json!({}));
    set_default(&mut object["spec"], "finalizers", json!(["kubernetes"]));
    object["status"] = json!({"phase": "Active"});
}

fn secret(object: &mut Value) {
    set_default(object, "type", json!("Opaque"));
    let Some(string_data) = object.as_object_mut().and_then(|m| m.remove("stringData")) else {
        return;
    };
    set_default(object, "data", json!({}));
    if let (Some(sd), Some(data)) = (string_data.as_object(), object["data"].as_object_mut()) {
        for (k, v) in sd {
            let text = v.as_str().unwrap_or_default();
            data.insert(
                k.clone(),
                json!(base64::engine::general_purpose::STANDARD.encode(text)),
            );
        }
    }
}

fn service(object: &mut Value, old: Option<&Value>, next_ip: &mut u32) {
    set_default(object, "spec", json!({}));
    let spec = &mut object["spec"];
    set_default(spec, "type", json!("ClusterIP"));
    let old_ip = old.and_then(|o| o.pointer("/spec/clusterIP")).cloned();
    if spec
        .get("clusterIP")
        .is_none_or(|v| v.as_str().is_none_or(str::is_empty))
    {
        let ip = match old_ip {
            Some(ip) => ip,
            None if spec["type"] == "ExternalName" => Value::Null,
            None => {
                *next_ip += 1;
                json!(format!(
                    "10.96.{}.{}",
                    (*next_ip >> 8) & 0xff,
                    *next_ip & 0xff
                ))
            }
        };
        if !ip.is_null() {
            spec["clusterIP"] = ip;
        }
    }
    if let Some(ip) = spec.get("clusterIP").cloned() {
        spec["clusterIPs"] = json!([ip]);
    }
    set_default(spec, "sessionAffinity", json!("None"));
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            set_default(p, "protocol", json!("TCP"));
            let port = p.get("port").cloned().unwrap_or(Value::Null);
            set_default(p, "targetPort", port);
        }
    }
}

fn deployment(object: &mut Value) {
    set_default(object, "spec", json!({}));
    let spec = &mut object["spec"];
    set_default(spec, "replicas", json!(1));
    set_default(spec, "revisionHistoryLimit", json!(10));
    set_default(spec, "progressDeadlineSeconds", json!(600));
    set_default(
        spec,
        "strategy",
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
    );
}

fn crd(object: &mut Value) {
    let names = object.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let now = now_rfc3339();
    object["status"] = json!({
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": now},
        ],
        "storedVersions": object.pointer("/spec/versions").and_then(Value::as_array)
            .map(|vs| vs.iter().filter(|v| v["storage"] == true).map(|v| v["name"].clone()).collect::<Vec<_>>())
            .unwrap_or_default(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::registry::Registry;

    fn rt(kind: &str) -> ResourceType {
        Registry::builtin()
            .types()
            .iter()
            .find(|t| t.kind == kind)
            .unwrap()
            .clone()
    }

    #[test]
    fn secrets_fold_string_data() {
        let mut s =
            json!({"metadata": {"name": "s"}, "stringData": {"a": "hi"}, "data": {"b": "eA=="}});
        apply(&rt("Secret"), &mut s, None, &mut 0);
        assert_eq!(
            s,
            json!({"metadata": {"name": "s"}, "type": "Opaque", "data": {"a": "aGk=", "b": "eA=="}})
        );
    }

    #[test]
    fn services_keep_their_cluster_ip() {
        let mut ip = 0;
        let mut s = json!({"spec": {"ports": [{"port": 80}]}});
        apply(&rt("Service"), &mut s, None, &mut ip);
        assert_eq!(s["spec"]["clusterIP"], "10.96.0.1");
        assert_eq!(s["spec"]["ports"][0]["targetPort"], 80);
        let mut again = json!({"spec": {"ports": [{"port": 81}]}});
        apply(&rt("Service"), &mut again, Some(&s), &mut ip);
        assert_eq!(again["spec"]["clusterIP"], "10.96.0.1");
        let mut headless = json!({"spec": {"clusterIP": "None"}});
        apply(&rt("Service"), &mut headless, None, &mut ip);
        assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
    }

    #[test]
    fn namespaces_are_active() {
        let mut n = json!({"metadata": {"name": "x"}});
        apply(&rt("Namespace"), &mut n, None, &mut 0);
        assert_eq!(n["status"]["phase"], "Active");
        assert_eq!(n["metadata"]["labels"]["kubernetes.io/metadata.name"], "x");
    }
}
