//! `GET /api/v1/namespaces/NS/pods/NAME/log`: simulated container logs, served as `text/plain`
//! like the kubelet's through the API server. A Pod's log is the text of its annotation
//! [`LOGS_ANNOTATION`] (a Job's Pods get it from the Job's pod template, or from the Job
//! itself), else a generic line per container saying what it ran and, for a failed pod, that it
//! failed. `container` picks the container (required when there are several, as the API server
//! requires), `tailLines` keeps the last lines.

use std::collections::HashMap;

use serde_json::Value;

use super::deny::Attributes;
use super::errors::ApiError;
use super::handlers::State;
use super::store::ObjectKey;

/// The annotation whose text is a simulated Pod's log.
pub const LOGS_ANNOTATION: &str = "sandbox.rudder.dev/logs";

/// The namespace and pod a log path names (`None` for any other path).
pub fn log_path(path: &str) -> Option<(String, String)> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", name, "log"] => Some((
            crate::repo::serve::percent_decode(ns).unwrap_or_else(|| ns.to_string()),
            crate::repo::serve::percent_decode(name).unwrap_or_else(|| name.to_string()),
        )),
        _ => None,
    }
}

/// Answers a log request for pod `name` in `namespace`: authorized as `get pods/log`, 404 for
/// a pod that does not exist.
pub fn serve(
    state: &State,
    namespace: &str,
    name: &str,
    query: &HashMap<String, String>,
) -> Result<String, ApiError> {
    state.authorize(&Attributes {
        verb: "get",
        group: "",
        resource: "pods/log",
        namespace: Some(namespace),
        name: Some(name),
    })?;
    let pod = state
        .store
        .get(&ObjectKey::new("", "pods", namespace, name))
        .ok_or_else(|| ApiError::not_found("", "pods", name))?;
    pod_log(pod, query)
}

/// The log of `pod` (as stored) for the request's query.
pub fn pod_log(pod: &Value, query: &HashMap<String, String>) -> Result<String, ApiError> {
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let containers: Vec<&str> = ["/spec/initContainers", "/spec/containers"]
        .iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    let container = match query.get("container").filter(|c| !c.is_empty()) {
        Some(c) if containers.contains(&c.as_str()) => c.clone(),
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None => match containers.as_slice() {
            [] => {
                return Err(ApiError::bad_request(format!(
                    "pod {name} has no containers"
                )));
            }
            [one] => one.to_string(),
            many => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    many.join(" ")
                )));
            }
        },
    };
    let text = match pod
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LOGS_ANNOTATION))
        .and_then(Value::as_str)
    {
        Some(text) => text.to_string(),
        None => generic(pod, &container),
    };
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(tail) = query.get("tailLines") {
        let n: usize = tail.parse().map_err(|_| {
            ApiError::bad_request(format!("tailLines: invalid value {tail:?}: not a number"))
        })?;
        lines = lines.split_off(lines.len().saturating_sub(n));
    }
    Ok(lines.iter().map(|l| format!("{l}\n")).collect())
}

/// What a container with no scripted log says.
fn generic(pod: &Value, container: &str) -> String {
    let image = ["/spec/initContainers", "/spec/containers"]
        .iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
        .find(|c| c["name"] == container)
        .and_then(|c| c.get("image").and_then(Value::as_str))
        .unwrap_or("unknown");
    let mut text = format!("container {container} started (image {image})\n");
    match pod.pointer("/status/phase").and_then(Value::as_str) {
        Some("Failed") => text.push_str(&format!(
            "container {container} exited with code 1 (simulated failure)\n"
        )),
        Some("Succeeded") => text.push_str(&format!("container {container} exited with code 0\n")),
        _ => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn paths() {
        assert_eq!(
            log_path("/api/v1/namespaces/demo/pods/web-1/log"),
            Some(("demo".into(), "web-1".into()))
        );
        assert_eq!(log_path("/api/v1/namespaces/demo/pods/web-1"), None);
        assert_eq!(log_path("/api/v1/namespaces/demo/pods/web-1/exec"), None);
    }

    #[test]
    fn annotation_tail_and_containers() {
        let pod = json!({
            "metadata": {"name": "p", "annotations": {LOGS_ANNOTATION: "a\nb\nc"}},
            "spec": {"containers": [{"name": "main", "image": "busybox"}]},
        });
        assert_eq!(pod_log(&pod, &query(&[])).unwrap(), "a\nb\nc\n");
        assert_eq!(
            pod_log(&pod, &query(&[("tailLines", "2")])).unwrap(),
            "b\nc\n"
        );
        assert_eq!(pod_log(&pod, &query(&[("tailLines", "0")])).unwrap(), "");
        assert_eq!(
            pod_log(&pod, &query(&[("container", "other")]))
                .unwrap_err()
                .code,
            400
        );
        assert!(pod_log(&pod, &query(&[("tailLines", "x")])).is_err());
        let two = json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "b"}]},
            "status": {"phase": "Failed"},
        });
        let e = pod_log(&two, &query(&[])).unwrap_err();
        assert!(e.to_status()["message"].as_str().unwrap().contains("[a b]"));
        assert_eq!(
            pod_log(&two, &query(&[("container", "a")])).unwrap(),
            "container a started (image i)\ncontainer a exited with code 1 (simulated failure)\n"
        );
    }
}
