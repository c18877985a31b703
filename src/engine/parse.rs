//! Rendered output to manifests, parsed while the templates are still rendering.
//!
//! Tera renders on one core; parsing the documents it produces (split, head, checks) is the
//! other large cost of a big render. Each template's output goes through a [`TemplateWriter`],
//! which hands complete documents over in pieces of [`PIECE`] bytes; once a render has produced
//! [`BACKGROUND`] bytes, a background thread parses the pieces while Tera goes on. Small renders
//! never start a thread: their pieces are parsed at the end, on the calling thread.
//!
//! The result is the same as parsing every template's output after the render, in template-path
//! order: document indexes count within each template, manifests and hooks come in template-path
//! then document order, and the error reported is the first one in that order.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use super::EngineError;
use super::manifest::{self, Hook, Manifest};

/// Complete documents are handed over once this many bytes of a template's output are waiting.
const PIECE: usize = 16 * 1024;
/// A render that has produced this much output starts the background parser.
const BACKGROUND: usize = 32 * 1024;

/// Manifests and hooks parsed from rendered output.
type Parsed = (Vec<Manifest>, Vec<Hook>);

/// A piece of one template's output: whole documents, cut where a line starts with `---`
/// (shared with the template's [`RenderedText`]).
type Piece = (Arc<str>, Arc<String>);

/// The parse of each template's output, in the order the templates were rendered.
#[derive(Default)]
struct Results {
    templates: Vec<(Arc<str>, Result<Parsed, EngineError>)>,
    /// Index of the next document of the last template.
    next_index: usize,
}

impl Results {
    /// Parses one piece; pieces of a template come in order, after its earlier pieces.
    fn parse(&mut self, template: Arc<str>, text: &str) {
        let same = self
            .templates
            .last()
            .is_some_and(|(name, _)| *name == template);
        if !same {
            self.templates
                .push((template, Ok((Vec::new(), Vec::new()))));
            self.next_index = 0;
        }
        let Some((name, result)) = self.templates.last_mut() else {
            return;
        };
        let Ok((manifests, hooks)) = result else {
            return; // the template has an error already: the rest of it does not matter
        };
        let docs: Vec<(&str, usize, &str)> = manifest::split_documents(text)
            .into_iter()
            .enumerate()
            .map(|(i, d)| (&**name, self.next_index + i, d))
            .collect();
        self.next_index += docs.len();
        match manifest::parse_documents(&docs) {
            Ok((m, h)) => {
                manifests.extend(m);
                hooks.extend(h);
            }
            Err(e) => *result = Err(e),
        }
    }
}

/// Collects the output of the templates of one render and parses it into manifests and hooks.
pub(super) struct OutputParser {
    /// Pieces not handed to a background thread (none started yet).
    pending: Vec<Piece>,
    pending_bytes: usize,
    background: Option<(Sender<Piece>, JoinHandle<Results>)>,
}

impl OutputParser {
    /// A parser for a new render.
    pub(super) fn new() -> Self {
        OutputParser {
            pending: Vec::new(),
            pending_bytes: 0,
            background: None,
        }
    }

    /// A writer for the output of the template `name` (rendered completely before the next).
    pub(super) fn template(&mut self, name: &str) -> TemplateWriter<'_> {
        TemplateWriter {
            parser: self,
            name: Arc::from(name),
            waiting: Vec::new(),
            pieces: Vec::new(),
            next_check: PIECE,
        }
    }

    fn hand_over(&mut self, piece: Piece) {
        if let Some((sender, _)) = &self.background {
            if let Err(returned) = sender.send(piece) {
                // The thread is gone (it panicked): parse here.
                self.pending.push(returned.0);
            }
            return;
        }
        self.pending_bytes += piece.1.len();
        self.pending.push(piece);
        if self.pending_bytes >= BACKGROUND {
            let (sender, receiver) = channel::<Piece>();
            let started = std::thread::Builder::new()
                .name("rudder-parse".into())
                .spawn(move || parse_all(receiver));
            if let Ok(handle) = started {
                for piece in self.pending.drain(..) {
                    let _ = sender.send(piece);
                }
                self.background = Some((sender, handle));
            }
        }
    }

    /// The manifests and hooks of every template of `outputs` (the full output by template
    /// path), in template-path then document order; the first error in that order.
    pub(super) fn finish(
        mut self,
        outputs: &BTreeMap<String, RenderedText>,
    ) -> Result<Parsed, EngineError> {
        let mut results = match self.background.take() {
            Some((sender, handle)) => {
                drop(sender);
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            None => Results::default(),
        };
        for (name, text) in self.pending.drain(..) {
            results.parse(name, &text);
        }
        let mut by_name: HashMap<Arc<str>, Result<Parsed, EngineError>> =
            results.templates.into_iter().collect();
        let (mut manifests, mut hooks) = (Vec::new(), Vec::new());
        for name in outputs.keys() {
            if let Some(result) = by_name.remove(name.as_str()) {
                let (m, h) = result?;
                manifests.extend(m);
                hooks.extend(h);
            }
        }
        Ok((manifests, hooks))
    }
}

