//! Verbs: one file per command, orchestration only, returning data.
