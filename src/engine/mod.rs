//! Rendering: the Tera environment, the function library, manifest splitting and sorting.