/// The background parser: parses pieces as they come until the render ends.
fn parse_all(pieces: Receiver<Piece>) -> Results {
    let mut results = Results::default();
    for (name, text) in pieces {
        results.parse(name, &text);
    }
    results
}

/// Receives one template's output from Tera and hands complete documents to the parser.
///
/// The output is never held in one growing buffer: complete documents are cut off as pieces
/// (moved, not copied) and shared with the parser, so a large render does not pay for
/// reallocating and copying megabytes of text while Tera writes it.
pub(super) struct TemplateWriter<'p> {
    parser: &'p mut OutputParser,
    name: Arc<str>,
    /// Output not handed over yet (it starts at the start of a `---` line, or of the output).
    waiting: Vec<u8>,
    /// The output handed over so far, in order.
    pieces: Vec<Arc<String>>,
    /// The length of `waiting` at which to look for complete documents again.
    next_check: usize,
}

impl TemplateWriter<'_> {
    /// Hands over the complete documents waiting, if there are enough of them.
    fn hand_over_documents(&mut self) {
        if self.waiting.len() < self.next_check {
            return;
        }
        self.next_check = self.waiting.len() + PIECE;
        // The last line starting with `---` ends the complete documents.
        let Some(cut) = self.waiting.windows(4).rposition(|w| w == b"\n---") else {
            return;
        };
        let end = cut + 1;
        if std::str::from_utf8(&self.waiting[..end]).is_err() {
            // Reported by `finish`, which sees the same bytes; nothing more is cut.
            self.next_check = usize::MAX;
            return;
        }
        // The piece keeps the buffer; what follows it moves to a new one.
        let mut rest = Vec::with_capacity(PIECE + PIECE / 2);
        rest.extend_from_slice(&self.waiting[end..]);
        let mut piece = std::mem::replace(&mut self.waiting, rest);
        piece.truncate(end);
        let piece = Arc::new(String::from_utf8(piece).expect("checked above"));
        self.pieces.push(piece.clone());
        self.parser.hand_over((self.name.clone(), piece));
        self.next_check = self.waiting.len() + PIECE;
    }

    /// Ends the template: hands over the rest and returns the whole output (an error when it
    /// is not UTF-8, as Tera's own `render` reports it).
    pub(super) fn finish(mut self) -> Result<RenderedText, std::string::FromUtf8Error> {
        let rest = Arc::new(String::from_utf8(std::mem::take(&mut self.waiting))?);
        self.pieces.push(rest.clone());
        self.parser.hand_over((self.name.clone(), rest));
        Ok(RenderedText {
            pieces: self.pieces,
        })
    }
}

impl Write for TemplateWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.waiting.extend_from_slice(buf);
        self.hand_over_documents();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One template's raw output, kept in the pieces it was parsed in: joining them would copy a
/// large render once more, and only `lint` and `--output-dir`-like callers read it whole.
#[derive(Debug, Clone, Default)]
pub struct RenderedText {
    pieces: Vec<Arc<String>>,
}

/// Equal when the texts are, however they were cut.
impl PartialEq for RenderedText {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.text() == other.text()
    }
}

impl Eq for RenderedText {}

