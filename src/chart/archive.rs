//! Safe reading of chart archives (`.tgz`): entirely in memory, never unpacked to disk.
//!
//! A chart archive is a gzip'd tar holding one top directory (`mychart/Chart.yaml`, ...). Every
//! entry is checked before a byte of it is kept: absolute paths, `..` components, links,
//! devices and FIFOs, entries outside the single top directory are refused, and the total
//! decompressed size and the number of entries are capped by [`ArchiveLimits`], counting the
//! bytes actually read so a lying tar header cannot get around the cap.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::GzDecoder;

use super::{ChartError, ChartFile};

/// Caps applied while reading an archive, so a hostile archive cannot exhaust memory or disk.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Maximum total decompressed size in bytes (default 100 MiB).
    pub max_bytes: u64,
    /// Maximum number of entries (default 10,000).
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_bytes: 100 * 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// What is left of the [`ArchiveLimits`] while loading a chart and its subcharts: nested
/// archives and directory files draw on the same budget, so nesting cannot multiply it.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// The limits the budget started from (named in errors).
    pub(crate) limits: ArchiveLimits,
    /// Bytes still allowed.
    pub(crate) bytes_left: u64,
    /// Entries (files, directories, links ...) still allowed.
    pub(crate) entries_left: usize,
}

impl Budget {
    /// A full budget for the given limits.
    pub(crate) fn new(limits: &ArchiveLimits) -> Self {
        Budget {
            limits: *limits,
            bytes_left: limits.max_bytes,
            entries_left: limits.max_entries,
        }
    }

    /// The message for a chart whose content is over the size cap.
    pub(crate) fn too_big(&self) -> String {
        format!(
            "decompressed chart is larger than the limit of {} bytes",
            self.limits.max_bytes
        )
    }

    /// The message for a chart with more entries than allowed.
    pub(crate) fn too_many(&self) -> String {
        format!(
            "chart has more than the limit of {} entries",
            self.limits.max_entries
        )
    }
}

/// The UTF-8 byte order mark, which Helm strips from every chart file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Strips a leading UTF-8 byte order mark, as Helm does for every chart file.
pub(crate) fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

/// Reads every regular file of a gzip'd tar chart archive into memory, refusing unsafe entries.
///
/// The single top directory (`mychart/`) is stripped: returned names are relative to the chart
/// root (`Chart.yaml`, `templates/x.yaml`), with `/` separators, in archive order. `archive`
/// names the archive in errors.
pub fn read_archive(
    archive: &str,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<Vec<ChartFile>, ChartError> {
    read_archive_with(archive, bytes, &mut Budget::new(limits)).map(|(_, files)| files)
}

/// [`read_archive`] drawing on a shared budget; also returns the name of the top directory.
pub(crate) fn read_archive_with(
    archive: &str,
    bytes: &[u8],
    budget: &mut Budget,
) -> Result<(String, Vec<ChartFile>), ChartError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        let hint = if archive.ends_with(".yaml") || archive.ends_with(".yml") {
            "seems to be a YAML file, but a chart directory or a gzipped archive was expected"
        } else {
            "is not a gzipped archive (expected a chart directory or a .tgz)"
        };
        return Err(invalid(archive, hint.to_string()));
    }
    // The tar stream itself (headers, padding, long names) is capped too, so a gzip bomb made
    // of tar metadata cannot run away either.
    let overhead = (budget.entries_left as u64 + 16).saturating_mul(2048);
    let stream_cap = budget
        .bytes_left
        .saturating_add(overhead)
        .saturating_add(1 << 20);
    let stream_read = Rc::new(Cell::new(0u64));
    let reader = CappedReader {
        inner: GzDecoder::new(bytes),
        read: Rc::clone(&stream_read),
        cap: stream_cap,
    };
    let mut tar = tar::Archive::new(reader);
    let entries = tar
        .entries()
        .map_err(|e| invalid(archive, format!("corrupt archive: {e}")))?;

    let mut top: Option<String> = None;
    let mut files: Vec<ChartFile> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut last_entry = String::new();
    for entry in entries {
        let mut entry = entry
            .map_err(|e| stream_error(archive, &last_entry, e, &stream_read, stream_cap, budget))?;
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        last_entry.clone_from(&raw_name);
        let refuse = |message: String| ChartError::Archive {
            archive: archive.to_string(),
            entry: raw_name.clone(),
            message,
        };
        if budget.entries_left == 0 {
            return Err(refuse(budget.too_many()));
        }
        budget.entries_left -= 1;

        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        if std::str::from_utf8(&entry.path_bytes()).is_err() {
            return Err(refuse("entry name is not valid UTF-8".into()));
        }
        let is_dir = kind.is_dir() || (kind.is_file() && raw_name.ends_with('/'));
        let parts = check_name(&raw_name).map_err(&refuse)?;
        if !is_dir && parts.len() < 2 {
            return Err(refuse(
                "file is outside the chart's top directory (a chart archive holds one directory)"
                    .into(),
            ));
        }
        match &top {
            None => top = Some(parts[0].to_string()),
            Some(t) if t != parts[0] => {
                return Err(refuse(format!(
                    "a second top directory {:?} (the archive already holds chart directory {t:?}; one chart per archive)",
                    parts[0]
                )));
            }
            Some(_) => {}
        }
        if is_dir {
            continue;
        }
        if kind.is_symlink() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            return Err(refuse(format!(
                "symbolic links are not allowed in a chart archive (link to {target:?})"
            )));
        }
        if kind.is_hard_link() {
            return Err(refuse(
                "hard links are not allowed in a chart archive".into(),
            ));
        }
        if kind.is_character_special() || kind.is_block_special() {
            return Err(refuse(
                "device files are not allowed in a chart archive".into(),
            ));
        }
        if kind.is_fifo() {
            return Err(refuse("FIFOs are not allowed in a chart archive".into()));
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            return Err(refuse(format!(
                "unsupported entry type {:?} in a chart archive",
                kind
            )));
        }
        let name = parts[1..].join("/");
        if !seen.insert(name.clone()) {
            return Err(refuse(format!("{name} appears twice in the archive")));
        }
        if entry.size() > budget.bytes_left {
            return Err(refuse(budget.too_big()));
        }
        // Count what is actually read: never trust the header's size.
        let mut data = Vec::with_capacity(entry.size().min(1 << 20) as usize);
        (&mut entry)
            .take(budget.bytes_left + 1)
            .read_to_end(&mut data)
            .map_err(|e| stream_error(archive, &raw_name, e, &stream_read, stream_cap, budget))?;
        if data.len() as u64 > budget.bytes_left {
            return Err(refuse(budget.too_big()));
        }
        budget.bytes_left -= data.len() as u64;
        files.push(ChartFile {
            name,
            data: strip_bom(data),
        });
    }
    // Read to the end of the gzip member so its checksum is verified.
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink())
        .map_err(|e| stream_error(archive, &last_entry, e, &stream_read, stream_cap, budget))?;
    match top {
        Some(top) if !files.is_empty() => Ok((top, files)),
        _ => Err(invalid(archive, "no files in chart archive".into())),
    }
}

