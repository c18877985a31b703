//! Functions that need the render scope: `include` (named templates), `tpl`, the `Files`
//! functions and `lookup`.
//!
//! Tera functions see only their arguments and the render `State`, so the environment they need
//! (the Tera instance itself, the current chart's files and root context) is published for the
//! duration of a render in a thread-local [`Scope`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use base64::Engine as _;
use tera::{Context, Error, Kwargs, State, Tera, TeraResult, Value};

use super::convert::text;
use crate::chart::ChartFile;
use crate::engine::error::flatten;

/// How deep `include` may nest before it is reported as runaway recursion.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// The names every template sees at top level, passed on to named templates as implicits.
const IMPLICITS: &[&str] = &[
    "Values",
    "Release",
    "Chart",
    "Capabilities",
    "Template",
    "Subcharts",
];

/// Reads live objects for `lookup` (install/upgrade against a cluster); absent offline.
pub trait Lookup: Send + Sync {
    /// Returns the object (or, with an empty name, a `List` of them) or an empty map.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<serde_json::Value, String>;
}

/// What the scope-aware functions need while one chart's templates render.
pub(crate) struct Scope {
    pub tera: Arc<Tera>,
    pub root: Context,
    pub files: Arc<Vec<ChartFile>>,
    pub sources: Arc<HashMap<String, String>>,
    pub lookup: Option<Arc<dyn Lookup>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Scope>>> = const { RefCell::new(None) };
    static INCLUDES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `scope` published to the scope-aware functions.
pub(crate) fn with_scope<R>(scope: Rc<Scope>, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(scope)));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

fn current() -> TeraResult<Rc<Scope>> {
    CURRENT
        .with(|c| c.borrow().clone())
        .ok_or_else(|| Error::message("this function is only available while rendering a chart"))
}

/// The caller's top-level names (falling back to the chart's root context), for named templates.
fn implicits(state: &State, scope: &Scope) -> TeraResult<Context> {
    let mut ctx = Context::new();
    for key in IMPLICITS {
        let value = match state.get::<Value>(key)? {
            Some(v) => Some(v),
            None => scope.root.get(key).cloned(),
        };
        if let Some(v) = value {
            ctx.insert_value(*key, v);
        }
    }
    Ok(ctx)
}

pub(super) fn register(tera: &mut Tera) {
    tera.register_function("include", include);
    tera.register_filter("tpl", |s: &str, _: Kwargs, state: &State| tpl(s, state));
    tera.register_function("tpl", |kw: Kwargs, state: &State| -> TeraResult<String> {
        let template: String = kw.must_get("template")?;
        tpl(&template, state)
    });
    tera.register_function("lookup", lookup);
    tera.register_function("filesGet", |kw: Kwargs, _: &State| -> TeraResult<String> {
        let path: String = kw.must_get("path")?;
        let scope = current()?;
        Ok(file_text(&scope, &path))
    });
    tera.register_function("filesLines", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let path: String = kw.must_get("path")?;
        let scope = current()?;
        let content = file_text(&scope, &path);
        let lines: Vec<Value> = content.lines().map(Value::from).collect();
        Ok(Value::from(lines))
    });
    tera.register_function("filesGlob", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let pattern: String = kw.must_get("pattern")?;
        glob(&pattern).map(|files| files_map(&files, false, false))
    });
    tera.register_function(
        "filesAsConfig",
        |kw: Kwargs, _: &State| -> TeraResult<String> {
            let pattern: String = kw.must_get("pattern")?;
            super::data::to_yaml(&files_map(&glob(&pattern)?, true, false))
        },
    );
    tera.register_function(
        "filesAsSecrets",
        |kw: Kwargs, _: &State| -> TeraResult<String> {
            let pattern: String = kw.must_get("pattern")?;
            super::data::to_yaml(&files_map(&glob(&pattern)?, true, true))
        },
    );
}

