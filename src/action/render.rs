//! The pipeline every rendering verb shares: load the chart, compute values, validate them
//! against the schema, render.

use std::path::PathBuf;
use std::sync::Arc;

use super::ActionError;
use crate::chart::{self, Chart};
use crate::engine::{self, Capabilities, Lookup, ReleaseInfo, RenderOptions, Rendered};
use crate::values::{Values, coalesce, options::ValueOptions, schema};

/// What to render and how.
#[derive(Clone, Default)]
pub struct RenderRequest {
    /// A chart directory or `.tgz`.
    pub chart: PathBuf,
    /// User values (`-f` and the `--set` family).
    pub values: ValueOptions,
    /// `Release` as templates see it.
    pub release: ReleaseInfo,
    /// `Capabilities` as templates see it.
    pub capabilities: Capabilities,
    /// What `lookup(...)` reads: the live cluster for install, upgrade, diff and
    /// `--dry-run=server`; `None` (lookup answers `{}`) for `template`, lint and
    /// `--dry-run=client`, as Helm.
    pub lookup: Option<Arc<dyn Lookup>>,
}

impl std::fmt::Debug for RenderRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderRequest")
            .field("chart", &self.chart)
            .field("values", &self.values)
            .field("release", &self.release)
            .field("capabilities", &self.capabilities)
            .field("lookup", &self.lookup.as_ref().map(|_| "live cluster"))
            .finish()
    }
}

/// A rendered chart with what produced it.
#[derive(Debug, Clone)]
pub struct RenderResult {
    /// The chart as loaded (all subcharts).
    pub chart: Chart,
    /// The user-supplied values (what a release records as its config).
    pub user_values: Values,
    /// The final, coalesced values.
    pub values: Values,
    /// The render itself.
    pub rendered: Rendered,
}

/// Loads the chart of `req` (reading `-f -` from `stdin`), then renders it.
pub fn load_and_render(
    req: &RenderRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<RenderResult, ActionError> {
    let started = std::time::Instant::now();
    let chart = chart::load(&req.chart)?;
    tracing::debug!(elapsed = ?started.elapsed(), chart = %req.chart.display(), "chart loaded");
    render_chart(chart, req, stdin)
}

/// Renders an already loaded chart with the values and options of `req`.
pub fn render_chart(
    chart: Chart,
    req: &RenderRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<RenderResult, ActionError> {
    let user_values = req.values.merge(stdin)?;
    render_with_values(chart, user_values, req)
}

/// Renders an already loaded chart with user values merged beforehand (`req.values` is not
/// read): for verbs that render several charts with the same values, like `lint`, which must
/// read `-f -` only once.
pub fn render_with_values(
    chart: Chart,
    user_values: Values,
    req: &RenderRequest,
) -> Result<RenderResult, ActionError> {
    let started = std::time::Instant::now();
    let (processed, values) = coalesce::resolve_borrowed(&chart, &user_values)?;
    schema::validate(&processed, &values)?;
    tracing::debug!(elapsed = ?started.elapsed(), "values computed and validated");
    let opts = RenderOptions {
        release: req.release.clone(),
        capabilities: req.capabilities.clone(),
        lookup: req.lookup.clone(),
    };
    let rendered = engine::render(&processed, &values, &opts)?;
    drop(processed);
    Ok(RenderResult {
        chart,
        user_values,
        values,
        rendered,
    })
}

/// Resolves a chart reference (directory, `.tgz`, `REPO/NAME` with a version range, a name with
/// `--repo`, or an http(s) URL) to a local chart path: where every verb that takes a chart
/// (template, show, install, upgrade ...) turns the user's argument into something to load.
pub fn locate_chart(
    reference: &str,
    opts: &crate::repo::reference::ResolveOptions,
) -> Result<PathBuf, ActionError> {
    Ok(crate::repo::reference::resolve(reference, opts)?.path)
}
