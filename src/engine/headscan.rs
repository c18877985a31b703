//! The fast path for the heads of rendered documents.
//!
//! Every rendered document is parsed to check it is valid YAML and to read its head
//! (`apiVersion`, `kind`, `metadata.name/namespace/labels/annotations`). [`scan`] reads the
//! document with the block-YAML fast path ([`super::blockyaml`]) and collects the head; it
//! declines (`None`) whenever the document or its head is outside what it reads exactly as the
//! full parser does: head values that are not plain strings or quoted scalars without escapes,
//! repeated head fields (an error for the full parser), head maps written as lists ... The
//! caller then parses the document with the full parser (see `manifest::document_head`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::blockyaml::{self, Decline, R, Scalar, Sink};
use super::manifest::DocHead;

/// Reads the head of one trimmed document, or `None` when the document is outside the subset
/// this reader understands (the caller must then use the full parser).
pub fn scan(doc: &str) -> Option<DocHead> {
    super::linescan::scan(doc).or_else(|| block_scan(doc))
}

/// [`scan`] with the block-YAML reader alone (the line scanner reads a subset of what it reads).
pub(super) fn block_scan(doc: &str) -> Option<DocHead> {
    let mut sink = HeadSink::default();
    blockyaml::parse(doc, &mut sink).ok()?;
    let head = sink.head;
    let meta = head.metadata.unwrap_or_default();
    Some(DocHead {
        api_version: head.api_version.unwrap_or_default(),
        kind: head.kind.unwrap_or_default(),
        name: meta.name.unwrap_or_default(),
        namespace: meta.namespace,
        labels: meta.labels.unwrap_or_default(),
        annotations: meta.annotations.unwrap_or_default(),
    })
}

/// Whether a plain scalar is certainly read as a string (not null, a boolean or a number) by the
/// full parser (YAML 1.2 core schema): it starts with a letter and is not a null or boolean word.
fn plain_is_string(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && !matches!(
            s,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )
}

/// The text of a scalar the full parser certainly reads as that string, if it is one.
pub(super) fn string_of(s: Scalar<'_>) -> Option<Cow<'_, str>> {
    match s {
        Scalar::Plain(p) if plain_is_string(p) => Some(Cow::Borrowed(p)),
        Scalar::Quoted(q) => Some(q),
        _ => None,
    }
}

#[derive(Default)]
struct Head {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Meta>,
}

#[derive(Default)]
struct Meta {
    name: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
}

/// Which mapping is being read, for the keys whose values make up the head.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Meta,
    Labels,
    Annotations,
    Other,
}

/// What the value of the pending key is for.
enum Slot {
    ApiVersion,
    Kind,
    Name,
    Namespace,
    Metadata,
    Labels,
    Annotations,
    /// A label (or annotation) with this key.
    Entry(Role, String),
    Ignored,
}

enum Frame {
    Map {
        role: Role,
        /// The slot of the key whose value comes next.
        slot: Option<Slot>,
        /// Head fields seen in this mapping (a repeated one is an error for the full parser).
        seen: [bool; 4],
    },
    Seq,
}

/// Collects the head from the parser's events.
#[derive(Default)]
struct HeadSink {
    stack: Vec<Frame>,
    head: Head,
}

impl HeadSink {
    fn meta(&mut self) -> &mut Meta {
        self.head.metadata.get_or_insert_with(Meta::default)
    }

    /// The slot of the next value: the pending key's, `Ignored` in a sequence; the document's
    /// root (no frame) is `None`.
    fn take_slot(&mut self) -> R<Option<Slot>> {
        match self.stack.last_mut() {
            None => Ok(None),
            Some(Frame::Seq) => Ok(Some(Slot::Ignored)),
            Some(Frame::Map { slot, .. }) => slot.take().map(Some).ok_or(Decline),
        }
    }

    /// Starts a collection value: its role in the head, or a decline when the head needs a
    /// scalar there.
    fn collection_role(&mut self, is_map: bool) -> R<Role> {
        let role = match self.take_slot()? {
            None if is_map => Role::Root,
            Some(Slot::Ignored) => Role::Other,
            Some(Slot::Metadata) if is_map => {
                self.meta();
                Role::Meta
            }
            Some(Slot::Labels) if is_map => {
                self.meta().labels.get_or_insert_with(BTreeMap::new);
                Role::Labels
            }
            Some(Slot::Annotations) if is_map => {
                self.meta().annotations.get_or_insert_with(BTreeMap::new);
                Role::Annotations
            }
            _ => return Err(Decline),
        };
        Ok(role)
    }
}

impl<'a> Sink<'a> for HeadSink {
    fn map_start(&mut self) -> R<()> {
        let role = self.collection_role(true)?;
        self.stack.push(Frame::Map {
            role,
            slot: None,
            seen: [false; 4],
        });
        Ok(())
    }

    fn map_end(&mut self) -> R<()> {
        self.stack.pop();
        Ok(())
    }

    fn seq_start(&mut self) -> R<()> {
        self.collection_role(false)?;
        self.stack.push(Frame::Seq);
        Ok(())
    }

    fn seq_end(&mut self) -> R<()> {
        self.stack.pop();
        Ok(())
    }

    fn key(&mut self, key: Scalar<'a>) -> R<()> {
        let Some(Frame::Map { role, slot, seen }) = self.stack.last_mut() else {
            return Err(Decline);
        };
        let new = match role {
            Role::Other => Slot::Ignored,
            // A key the head needs but cannot read exactly (escapes, not a string): full parser.
            Role::Labels | Role::Annotations => {
                Slot::Entry(*role, string_of(key).ok_or(Decline)?.into_owned())
            }
            Role::Root | Role::Meta => {
                let key = string_of(key).ok_or(Decline)?;
                let (new, index) = match (*role, key.as_ref()) {
                    (Role::Root, "apiVersion") => (Slot::ApiVersion, 0),
                    (Role::Root, "kind") => (Slot::Kind, 1),
                    (Role::Root, "metadata") => (Slot::Metadata, 2),
                    (Role::Meta, "name") => (Slot::Name, 0),
                    (Role::Meta, "namespace") => (Slot::Namespace, 1),
                    (Role::Meta, "labels") => (Slot::Labels, 2),
                    (Role::Meta, "annotations") => (Slot::Annotations, 3),
                    _ => (Slot::Ignored, usize::MAX),
                };
                if let Some(seen) = seen.get_mut(index) {
                    if *seen {
                        return Err(Decline);
                    }
                    *seen = true;
                }
                new
            }
        };
        *slot = Some(new);
        Ok(())
    }

    fn scalar(&mut self, value: Scalar<'a>) -> R<()> {
        let text = |value| string_of(value).map(Cow::into_owned).ok_or(Decline);
        match self.take_slot()?.ok_or(Decline)? {
            Slot::Ignored => {}
            Slot::ApiVersion => self.head.api_version = Some(text(value)?),
            Slot::Kind => self.head.kind = Some(text(value)?),
            Slot::Name => self.meta().name = Some(text(value)?),
            Slot::Namespace => self.meta().namespace = Some(text(value)?),
            Slot::Entry(role, key) => {
                let value = text(value)?;
                let meta = self.meta();
                let map = if role == Role::Labels {
                    meta.labels.get_or_insert_with(BTreeMap::new)
                } else {
                    meta.annotations.get_or_insert_with(BTreeMap::new)
                };
                if map.insert(key, value).is_some() {
                    return Err(Decline);
                }
            }
            // A head map that is null or a scalar: the full parser decides.
            Slot::Metadata | Slot::Labels | Slot::Annotations => return Err(Decline),
        }
        Ok(())
    }
}
