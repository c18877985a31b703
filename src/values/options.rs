//! (placeholder, filled by its own work)

/// Helm's `MergeMaps`: maps merge recursively, anything else in `overlay` replaces.
pub fn merge_maps(base: &mut super::Values, overlay: super::Values) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(serde_json::Value::Object(b)), serde_json::Value::Object(o)) => merge_maps(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}
