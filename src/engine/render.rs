//! Rendering a chart tree: one Tera environment holding every template of the chart and its
//! subcharts, each chart rendered with its own scope of values.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value as Json};
use tera::{Context, Tera, Value};

use super::EngineError;
use super::context::{Capabilities, ReleaseInfo, chart_value};
use super::error::flatten;
use super::funcs::{self, Lookup, convert::from_json, scope::Scope};
use super::manifest::{self, Hook, Manifest};
use super::parse::{OutputParser, RenderedText};
use crate::chart::{Chart, constraint_matches, parse_constraint};
use crate::values::Values;

/// Everything that shapes a render besides the chart and its values.
#[derive(Clone, Default)]
pub struct RenderOptions {
    /// `Release`.
    pub release: ReleaseInfo,
    /// `Capabilities`.
    pub capabilities: Capabilities,
    /// Live-cluster reads for `lookup`; `None` renders offline (lookup returns `{}`).
    pub lookup: Option<Arc<dyn Lookup>>,
}

/// A CRD file shipped under a chart's `crds/` (never templated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrdFile {
    /// `chart/crds/x.yaml`.
    pub source: String,
    /// The file's text.
    pub content: String,
}

/// The result of rendering a chart.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Objects to install, in Helm's install order.
    pub manifests: Vec<Manifest>,
    /// Hook objects, sorted by weight, kind and name.
    pub hooks: Vec<Hook>,
    /// The top-level chart's rendered `NOTES.txt`, if any.
    pub notes: Option<String>,
    /// CRDs from `crds/` of the chart and its subcharts.
    pub crds: Vec<CrdFile>,
    /// Every non-partial template's raw output by path (what `--output-dir` writes).
    pub outputs: BTreeMap<String, RenderedText>,
}

/// One chart of the tree with its scope: where it sits and the values it sees (borrowed from
/// the final values: they are converted for Tera once, never copied).
struct ChartScope<'a> {
    chart: &'a Chart,
    path: String,
    values: &'a Map<String, Json>,
    is_root: bool,
}

fn walk<'a>(
    chart: &'a Chart,
    path: String,
    values: &'a Map<String, Json>,
    empty: &'a Map<String, Json>,
    is_root: bool,
    out: &mut Vec<ChartScope<'a>>,
) {
    for dep in &chart.dependencies {
        let dep_values = match values.get(dep.name()) {
            Some(Json::Object(m)) => m,
            _ => empty,
        };
        walk(
            dep,
            format!("{path}/charts/{}", dep.name()),
            dep_values,
            empty,
            false,
            out,
        );
    }
    out.push(ChartScope {
        chart,
        path,
        values,
        is_root,
    });
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|base| base.starts_with('_'))
}

