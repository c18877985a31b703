//! `rudder search repo [KEYWORD]`: search the configured repositories' cached indexes.

use clap::{Args, Subcommand};

use super::output::{OutputFormat, structured};
use crate::repo::RepoPaths;
use crate::repo::search::SearchQuery;

/// Search for charts.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Search the repositories added with `repo add` for a keyword in chart names,
    /// descriptions and keywords.
    Repo(SearchRepoArgs),
}

/// `search repo` flags.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct SearchRepoArgs {
    /// The keyword (every chart when omitted).
    pub keyword: Option<String>,
    /// Only versions in this SemVer range.
    #[arg(long, value_name = "RANGE")]
    pub version: Option<String>,
    /// Show every matching version, not only the newest per chart.
    #[arg(short = 'l', long)]
    pub versions: bool,
    /// Include pre-release versions.
    #[arg(long)]
    pub devel: bool,
    /// Maximum width of the description column in table output.
    #[arg(long, default_value_t = 50)]
    pub max_col_width: usize,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// Runs `search`.
pub fn run(cmd: SearchCommand) -> anyhow::Result<()> {
    let SearchCommand::Repo(args) = cmd;
    let query = SearchQuery {
        keyword: args.keyword.unwrap_or_default(),
        version: args.version.unwrap_or_default(),
        versions: args.versions,
        devel: args.devel,
    };
    let out = crate::action::search::run(&RepoPaths::from_env(), &query)?;
    for w in &out.warnings {
        eprintln!("WARNING: {w}");
    }
    if let Some(text) = structured(args.output, &out.results)? {
        print!("{text}");
        return Ok(());
    }
    if out.results.is_empty() {
        println!("No results found");
        return Ok(());
    }
    let rows: Vec<[String; 4]> = out
        .results
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.version.clone(),
                r.app_version.clone(),
                truncate(&r.description, args.max_col_width),
            ]
        })
        .collect();
    let header = [
        "NAME".to_string(),
        "CHART VERSION".to_string(),
        "APP VERSION".to_string(),
        "DESCRIPTION".to_string(),
    ];
    let mut widths = [0usize; 3];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    use std::io::Write as _;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for row in std::iter::once(&header).chain(&rows) {
        writeln!(
            stdout,
            "{:<w0$}\t{:<w1$}\t{:<w2$}\t{}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )?;
    }
    stdout.flush()?;
    Ok(())
}

/// `text` cut to `max` characters, ending in `...` when cut (as Helm's table does).
fn truncate(text: &str, max: usize) -> String {
    if max == 0 || text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(3);
    let mut out: String = text.chars().take(keep).collect();
    out.push_str("...");
    out
}
