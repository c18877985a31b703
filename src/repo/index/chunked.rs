//! A fast path for parsing large indexes in block layout (what Helm and every index generator
//! write): the `entries:` block is cut into one piece per chart at the lines that hold chart
//! keys, and the pieces are parsed separately, on all cores. The YAML parser buffers a whole
//! document's events before deserialising, so small pieces keep the peak memory near the size of
//! the result instead of many times the size of the file.
//!
//! Anything unusual (flow style, directives, several documents, an anchor used across charts,
//! an error anywhere) gives up with `None`, and the caller parses the whole document as one,
//! which also produces the error with its line.

use std::collections::BTreeMap;

use super::{ChartVersion, IndexFile};

/// One chart's lines: its text (the chart key line and everything below it).
type Piece<'a> = &'a str;

/// The charts one worker parsed, or `None` when a piece failed.
type Parsed = Option<Vec<(String, Vec<ChartVersion>)>>;

/// Parses `bytes` piecewise, or `None` when the layout is not the plain block one or any piece
/// fails (the caller then parses the document whole).
pub(super) fn parse(bytes: &[u8]) -> Option<IndexFile> {
    const WORTH_IT: usize = 256 * 1024;
    if bytes.len() < WORTH_IT {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let (rest, pieces) = split(text)?;
    let mut index: IndexFile = yaml_serde::from_str(&rest).ok()?;
    if !index.entries.is_empty() {
        return None;
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(pieces.len().max(1));
    let per_worker = pieces.len().div_ceil(workers.max(1)).max(1);
    let parsed: Vec<Parsed> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .chunks(per_worker)
            .map(|group| {
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(group.len());
                    for piece in group {
                        let map: BTreeMap<String, Vec<ChartVersion>> =
                            yaml_serde::from_str(piece).ok()?;
                        out.extend(map);
                    }
                    Some(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    for group in parsed {
        for (name, versions) in group? {
            if index.entries.insert(name, versions).is_some() {
                return None; // a duplicate chart key: let the whole parse decide
            }
        }
    }
    Some(index)
}

/// Splits the document into (everything but the body of `entries:`, one piece per chart).
fn split(text: &str) -> Option<(String, Vec<Piece<'_>>)> {
    if text.starts_with('%') || text.starts_with("---") || text.contains("\n%") {
        return None;
    }
    let mut rest = String::new();
    let mut pieces = Vec::new();
    let mut in_entries = false;
    let mut indent: Option<usize> = None;
    let mut piece_start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start_matches(' ');
        let blank = trimmed.is_empty() || trimmed.starts_with('#');
        let depth = content.len() - trimmed.len();
        if content.starts_with("---") || content.starts_with("...") || trimmed.starts_with('\t') {
            return None;
        }
        if !in_entries {
            if content.trim_end() == "entries:" {
                in_entries = true;
                rest.push_str("entries: {}\n");
            } else {
                rest.push_str(line);
            }
            continue;
        }
        if blank {
            continue;
        }
        if depth == 0 {
            // The next top-level key: the entries block is over.
            if let Some(s) = piece_start.take() {
                pieces.push(&text[s..start]);
            }
            in_entries = false;
            rest.push_str(line);
            continue;
        }
        let level = *indent.get_or_insert(depth);
        if depth < level {
            return None;
        }
        let is_key = depth == level && !trimmed.starts_with('-') && is_block_key(trimmed);
        if is_key {
            if let Some(s) = piece_start.replace(start) {
                pieces.push(&text[s..start]);
            }
        } else if piece_start.is_none() {
            return None;
        }
    }
    if let Some(s) = piece_start {
        pieces.push(&text[s..]);
    }
    if pieces.is_empty() {
        return None;
    }
    Some((rest, pieces))
}

/// Whether a line (without indentation) is a plain `key:` line opening a block value.
fn is_block_key(line: &str) -> bool {
    let line = line.trim_end();
    let Some(key) = line.strip_suffix(':') else {
        return false;
    };
    !key.is_empty()
        && !key.contains(": ")
        && !key.starts_with(['"', '\'', '{', '[', '&', '*', '!', '?', '|', '>'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block-layout index of `charts` charts with `versions` versions each, large enough to
    /// take the fast path, with comments, a blank line and a block scalar.
    fn big_index(charts: usize, versions: usize) -> String {
        let mut s = String::from("apiVersion: v1\nentries:\n");
        for c in 0..charts {
            s.push_str(&format!("  chart-{c}:\n"));
            for v in 0..versions {
                s.push_str(&format!(
                    "  - apiVersion: v2\n    name: chart-{c}\n    version: 1.{v}.0\n    description: |\n      line one\n      line two: with colon\n    digest: \"{:064}\"\n    urls:\n    - chart-{c}-1.{v}.0.tgz\n    # a comment\n\n",
                    v
                ));
            }
        }
        s.push_str("generated: \"2026-01-01T00:00:00Z\"\nserverInfo: {contextPath: /x}\n");
        s
    }

    #[test]
    fn piecewise_parse_equals_the_whole_parse() {
        let text = big_index(300, 6);
        assert!(text.len() > 256 * 1024);
        let fast = parse(text.as_bytes()).expect("fast path taken");
        let whole: IndexFile = yaml_serde::from_str(&text).unwrap();
        assert_eq!(fast, whole);
        assert_eq!(fast.entries.len(), 300);
        assert_eq!(fast.generated, "2026-01-01T00:00:00Z");
    }

    #[test]
    fn unusual_layouts_fall_back() {
        let text = big_index(300, 6);
        // Flow style, an anchor used across charts, a broken piece, a document marker.
        for bad in [
            text.replacen("  chart-0:\n", "  chart-0: []\n  chart-x:\n", 1),
            text.replacen("name: chart-1\n", "name: &a chart-1\n", 1)
                .replacen("name: chart-2\n", "name: *a\n", 1),
            text.replacen("version: 1.0.0\n", "version: [1.0.0\n", 1),
            format!("---\n{text}"),
        ] {
            assert!(parse(bad.as_bytes()).is_none());
        }
        assert!(parse(b"apiVersion: v1\nentries: {}\n").is_none());
    }
}