impl RenderedText {
    /// The whole output (borrowed when it is one piece).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self.pieces.as_slice() {
            [] => std::borrow::Cow::Borrowed(""),
            [one] => std::borrow::Cow::Borrowed(one.as_str()),
            many => std::borrow::Cow::Owned(many.iter().map(|p| p.as_str()).collect()),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(|p| p.len()).sum()
    }

    /// Whether the template rendered nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Display for RenderedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces.iter().try_for_each(|p| f.write_str(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `templates` (name, output) through writers written in small pieces, as Tera
    /// writes, and parses them.
    fn streamed(templates: &[(&str, String)]) -> Result<Parsed, EngineError> {
        let mut parser = OutputParser::new();
        let mut outputs = BTreeMap::new();
        for (name, text) in templates {
            let mut w = parser.template(name);
            for part in text.as_bytes().chunks(7) {
                w.write_all(part).unwrap();
            }
            let out = w.finish().unwrap();
            assert_eq!(out.text(), text.as_str(), "the whole output is kept");
            outputs.insert(name.to_string(), out);
        }
        parser.finish(&outputs)
    }

    /// The reference: every template's documents parsed after the render, in path order.
    fn after(templates: &[(&str, String)]) -> Result<Parsed, EngineError> {
        let mut sorted: Vec<_> = templates.to_vec();
        sorted.sort();
        let mut docs = Vec::new();
        for (name, text) in &sorted {
            for (i, d) in manifest::split_documents(text).into_iter().enumerate() {
                docs.push((*name, i, d));
            }
        }
        manifest::parse_documents(&docs)
    }

    fn objects(n: usize, kind: &str) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "---\n# {i}\napiVersion: v1\nkind: {kind}\nmetadata:\n  name: o-{i}\n  labels:\n    n: \"{i}\"\nspec:\n  ports:\n    - name: http\n      port: 80\n  data: |\n    some text\n    more text\n"
                )
            })
            .collect()
    }

    #[test]
    fn large_renders_parse_in_the_background_as_after_the_render() {
        // Rendered in an order other than the path order, with pieces cut inside templates.
        let templates = [
            ("c/templates/z.yaml", objects(900, "ConfigMap")),
            ("c/templates/a.yaml", objects(1200, "Service")),
            ("c/charts/s/templates/m.yaml", objects(10, "Pod")),
            ("c/templates/empty.yaml", String::new()),
        ];
        let total: usize = templates.iter().map(|(_, t)| t.len()).sum();
        assert!(total > 2 * BACKGROUND);
        let got = streamed(&templates).unwrap();
        assert_eq!(got, after(&templates).unwrap());
        assert_eq!(got.0.len(), 2110);
    }

    #[test]
    fn output_is_cut_into_pieces_and_invalid_utf8_is_still_an_error() {
        let text = objects(1000, "Service");
        let mut parser = OutputParser::new();
        let mut w = parser.template("c/templates/a.yaml");
        for part in text.as_bytes().chunks(100) {
            w.write_all(part).unwrap();
        }
        assert!(
            w.waiting.len() < 2 * PIECE,
            "only the unsent tail is buffered"
        );
        let out = w.finish().unwrap();
        assert!(out.pieces.len() > 1);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.to_string(), text);
        let one = RenderedText {
            pieces: vec![Arc::new(text.clone())],
        };
        assert_eq!(out, one, "equal texts cut differently are equal");

        // A byte that is not UTF-8 early in a large output: no piece holds it, `finish` fails.
        let mut bad = b"---\nkind: A\nname: \xff\n".to_vec();
        bad.extend_from_slice(text.as_bytes());
        let mut parser = OutputParser::new();
        let mut w = parser.template("c/templates/b.yaml");
        for part in bad.chunks(100) {
            w.write_all(part).unwrap();
        }
        assert!(w.pieces.is_empty());
        assert!(w.finish().is_err());
    }

    #[test]
    fn small_renders_parse_at_the_end() {
        let templates = [
            ("c/templates/b.yaml", objects(3, "Service")),
            ("c/templates/a.yaml", objects(2, "Pod")),
        ];
        assert_eq!(streamed(&templates).unwrap(), after(&templates).unwrap());
    }

    #[test]
    fn the_first_error_in_path_order_is_reported() {
        let bad = |n: usize, at: usize| {
            let mut text = objects(n, "Service");
            text.push_str("---\na: [\n");
            text.push_str(&objects(at, "Pod"));
            text
        };
        // Both templates are invalid; z renders first, a comes first in path order.
        let templates = [
            ("c/templates/z.yaml", bad(1500, 3)),
            ("c/templates/a.yaml", bad(1400, 2)),
        ];
        let err = streamed(&templates).unwrap_err();
        assert_eq!(err, after(&templates).unwrap_err());
        assert!(
            err.to_string()
                .starts_with("c/templates/a.yaml: document 1400:"),
            "{err}"
        );
    }
}
