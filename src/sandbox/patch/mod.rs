//! The patch algorithms the sandbox API server applies to stored objects: JSON merge patch
//! (RFC 7386), JSON patch (RFC 6902), strategic merge patch (as kubectl sends it) and
//! server-side apply with `metadata.managedFields` bookkeeping. Pure functions: JSON in, JSON
//! out; the server maps [`PatchError`] to HTTP status codes.

mod apply;
mod fieldset;
mod json_patch;
mod merge;
mod schema;
mod strategic;

pub use apply::{record_update, server_side_apply};
pub use json_patch::json_patch;
pub use merge::{create_merge_patch, merge_patch};
pub use strategic::{strategic_merge_patch, supports_strategic};

use std::fmt;

/// Why a patch could not be applied; each variant maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// The patch document itself is malformed (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// The patch is well-formed but cannot be applied to this object (HTTP 422).
    #[error("{0}")]
    Invalid(String),
    /// Server-side apply would change fields other managers own (HTTP 409).
    #[error("{}", conflict_message(.0))]
    Conflict(Vec<FieldConflict>),
}

/// One field server-side apply refused to take from another manager without `force`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldConflict {
    /// The manager that owns the field now (`helm`, `kubectl` ...).
    pub manager: String,
    /// The field, written as the API server writes it: `.spec.replicas`,
    /// `.spec.template.spec.containers[name="web"].image`.
    pub field: String,
}

impl fmt::Display for FieldConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conflict with \"{}\": {}", self.manager, self.field)
    }
}

/// The message the real API server puts in a 409 `Status` for apply conflicts.
fn conflict_message(conflicts: &[FieldConflict]) -> String {
    match conflicts {
        [one] => format!("Apply failed with 1 conflict: {one}"),
        many => {
            let lines: Vec<String> = many.iter().map(|c| format!("- {c}")).collect();
            format!(
                "Apply failed with {} conflicts: {}",
                many.len(),
                lines.join("\n")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_messages_name_manager_and_field() {
        let one = PatchError::Conflict(vec![FieldConflict {
            manager: "helm".into(),
            field: ".spec.replicas".into(),
        }]);
        assert_eq!(
            one.to_string(),
            "Apply failed with 1 conflict: conflict with \"helm\": .spec.replicas"
        );
        let two = PatchError::Conflict(vec![
            FieldConflict {
                manager: "a".into(),
                field: ".x".into(),
            },
            FieldConflict {
                manager: "b".into(),
                field: ".y".into(),
            },
        ]);
        assert!(
            two.to_string()
                .starts_with("Apply failed with 2 conflicts: - conflict with \"a\": .x\n")
        );
    }
}
