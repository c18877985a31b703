//! Rendering: the Tera environment with Helm's function names, the render context, manifest
//! splitting, hook extraction and Helm's install order.

pub(crate) mod blockyaml;
pub mod context;
mod error;
mod funcs;
pub mod headscan;
mod linescan;
pub mod manifest;
mod parse;
mod render;
pub mod yaml;

pub use context::{Capabilities, ReleaseInfo};
pub use error::EngineError;
pub use funcs::Lookup;
pub use manifest::{Hook, Manifest};
pub use parse::RenderedText;
pub use render::{CrdFile, RenderOptions, Rendered, render};

#[cfg(test)]
mod tests;