/// Renders `chart` (already resolved: enabled subcharts only) with its final `values`.
pub fn render(
    chart: &Chart,
    values: &Values,
    opts: &RenderOptions,
) -> Result<Rendered, EngineError> {
    if chart.is_library() {
        return Err(EngineError::Chart(format!(
            "chart {:?} is a library chart: library charts provide named templates only and cannot be rendered or installed",
            chart.name()
        )));
    }
    let started = std::time::Instant::now();
    let mut scopes = Vec::new();
    let empty = Map::new();
    walk(
        chart,
        chart.name().to_string(),
        values,
        &empty,
        true,
        &mut scopes,
    );

    let kube = opts.capabilities.semver();
    for s in &scopes {
        if let Some(req) = &s.chart.metadata.kube_version {
            let alternatives = parse_constraint(req)
                .map_err(|e| EngineError::Chart(format!("{}: kubeVersion {req:?}: {e}", s.path)))?;
            if !constraint_matches(&alternatives, &kube) {
                return Err(EngineError::Chart(format!(
                    "chart {} requires kubeVersion: {req} which is incompatible with Kubernetes {}",
                    s.path, opts.capabilities.kube_version
                )));
            }
        }
    }

    // One environment with every template, so named templates are shared as in Helm.
    let mut sources: HashMap<String, String> = HashMap::new();
    for s in &scopes {
        for t in &s.chart.templates {
            let text = String::from_utf8(t.data.clone()).map_err(|_| {
                EngineError::Template(format!("{}/{}: not UTF-8 text", s.path, t.name))
            })?;
            sources.insert(format!("{}/{}", s.path, t.name), text);
        }
    }
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    funcs::register_all(&mut tera);
    let mut ordered: Vec<(&String, &String)> = sources.iter().collect();
    ordered.sort();
    tera.add_raw_templates(ordered.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| EngineError::Template(flatten(&e, &sources)))?;
    let tera = Arc::new(tera);
    let sources = Arc::new(sources);

    let release = from_json(&opts.release.to_value());
    let capabilities = from_json(&opts.capabilities.to_value());
    let mut outputs = BTreeMap::new();
    let mut parser = OutputParser::new();
    let mut notes = None;
    let mut crds = Vec::new();
    // The render contexts, kept to be dropped off the critical path (see `drop_later`).
    let mut contexts = Vec::new();

    for s in &scopes {
        let values_value = funcs::convert::values_to_tera(s.values);
        let chart_v = from_json(&chart_value(&s.chart.metadata, s.is_root));
        let mut subcharts = tera::Map::new();
        for dep in &s.chart.dependencies {
            let dep_values = match s.values.get(dep.name()) {
                Some(v) => Value::from_serializable(v),
                None => Value::from_serializable(&empty),
            };
            let mut m = tera::Map::new();
            m.insert("Values".into(), dep_values);
            m.insert(
                "Chart".into(),
                from_json(&chart_value(&dep.metadata, false)),
            );
            subcharts.insert(dep.name().to_string().into(), Value::from(m));
        }
        let mut root = Context::new();
        root.insert_value("Values", values_value);
        root.insert_value("Release", release.clone());
        root.insert_value("Chart", chart_v);
        root.insert_value("Capabilities", capabilities.clone());
        root.insert_value("Subcharts", Value::from(subcharts));
        let scope = Rc::new(Scope {
            tera: tera.clone(),
            root: root.clone(),
            files: Arc::new(s.chart.files.clone()),
            sources: sources.clone(),
            lookup: opts.lookup.clone(),
        });
        for f in s.chart.crd_files() {
            crds.push(CrdFile {
                source: format!("{}/{}", s.path, f.name),
                content: String::from_utf8_lossy(&f.data).into_owned(),
            });
        }
        if s.chart.is_library() {
            contexts.push(root);
            continue;
        }
        for t in &s.chart.templates {
            if is_partial(&t.name) {
                continue;
            }
            let is_notes = t.name == "templates/NOTES.txt";
            if is_notes && !s.is_root {
                continue;
            }
            let name = format!("{}/{}", s.path, t.name);
            let mut ctx = root.clone();
            let mut template = tera::Map::new();
            template.insert("Name".into(), Value::from(name.as_str()));
            template.insert(
                "BasePath".into(),
                Value::from(format!("{}/templates", s.path)),
            );
            ctx.insert_value("Template", Value::from(template));
            let template_error = |e: tera::Error| EngineError::Template(flatten(&e, &sources));
            if is_notes {
                let out = funcs::scope::with_scope(scope.clone(), || tera.render(&name, &ctx))
                    .map_err(template_error)?;
                notes = Some(out);
            } else {
                // Written to the parser, which parses large outputs while Tera goes on.
                let mut writer = parser.template(&name);
                funcs::scope::with_scope(scope.clone(), || {
                    tera.render_to(&name, &ctx, &mut writer)
                })
                .map_err(template_error)?;
                let out = writer
                    .finish()
                    .map_err(|e| template_error(tera::Error::from(e)))?;
                outputs.insert(name, out);
            }
        }
        drop(scope);
        contexts.push(root);
    }

    tracing::debug!(elapsed = ?started.elapsed(), templates = outputs.len(), "templates rendered");
    // Freed while the parser finishes (on the other core: this thread waits for the parser).
    let garbage = (contexts, tera, sources);
    if outputs.values().map(RenderedText::len).sum::<usize>() > LARGE_OUTPUT {
        drop_later(garbage);
    } else {
        drop(garbage);
    }
    let (mut manifests, mut hooks) = parser.finish(&outputs)?;
    manifest::sort_by_kind(&mut manifests);
    manifest::sort_hooks(&mut hooks);
    tracing::debug!(elapsed = ?started.elapsed(), manifests = manifests.len(), hooks = hooks.len(), "manifests parsed and sorted");
    Ok(Rendered {
        manifests,
        hooks,
        notes,
        crds,
        outputs,
    })
}

/// Renders with more output than this free their render state on another thread.
const LARGE_OUTPUT: usize = 256 * 1024;

/// Drops `garbage` on another thread: the values converted for Tera are a large tree of small
/// allocations, and freeing them while the render goes on (parsing, sorting, printing) shortens
/// a large render. Dropped here when no thread can be started.
fn drop_later<T: Send + 'static>(garbage: T) {
    let _ = std::thread::Builder::new()
        .name("rudder-drop".into())
        .spawn(move || drop(garbage));
}
