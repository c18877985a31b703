//! The chart function library: Helm/Sprig names with Tera's named arguments.
//! `docs/chart-language.md` lists every entry beside its Helm spelling.

pub(crate) mod convert;
mod data;
mod misc;
pub(crate) mod scope;
mod text;

pub use scope::Lookup;

/// Registers every filter, function and test of the chart language on a Tera instance.
pub(crate) fn register_all(tera: &mut tera::Tera) {
    text::register(tera);
    data::register(tera);
    misc::register(tera);
    scope::register(tera);
    scope::register_glob_filters(tera);
}
