//! TEMPORARY shim until the coalescing work lands.
use super::{Values, ValuesError};
use crate::chart::Chart;

/// The resolved chart and values.
pub struct Resolved {
    /// Chart with enabled dependencies.
    pub chart: Chart,
    /// Final values.
    pub values: Values,
}

/// Shallow merge only.
pub fn resolve(chart: &Chart, user: Values) -> Result<Resolved, ValuesError> {
    let mut values = chart.values.clone();
    values.extend(user);
    Ok(Resolved {
        chart: chart.clone(),
        values,
    })
}