/// Splits an entry name into its components after refusing absolute paths, Windows drive
/// paths and `..`; `\` separators (archives made on Windows) count as `/` as in Helm.
fn check_name(raw: &str) -> Result<Vec<&str>, String> {
    if raw.contains('\0') {
        return Err("entry name contains a NUL byte".into());
    }
    let sep = if raw.contains('\\') { '\\' } else { '/' };
    if raw.starts_with(sep) || raw.starts_with('/') {
        return Err("absolute paths are not allowed in a chart archive".into());
    }
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("drive-letter paths are not allowed in a chart archive".into());
    }
    let parts: Vec<&str> = raw
        .split(sep)
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err("parent directory (..) components are not allowed in a chart archive".into());
    }
    if parts.is_empty() {
        return Err("empty entry name".into());
    }
    Ok(parts)
}

/// Builds the error for a failure of the compressed stream: the size cap if the stream reader
/// hit it, a corrupt archive otherwise.
fn stream_error(
    archive: &str,
    entry: &str,
    err: io::Error,
    stream_read: &Cell<u64>,
    stream_cap: u64,
    budget: &Budget,
) -> ChartError {
    let message = if stream_read.get() > stream_cap {
        budget.too_big()
    } else {
        format!("corrupt archive: {}", one_line(&err.to_string()))
    };
    if entry.is_empty() {
        invalid(archive, message)
    } else {
        ChartError::Archive {
            archive: archive.to_string(),
            entry: entry.to_string(),
            message,
        }
    }
}

/// Keeps an error message on one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error about the archive as a whole.
fn invalid(archive: &str, message: String) -> ChartError {
    ChartError::Invalid {
        path: archive.to_string(),
        message,
    }
}

