//! `rudder show chart|values|readme|crds|all`: a chart's parts as Helm shows them.

use std::path::Path;

use super::ActionError;
use crate::chart::{self, Chart};

/// Which part of the chart to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowPart {
    /// `Chart.yaml`.
    Chart,
    /// `values.yaml` as shipped.
    Values,
    /// The README.
    Readme,
    /// The CRDs of `crds/`.
    Crds,
    /// All of the above, separated by `---`.
    All,
}

/// Returns the text `rudder show PART CHART` prints.
pub fn run(chart_path: &Path, part: ShowPart) -> Result<String, ActionError> {
    let chart = chart::load(chart_path)?;
    Ok(show(&chart, part))
}

/// The text of one part of a loaded chart.
pub fn show(chart: &Chart, part: ShowPart) -> String {
    let metadata = || yaml_serde::to_string(&chart.metadata).unwrap_or_default();
    let values = || chart.raw_values.clone().unwrap_or_default();
    let readme = || {
        chart
            .readme()
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .unwrap_or_default()
    };
    let crds = || {
        chart
            .crd_files()
            .map(|f| format!("---\n{}\n", String::from_utf8_lossy(&f.data).trim()))
            .collect::<String>()
    };
    match part {
        ShowPart::Chart => metadata(),
        ShowPart::Values => values(),
        ShowPart::Readme => readme(),
        ShowPart::Crds => crds(),
        ShowPart::All => {
            let mut out = metadata();
            for (text, always) in [(values(), true), (readme(), false), (crds(), false)] {
                if always || !text.is_empty() {
                    out.push_str("---\n");
                    out.push_str(&text);
                    if !text.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
            out
        }
    }
}
