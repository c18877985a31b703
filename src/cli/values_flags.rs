//! The values flags shared by every rendering command: `-f` and the `--set` family, kept in
//! command-line order.

use clap::{ArgMatches, Args};

use crate::values::options::{ValueOptions, ValueSource};

/// `-f/--values` and the `--set` family.
#[derive(Debug, Clone, Default, Args)]
pub struct ValuesArgs {
    /// Specify values in a YAML file (can specify multiple; `-` reads stdin).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values on the command line (a.b=1,c[0]=x; can specify multiple).
    #[arg(long = "set", value_name = "KEY=VAL")]
    pub set: Vec<String>,
    /// Set STRING values on the command line.
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    pub set_string: Vec<String>,
    /// Set values from files (key=path; the file's content becomes the value).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Set JSON values on the command line (key=<json>).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set a literal STRING value (no splitting on commas, no escapes).
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    pub set_literal: Vec<String>,
}

impl ValuesArgs {
    /// The options with the `--set` family in the order the flags appeared.
    pub fn to_options(&self, matches: &ArgMatches) -> ValueOptions {
        let mut ordered: Vec<(usize, ValueSource)> = Vec::new();
        let mut collect = |id: &str, make: fn(String) -> ValueSource| {
            if let (Some(indices), Some(values)) =
                (matches.indices_of(id), matches.get_many::<String>(id))
            {
                for (i, v) in indices.zip(values) {
                    ordered.push((i, make(v.clone())));
                }
            }
        };
        collect("set", ValueSource::Set);
        collect("set_string", ValueSource::SetString);
        collect("set_file", ValueSource::SetFile);
        collect("set_json", ValueSource::SetJson);
        collect("set_literal", ValueSource::SetLiteral);
        ordered.sort_by_key(|(i, _)| *i);
        ValueOptions {
            files: self.values.clone(),
            sets: ordered.into_iter().map(|(_, s)| s).collect(),
        }
    }
}