/// A reader that fails once more than `cap` bytes have come through it.
struct CappedReader<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    cap: u64,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.read.get().saturating_add(n as u64);
        self.read.set(total);
        if total > self.cap {
            return Err(io::Error::other("decompressed stream is over the size cap"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn strips_the_top_directory_and_the_bom() {
        let bytes = tgz(&[
            ("c/Chart.yaml", b"\xEF\xBB\xBFname: c"),
            ("c/templates/a.yaml", b"a"),
        ]);
        let files = read_archive("c.tgz", &bytes, &ArchiveLimits::default()).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
        assert_eq!(files[0].data, b"name: c");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("c/x").is_ok());
        assert_eq!(
            check_name("c\\templates\\x").unwrap(),
            ["c", "templates", "x"]
        );
        assert!(check_name("/etc/passwd").unwrap_err().contains("absolute"));
        assert!(check_name("\\evil").unwrap_err().contains("absolute"));
        assert!(check_name("C:/evil").unwrap_err().contains("drive"));
        assert!(check_name("c/../../evil").unwrap_err().contains(".."));
        assert!(check_name("c\\..\\evil").unwrap_err().contains(".."));
        assert_eq!(check_name("./c/./x").unwrap(), ["c", "x"]);
    }

    #[test]
    fn a_top_level_file_is_refused() {
        let bytes = tgz(&[("Chart.yaml", b"x")]);
        let e = read_archive("c.tgz", &bytes, &ArchiveLimits::default()).unwrap_err();
        assert!(e.to_string().contains("\"Chart.yaml\""), "{e}");
        assert!(e.to_string().contains("top directory"), "{e}");
    }

    #[test]
    fn the_byte_cap_counts_content_across_entries() {
        let bytes = tgz(&[("c/a", &[b'a'; 600]), ("c/b", &[b'b'; 600])]);
        let limits = ArchiveLimits {
            max_bytes: 1000,
            max_entries: 100,
        };
        let e = read_archive("c.tgz", &bytes, &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.tgz: entry \"c/b\": decompressed chart is larger than the limit of 1000 bytes"
        );
        let limits = ArchiveLimits {
            max_bytes: 1200,
            max_entries: 100,
        };
        assert_eq!(read_archive("c.tgz", &bytes, &limits).unwrap().len(), 2);
    }

    #[test]
    fn not_gzip_and_empty_archives_are_errors() {
        let e = read_archive("values.yaml", b"a: 1", &ArchiveLimits::default()).unwrap_err();
        assert!(e.to_string().contains("YAML file"), "{e}");
        let e = read_archive("x.tgz", b"PK\x03\x04", &ArchiveLimits::default()).unwrap_err();
        assert!(
            e.to_string().starts_with("x.tgz: is not a gzipped archive"),
            "{e}"
        );
        let e = read_archive("x.tgz", &tgz(&[]), &ArchiveLimits::default()).unwrap_err();
        assert_eq!(e.to_string(), "x.tgz: no files in chart archive");
    }

    #[test]
    fn a_corrupt_gzip_body_is_a_one_line_error() {
        let mut bytes = tgz(&[("c/Chart.yaml", &[b'x'; 2000])]);
        let mid = bytes.len() / 2;
        for b in &mut bytes[12..mid] {
            *b ^= 0x5a;
        }
        let e = read_archive("c.tgz", &bytes, &ArchiveLimits::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("c.tgz"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }

    /// A tar of raw headers (no path checks), for odd entry kinds.
    fn raw(entries: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (name, kind, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_old_mut().name[..name.len()].copy_from_slice(name);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(*kind);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn windows_separators_are_read_as_slashes() {
        let bytes = raw(&[
            (b"c\\Chart.yaml", tar::EntryType::Regular, b"x"),
            (b"c\\templates\\a.yaml", tar::EntryType::Regular, b"a"),
        ]);
        let files = read_archive("c.tgz", &bytes, &ArchiveLimits::default()).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
    }

    #[test]
    fn odd_entries_are_refused_or_skipped() {
        let limits = ArchiveLimits::default();
        let err = |entries: &[(&[u8], tar::EntryType, &[u8])]| {
            read_archive("c.tgz", &raw(entries), &limits)
                .unwrap_err()
                .to_string()
        };
        let e = err(&[
            (b"c/a", tar::EntryType::Regular, b"1"),
            (b"c/a", tar::EntryType::Regular, b"2"),
        ]);
        assert_eq!(e, "c.tgz: entry \"c/a\": a appears twice in the archive");
        let e = err(&[(b"c/\xff", tar::EntryType::Regular, b"1")]);
        assert!(e.ends_with("entry name is not valid UTF-8"), "{e}");
        let e = err(&[(b"c/s", tar::EntryType::new(b'Z'), b"")]);
        assert!(e.contains("entry \"c/s\": unsupported entry type"), "{e}");
        let e = err(&[(b"c/s", tar::EntryType::GNUSparse, b"")]);
        assert!(e.starts_with("c.tgz: "), "{e}");
        // Directory entries and pax global headers carry no file.
        let bytes = raw(&[
            (
                b"pax_global_header",
                tar::EntryType::XGlobalHeader,
                b"9 a=b\n\n",
            ),
            (b"c/", tar::EntryType::Directory, b""),
            (b"c/Chart.yaml", tar::EntryType::Regular, b"x"),
        ]);
        let files = read_archive("c.tgz", &bytes, &limits).unwrap();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn the_entry_cap_counts_every_entry() {
        let bytes = raw(&[
            (b"c/", tar::EntryType::Directory, b""),
            (b"c/a", tar::EntryType::Regular, b"1"),
            (b"c/b", tar::EntryType::Regular, b"2"),
        ]);
        let limits = ArchiveLimits {
            max_bytes: 1000,
            max_entries: 2,
        };
        let e = read_archive("c.tgz", &bytes, &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.tgz: entry \"c/b\": chart has more than the limit of 2 entries"
        );
    }
}