fn include(kw: Kwargs, state: &State) -> TeraResult<Value> {
    let name: String = kw.must_get("name")?;
    let scope = current()?;
    let depth = INCLUDES.with(|s| s.borrow().len());
    if depth >= MAX_INCLUDE_DEPTH {
        let chain = INCLUDES.with(|s| s.borrow().join(" -> "));
        return Err(Error::message(format!(
            "include {name:?}: nested deeper than {MAX_INCLUDE_DEPTH} levels (recursion: {chain} -> {name})"
        )));
    }
    let mut args = Context::new();
    for (k, v) in kw.iter() {
        if let Some(k) = k.as_str()
            && k != "name"
        {
            args.insert_value(k.to_string(), v.clone());
        }
    }
    let implicits = implicits(state, &scope)?;
    INCLUDES.with(|s| s.borrow_mut().push(name.clone()));
    let rendered = scope
        .tera
        .render_component_with_implicits(&name, &args, &implicits, None, false);
    INCLUDES.with(|s| s.borrow_mut().pop());
    match rendered {
        Ok(out) => Ok(Value::from(out)),
        Err(e) => {
            let inner = match e.kind() {
                tera::ErrorKind::ComponentNotFound(_) => format!(
                    "no named template {name:?} (define it in a partial with {{% component {name}(...) %}})"
                ),
                _ => flatten(&e, &scope.sources),
            };
            // Errors from nested includes already carry their chain; keep one line.
            Err(Error::message(format!("in include {name:?}: {inner}")))
        }
    }
}

fn tpl(template: &str, state: &State) -> TeraResult<String> {
    let scope = current()?;
    let ctx = implicits(state, &scope)?;
    scope
        .tera
        .render_str(template, &ctx, false)
        .map_err(|e| Error::message(format!("tpl: {}", flatten(&e, &scope.sources))))
}

fn lookup(kw: Kwargs, _: &State) -> TeraResult<Value> {
    let api_version: String = kw.must_get("apiVersion")?;
    let kind: String = kw.must_get("kind")?;
    let namespace: String = kw.get("namespace")?.unwrap_or_default();
    let name: String = kw.get("name")?.unwrap_or_default();
    let scope = current()?;
    match &scope.lookup {
        None => Ok(Value::from(tera::Map::new())),
        Some(l) => l
            .lookup(&api_version, &kind, &namespace, &name)
            .map(|v| super::convert::from_json(&v))
            .map_err(|e| Error::message(format!("lookup {kind} {namespace}/{name}: {e}"))),
    }
}

fn file_text(scope: &Scope, path: &str) -> String {
    scope
        .files
        .iter()
        .find(|f| f.name == path)
        .map(|f| String::from_utf8_lossy(&f.data).into_owned())
        .unwrap_or_default()
}

/// The files of the current chart matching a glob (`*` stays within a directory, `**` crosses).
fn glob(pattern: &str) -> TeraResult<Vec<ChartFile>> {
    let scope = current()?;
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| Error::message(format!("invalid glob {pattern:?}: {e}")))?
        .compile_matcher();
    Ok(scope
        .files
        .iter()
        .filter(|f| matcher.is_match(&f.name))
        .cloned()
        .collect())
}

/// Files as a map: full path or base name as key, text or base64 as value.
fn files_map(files: &[ChartFile], base_names: bool, base64: bool) -> Value {
    let mut map = tera::Map::new();
    for f in files {
        let key = if base_names {
            f.name.rsplit('/').next().unwrap_or(&f.name).to_string()
        } else {
            f.name.clone()
        };
        let value = if base64 {
            base64::engine::general_purpose::STANDARD.encode(&f.data)
        } else {
            String::from_utf8_lossy(&f.data).into_owned()
        };
        map.insert(key.into(), Value::from(value));
    }
    Value::from(map)
}

/// `asConfig` / `asSecrets` filters over a `filesGlob` map (keys become base names).
pub(super) fn register_glob_filters(tera: &mut Tera) {
    fn convert(v: &Value, base64: bool) -> TeraResult<String> {
        let map = v
            .as_map()
            .ok_or_else(|| Error::message("expects the map returned by filesGlob"))?;
        let files: Vec<ChartFile> = map
            .iter()
            .map(|(k, v)| {
                Ok(ChartFile {
                    name: k.as_str().unwrap_or_default().to_string(),
                    data: text(v)?.into_bytes(),
                })
            })
            .collect::<TeraResult<_>>()?;
        super::data::to_yaml(&files_map(&files, true, base64))
    }
    tera.register_filter("asConfig", |v: &Value, _: Kwargs, _: &State| {
        convert(v, false)
    });
    tera.register_filter("asSecrets", |v: &Value, _: Kwargs, _: &State| {
        convert(v, true)
    });
}
