//! Render errors, flattened to one line that names `template:line:column`.

use std::collections::HashMap;

/// Why a chart could not be rendered. Every variant names the template (and position) at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// A template failed to parse or render: `chart/templates/x.yaml:3:14: message`.
    #[error("{0}")]
    Template(String),
    /// A rendered document is not valid YAML or lacks what a manifest needs.
    #[error("{template}: document {index}: {message}")]
    Manifest {
        /// The template that produced the document.
        template: String,
        /// 0-based index of the document within the template's output.
        index: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The chart cannot be rendered at all (a library chart, an unmet kubeVersion ...).
    #[error("{0}")]
    Chart(String),
}

/// Flattens a Tera error into one line: `file:line:column: message (near `source line`)`.
///
/// Tera's own `Display` draws a multi-line report; users and tests want one line, and the
/// source line helps name the missing path of an undefined value.
pub fn flatten(err: &tera::Error, sources: &HashMap<String, String>) -> String {
    use tera::ErrorKind;
    match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let span = report.span();
            let file = report.filename();
            let mut line = format!(
                "{file}:{}:{}: {}",
                span.start_line,
                span.start_col + 1,
                one_line(report.message())
            );
            if let Some(text) = sources
                .get(file)
                .and_then(|src| src.lines().nth(span.start_line.saturating_sub(1)))
            {
                let text = text.trim();
                if !text.is_empty() && !report.message().contains(" near `") {
                    let shown: String = text.chars().take(120).collect();
                    line.push_str(&format!(" (near `{shown}`)"));
                }
            }
            line
        }
        _ => {
            let mut msg = one_line(&err.to_string());
            let mut source = std::error::Error::source(err);
            while let Some(inner) = source {
                msg.push_str(": ");
                msg.push_str(&one_line(&inner.to_string()));
                source = inner.source();
            }
            msg
        }
    }
}

pub(crate) use crate::text::one_line;
