//! Rules on dependencies (Helm's `rules/dependencies.go`): every subchart shipped in `charts/`
//! is declared in `Chart.yaml`, and every declared dependency is shipped.

use std::collections::BTreeSet;

use super::Linter;
use crate::chart::Chart;

const DIR: &str = "charts/";

/// Whether every dependency declared in Chart.yaml is shipped in `charts/`.
pub fn all_shipped(chart: &Chart) -> bool {
    chart
        .metadata
        .dependencies
        .iter()
        .all(|d| chart.dependencies.iter().any(|c| c.name() == d.name))
}

/// Compares the declared dependencies of a loaded chart with the subcharts it ships.
pub fn lint(chart: &Chart, l: &mut Linter) {
    let shipped: BTreeSet<&str> = chart.dependencies.iter().map(Chart::name).collect();
    let declared: BTreeSet<&str> = chart
        .metadata
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let undeclared: Vec<&str> = shipped.difference(&declared).copied().collect();
    if !undeclared.is_empty() {
        l.error(
            DIR,
            format!(
                "chart metadata is missing these dependencies: {}",
                undeclared.join(",")
            ),
        );
    }
    let mut missing: Vec<&str> = Vec::new();
    for d in &chart.metadata.dependencies {
        if !shipped.contains(d.name.as_str()) && !missing.contains(&d.name.as_str()) {
            missing.push(&d.name);
        }
    }
    if !missing.is_empty() {
        l.warning(
            DIR,
            format!(
                "chart directory is missing these dependencies: {} (run `rudder dependency update`)",
                missing.join(",")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Dependency, Metadata};

    fn chart(name: &str) -> Chart {
        Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: "1.0.0".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn declared_and_shipped_must_agree() {
        let mut c = chart("top");
        c.metadata.dependencies = vec![
            Dependency {
                name: "db".into(),
                alias: Some("primary".into()),
                ..Default::default()
            },
            Dependency {
                name: "db".into(),
                alias: Some("replica".into()),
                ..Default::default()
            },
            Dependency {
                name: "cache".into(),
                ..Default::default()
            },
        ];
        c.dependencies = vec![chart("db"), chart("extra")];
        assert!(!all_shipped(&c));
        let mut l = Linter::default();
        lint(&c, &mut l);
        let m: Vec<String> = l.messages.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            m,
            vec![
                "[ERROR] charts/: chart metadata is missing these dependencies: extra",
                "[WARNING] charts/: chart directory is missing these dependencies: cache (run `rudder dependency update`)"
            ]
        );
    }
}
