//! The `--set` family: Helm 4's strvals grammar (`pkg/strvals`), reproduced rule for rule.
//!
//! One flag value such as `a.b[0]=x,c={1,2}` is parsed into a values map, merging into what is
//! already there, exactly as Helm does: the same key syntax (`.` maps, `[i]` lists, backslash
//! escapes), the same typing of `--set` values (`true`/`false`/`null` in any case, `int64` for
//! plain integers without a leading zero, everything else a string), the same gap filling of lists
//! with `null`, the same limits (index 65536, 30 nested names) and the same quirks (an expression
//! that ends inside an index such as `a[1` is silently ignored). The five flavours differ only in
//! how a value is read: typed, always a string, a JSON document, the literal rest of the
//! expression, or the content of a file named by the value.

use serde_json::{Map, Value};

use super::{Values, ValuesError};

/// The largest list index a `--set` expression may use (Helm's `MaxIndex`).
pub const MAX_INDEX: i64 = 65536;

/// The deepest `a.b.c` name nesting a `--set` expression may use (Helm's `MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How deep keys and list indexes may nest in total. Helm has no such limit (Go stacks grow); ours
/// keeps absurd expressions such as `a[0][0][0]…` ten thousand levels deep from exhausting the
/// stack, and is far beyond anything a chart can use.
pub const MAX_NESTING: usize = 512;

/// Which flag of the `--set` family an expression comes from: decides how values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: values typed as Helm types them (bool, null, int64, list `{a,b}`, else string).
    Typed,
    /// `--set-string`: the same grammar, every value a string.
    String,
    /// `--set-json`: each value is a JSON document; a whole JSON object alone is merged as is.
    Json,
    /// `--set-literal`: `key=value` where the value is the rest of the expression, verbatim.
    Literal,
    /// `--set-file`: each value names a file whose content becomes the value (a string).
    File,
}

impl SetKind {
    /// The command-line flag of this kind, for error locations.
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Typed => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
            SetKind::Literal => "--set-literal",
            SetKind::File => "--set-file",
        }
    }
}

/// Parses one flag value into `into` (merging with what is there, as Helm does).
///
/// `read_file` is called by [`SetKind::File`] only, with each value (a path) as written; it returns
/// the file's content or a one-line reason. Errors name the flag and expression as location and
/// say at which character (0-based) the parser found the problem.
pub fn parse_into(
    expr: &str,
    kind: SetKind,
    into: &mut Values,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), ValuesError> {
    let location = || format!("{} {}", kind.flag(), quote(expr));
    if kind == SetKind::Json && expr.trim_start().starts_with('{') {
        // Helm 4's `--set-json '{"a":1}'`: a whole JSON object, merged with Helm's mergeMaps.
        let object: Map<String, Value> = serde_json::from_str(expr.trim())
            .map_err(|e| ValuesError::new(location(), format!("invalid JSON object: {e}")))?;
        super::options::merge_maps(into, object);
        return Ok(());
    }
    let mode = match kind {
        SetKind::Typed => Mode::Typed,
        SetKind::String => Mode::Strings,
        SetKind::Json => Mode::Json,
        SetKind::Literal => Mode::Literal,
        SetKind::File => Mode::File(read_file),
    };
    let mut parser = Parser {
        chars: expr.chars().collect(),
        pos: 0,
        mode,
        depth: 0,
    };
    parser
        .parse(into)
        .map_err(|e| ValuesError::new(location(), format!("at position {}: {}", e.pos, e.message)))
}

/// Convenience: `--set` expression to a fresh map.
pub fn parse(expr: &str) -> Result<Values, ValuesError> {
    parse_kind(expr, SetKind::Typed)
}

/// Parses a `--set`, `--set-string`, `--set-json` or `--set-literal` expression to a fresh map.
/// (`--set-file` needs a file reader: use [`parse_into`]; here it fails on the first file.)
pub fn parse_kind(expr: &str, kind: SetKind) -> Result<Values, ValuesError> {
    let mut values = Values::new();
    parse_into(expr, kind, &mut values, &mut |path| {
        Err(format!("no file reader to read {path:?}"))
    })?;
    Ok(values)
}

/// Quotes an expression for an error location on one line: control characters are escaped, long
/// expressions are shortened.
fn quote(expr: &str) -> String {
    const MAX: usize = 120;
    let mut out = String::from("\"");
    for (n, c) in expr.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How values are read; the key grammar is shared.
enum Mode<'r> {
    Typed,
    Strings,
    Json,
    Literal,
    File(&'r mut dyn FnMut(&str) -> Result<String, String>),
}

/// A parse failure. `eof` marks Helm's `io.EOF` (possibly wrapped): the input ended where more was
/// expected, which Helm's top-level loop treats as the normal end of the expression.
#[derive(Debug)]
struct Failure {
    pos: usize,
    message: String,
    eof: bool,
}

impl Failure {
    fn at(pos: usize, message: impl Into<String>) -> Self {
        Failure {
            pos,
            message: message.into(),
            eof: false,
        }
    }

    fn eof(pos: usize) -> Self {
        Failure {
            pos,
            message: "unexpected end of expression".into(),
            eof: true,
        }
    }
}

/// What Helm's `valList` found after `=`.
enum ListRead {
    /// A `{a,b}` list.
    List(Vec<Value>),
    /// No `{`: the value is a scalar.
    NotList,
    /// The expression ended right after `=`.
    Eof,
}

type Step = Result<(), Failure>;

struct Parser<'r> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'r>,
    depth: usize,
}

impl Parser<'_> {
    /// Helm's `parse`: keys until the input ends; an end-of-input failure is success.
    fn parse(&mut self, data: &mut Values) -> Step {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(f) if f.eof => return Ok(()),
                Err(f) => return Err(f),
            }
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Helm's `runesUntil`: characters up to (and consuming) one of `stop`, with `\x` meaning a
    /// literal `x` except in literal mode. `None` as stop character means the input ended.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let escapes = !matches!(self.mode, Mode::Literal);
        let mut out = String::new();
        loop {
            match self.read() {
                None => return (out, None),
                Some(c) if stop.contains(&c) => return (out, Some(c)),
                Some('\\') if escapes => match self.read() {
                    Some(next) => out.push(next),
                    None => return (out, None),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// Bounds the total nesting of keys and indexes (see [`MAX_NESTING`]).
    fn enter(&mut self) -> Step {
        if self.depth >= MAX_NESTING {
            return Err(Failure::at(
                self.pos,
                format!("keys and indexes nest deeper than {MAX_NESTING} levels"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Helm's `key`: one `name…=value` assignment into `data`.
    fn key(&mut self, data: &mut Values, level: usize) -> Step {
        self.enter()?;
        let result = self.key_inner(data, level);
        self.depth -= 1;
        result
    }

    fn key_inner(&mut self, data: &mut Values, mut level: usize) -> Step {
        let start = self.pos;
        let stop: &[char] = if matches!(self.mode, Mode::Literal) {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (key, last) = self.until(stop);
        match last {
            None if key.is_empty() => Err(Failure::eof(self.pos)),
            None => Err(Failure::at(start, format!("key {key:?} has no value"))),
            Some('[') => {
                let index = self.key_index()?;
                if let Some(existing) = data.get_mut(&key) {
                    let list = as_list(existing, &key, start)?;
                    return self.list_item(list, index, level);
                }
                let mut list = Vec::new();
                let result = self.list_item(&mut list, index, level);
                set(data, key, Value::Array(list));
                result
            }
            Some('=') => self.assign(data, key),
            Some(',') => Err(Failure::at(
                start,
                format!("key {key:?} has no value (cannot end with ,)"),
            )),
            Some(_) => {
                // '.': a nested map.
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(Failure::at(
                        start,
                        format!(
                            "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                        ),
                    ));
                }
                if let Some(existing) = data.get_mut(&key) {
                    let inner = as_map(existing, &key, start)?;
                    let result = self.key(inner, level);
                    if result.is_ok() && inner.is_empty() {
                        return Err(Failure::at(start, format!("key map {key:?} has no value")));
                    }
                    return result;
                }
                let mut inner = Map::new();
                let result = self.key(&mut inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(Failure::at(start, format!("key map {key:?} has no value")));
                }
                if !inner.is_empty() {
                    set(data, key, Value::Object(inner));
                }
                result
            }
        }
    }

    /// `key=…` in a map: reads the value as the mode says and sets it.
    fn assign(&mut self, data: &mut Values, key: String) -> Step {
        match self.mode {
            Mode::Literal => {
                let value = self.rest();
                set(data, key, Value::String(value));
                Ok(())
            }
            Mode::Json => {
                let value = self.json_value()?;
                set(data, key, value);
                Ok(())
            }
            _ => match self.value_list()? {
                ListRead::List(list) => {
                    set(data, key, Value::Array(list));
                    Ok(())
                }
                ListRead::Eof => {
                    set(data, key, Value::String(String::new()));
                    Err(Failure::eof(self.pos))
                }
                ListRead::NotList => {
                    let start = self.pos;
                    let (raw, _) = self.until(&[',']);
                    let value = self.read_value(&raw, start)?;
                    set(data, key, value);
                    Ok(())
                }
            },
        }
    }

    /// Helm's `keyIndex`: the text up to `]`, as a decimal integer.
    fn key_index(&mut self) -> Result<i64, Failure> {
        let start = self.pos;
        let (text, last) = self.until(&[']']);
        if last.is_none() {
            let mut f = Failure::eof(self.pos);
            f.message = "error parsing index: unterminated '['".into();
            return Err(f);
        }
        text.parse::<i64>()
            .map_err(|e| Failure::at(start, format!("error parsing index {text:?}: {e}")))
    }

    /// Helm's `listItem`: what follows `[index]` (`=`, `.`, or another `[`), applied to `list`.
    fn list_item(&mut self, list: &mut Vec<Value>, index: i64, level: usize) -> Step {
        self.enter()?;
        let result = self.list_item_inner(list, index, level);
        self.depth -= 1;
        result
    }

    fn list_item_inner(&mut self, list: &mut Vec<Value>, index: i64, level: usize) -> Step {
        let start = self.pos;
        if index < 0 {
            return Err(Failure::at(
                start,
                format!("negative {index} index not allowed"),
            ));
        }
        let (extra, last) = self.until(&['[', '.', '=']);
        if !extra.is_empty() {
            return Err(Failure::at(
                start,
                format!("unexpected data at end of array index: {extra:?}"),
            ));
        }
        // `index` is non-negative here; past `usize` it is past MAX_INDEX too.
        let slot = usize::try_from(index).unwrap_or(usize::MAX);
        match last {
            None => Err(Failure::eof(self.pos)),
            Some('=') => {
                let value = match self.mode {
                    Mode::Literal => Value::String(self.rest()),
                    Mode::Json => self.json_value()?,
                    _ => match self.value_list()? {
                        ListRead::List(items) => Value::Array(items),
                        ListRead::Eof => Value::String(String::new()),
                        ListRead::NotList => {
                            let value_start = self.pos;
                            let (raw, _) = self.until(&[',']);
                            self.read_value(&raw, value_start)?
                        }
                    },
                };
                set_index(list, index, value, start)
            }
            Some('[') => {
                let next = self.key_index()?;
                match list.get_mut(slot) {
                    Some(Value::Null) | None => {
                        let mut inner = Vec::new();
                        self.list_item(&mut inner, next, level)?;
                        set_index(list, index, Value::Array(inner), start)
                    }
                    Some(Value::Array(inner)) => {
                        self.list_item(inner, next, level)?;
                        check_index(index, start)
                    }
                    Some(other) => Err(Failure::at(
                        start,
                        format!("index {index} holds {}, not a list", super::describe(other)),
                    )),
                }
            }
            Some(_) => {
                // '.': a map inside the list; a non-map already there is replaced.
                if let Some(existing) = list.get_mut(slot) {
                    if !existing.is_object() {
                        *existing = Value::Object(Map::new());
                    }
                    if let Value::Object(inner) = existing {
                        self.key(inner, level)?;
                    }
                    return check_index(index, start);
                }
                let mut inner = Map::new();
                self.key(&mut inner, level)?;
                set_index(list, index, Value::Object(inner), start)
            }
        }
    }

    /// Helm's `valList`: a `{a,b,…}` list right after `=`, each item read as the mode says.
    fn value_list(&mut self) -> Result<ListRead, Failure> {
        let open = self.pos;
        match self.read() {
            None => return Ok(ListRead::Eof),
            Some('{') => {}
            Some(_) => {
                self.pos -= 1;
                return Ok(ListRead::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let item_start = self.pos;
            let (raw, last) = self.until(&[',', '}']);
            match last {
                None => {
                    return Err(Failure::at(open, "list must terminate with '}'"));
                }
                Some('}') => {
                    // A ',' right after the list is consumed with it.
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    list.push(self.read_value(&raw, item_start)?);
                    return Ok(ListRead::List(list));
                }
                Some(_) => list.push(self.read_value(&raw, item_start)?),
            }
        }
    }

    /// Converts one raw value as the mode says (Helm's `reader`): typed, string, or file content.
    fn read_value(&mut self, raw: &str, start: usize) -> Result<Value, Failure> {
        match &mut self.mode {
            Mode::Typed => Ok(typed_value(raw)),
            Mode::File(read_file) => read_file(raw).map(Value::String).map_err(|reason| {
                Failure::at(start, format!("cannot read file {raw:?}: {reason}"))
            }),
            _ => Ok(Value::String(raw.to_string())),
        }
    }

    /// The rest of the expression, verbatim (`--set-literal` values).
    fn rest(&mut self) -> String {
        let value: String = self.chars[self.pos..].iter().collect();
        self.pos = self.chars.len();
        value
    }

    /// Helm's `emptyVal`: skips white space; true (consuming it) at a `,` or the end, else false
    /// (leaving the first other character unread).
    fn empty_value(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.pos -= 1;
                    return false;
                }
            }
        }
    }

    /// A `--set-json` value after `key=`: empty means null, else one JSON document followed by
    /// optional white space and a `,`.
    fn json_value(&mut self) -> Result<Value, Failure> {
        let start = self.pos;
        if self.empty_value() {
            return Ok(Value::Null);
        }
        let value = self.json_document(start)?;
        self.empty_value();
        Ok(value)
    }

    /// Decodes the JSON document starting at the current position and consumes exactly its
    /// characters, as Go's `json.Decoder` does for the first value of a stream.
    fn json_document(&mut self, start: usize) -> Result<Value, Failure> {
        let len = json_extent(&self.chars[self.pos..])
            .map_err(|message| Failure::at(start, format!("invalid JSON value: {message}")))?;
        let text: String = self.chars[self.pos..self.pos + len].iter().collect();
        let value = serde_json::from_str(&text)
            .map_err(|e| Failure::at(start, format!("invalid JSON value: {e}")))?;
        self.pos += len;
        Ok(value)
    }
}

/// The length in characters of the JSON value at the start of `s`, found as Go's JSON scanner
/// finds it: a number or literal ends at the first character that cannot continue it, a string,
/// array or object at its closing character. The text is validated afterwards by serde_json.
fn json_extent(s: &[char]) -> Result<usize, String> {
    let first = *s.first().ok_or("unexpected end of JSON input")?;
    match first {
        '{' | '[' => {
            let mut depth = 0usize;
            let mut in_string = false;
            let mut escaped = false;
            for (n, &c) in s.iter().enumerate() {
                if in_string {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_string = true,
                    '{' | '[' => depth += 1,
                    '}' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(n + 1);
                        }
                    }
                    _ => {}
                }
            }
            Err("unexpected end of JSON input".into())
        }
        '"' => {
            let mut escaped = false;
            for (n, &c) in s.iter().enumerate().skip(1) {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => return Ok(n + 1),
                    _ => {}
                }
            }
            Err("unexpected end of JSON input".into())
        }
        't' | 'f' | 'n' => {
            let word = match first {
                't' => "true",
                'f' => "false",
                _ => "null",
            };
            let matches = word.chars().enumerate().all(|(n, w)| s.get(n) == Some(&w));
            if matches {
                Ok(word.len())
            } else {
                Err(format!("invalid literal (expected {word})"))
            }
        }
        '-' | '0'..='9' => number_extent(s),
        c => Err(format!(
            "invalid character {c:?} looking for beginning of value"
        )),
    }
}

/// The length of the JSON number at the start of `s` (Go's scanner states for numbers).
fn number_extent(s: &[char]) -> Result<usize, String> {
    let digit = |n: usize| s.get(n).is_some_and(|c| c.is_ascii_digit());
    let digits_from = |mut n: usize| {
        while digit(n) {
            n += 1;
        }
        n
    };
    let mut n = 0;
    if s.first() == Some(&'-') {
        n = 1;
    }
    match s.get(n) {
        Some('0') => n += 1,
        Some('1'..='9') => n = digits_from(n + 1),
        _ => return Err("in numeric literal: expected a digit".into()),
    }
    if s.get(n) == Some(&'.') {
        if !digit(n + 1) {
            return Err("after decimal point in numeric literal: expected a digit".into());
        }
        n = digits_from(n + 1);
    }
    if matches!(s.get(n), Some('e' | 'E')) {
        n += 1;
        if matches!(s.get(n), Some('+' | '-')) {
            n += 1;
        }
        if !digit(n) {
            return Err("in exponent of numeric literal: expected a digit".into());
        }
        n = digits_from(n);
    }
    Ok(n)
}

/// Helm's `set`: an empty key is ignored.
fn set(data: &mut Values, key: String, value: Value) {
    if !key.is_empty() {
        data.insert(key, value);
    }
}

/// Helm's `setIndex`: puts `value` at `index`, growing the list with nulls; refuses negative
/// indexes and indexes past [`MAX_INDEX`].
fn set_index(list: &mut Vec<Value>, index: i64, value: Value, pos: usize) -> Step {
    check_index(index, pos)?;
    let slot = index as usize; // 0..=MAX_INDEX
    if list.len() <= slot {
        list.resize(slot + 1, Value::Null);
    }
    list[slot] = value;
    Ok(())
}

/// The bounds `setIndex` enforces, also when the slot already exists (a long list from a file).
fn check_index(index: i64, pos: usize) -> Step {
    if index < 0 {
        return Err(Failure::at(
            pos,
            format!("negative {index} index not allowed"),
        ));
    }
    if index > MAX_INDEX {
        return Err(Failure::at(
            pos,
            format!("index of {index} is greater than maximum supported index of {MAX_INDEX}"),
        ));
    }
    Ok(())
}

/// The existing value under `key` as a map, or the error Helm reports when it is something else.
fn as_map<'v>(value: &'v mut Value, key: &str, pos: usize) -> Result<&'v mut Values, Failure> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Failure::at(
            pos,
            format!("key {key:?} holds {}, not a map", super::describe(other)),
        )),
    }
}

/// The existing value under `key` as a list, or the error Helm reports when it is something else.
fn as_list<'v>(value: &'v mut Value, key: &str, pos: usize) -> Result<&'v mut Vec<Value>, Failure> {
    match value {
        Value::Array(list) => Ok(list),
        other => Err(Failure::at(
            pos,
            format!("key {key:?} holds {}, not a list", super::describe(other)),
        )),
    }
}

/// Helm's `typedVal` for `--set`: `true`/`false`/`null` in any case (Unicode case folding, as Go's
/// `strings.EqualFold`), `0`, and base-10 `int64`s not starting with `0` (a sign is allowed);
/// everything else stays a string (`012`, `1e3`, `0x1F`, `1.5`, overflowing integers).
pub fn typed_value(raw: &str) -> Value {
    if equal_fold(raw, "true") {
        return Value::Bool(true);
    }
    if equal_fold(raw, "false") {
        return Value::Bool(false);
    }
    if equal_fold(raw, "null") {
        return Value::Null;
    }
    if raw == "0" {
        return Value::from(0i64);
    }
    if !raw.is_empty()
        && !raw.starts_with('0')
        && let Ok(n) = raw.parse::<i64>()
    {
        return Value::from(n);
    }
    Value::String(raw.to_string())
}

/// Go's `strings.EqualFold` against an ASCII lowercase word: ASCII case-insensitive, plus the two
/// non-ASCII letters whose simple case folding reaches an ASCII letter (`ſ` → s, `K` (Kelvin) → k).
fn equal_fold(s: &str, word: &str) -> bool {
    let mut chars = s.chars();
    for w in word.chars() {
        let Some(c) = chars.next() else {
            return false;
        };
        let folded = match c {
            '\u{17F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        };
        if folded != w {
            return false;
        }
    }
    chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn set(expr: &str) -> Value {
        Value::Object(parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}")))
    }

    fn kind(expr: &str, kind: SetKind) -> Value {
        Value::Object(parse_kind(expr, kind).unwrap_or_else(|e| panic!("{expr}: {e}")))
    }

    fn error(expr: &str, kind: SetKind) -> String {
        match parse_kind(expr, kind) {
            Ok(v) => panic!("{expr} parsed to {v:?}, expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn typed_values_follow_helm_typed_val() {
        for (raw, want) in [
            ("true", json!(true)),
            ("TrUe", json!(true)),
            ("FALSE", json!(false)),
            ("falſe", json!(false)),
            ("null", Value::Null),
            ("NuLL", Value::Null),
            ("0", json!(0)),
            ("-0", json!(0)),
            ("+0", json!(0)),
            ("7", json!(7)),
            ("+7", json!(7)),
            ("-01", json!(-1)),
            ("9223372036854775807", json!(i64::MAX)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("9223372036854775808", json!("9223372036854775808")),
            ("00", json!("00")),
            ("012", json!("012")),
            ("1e3", json!("1e3")),
            ("0x1F", json!("0x1F")),
            ("1.5", json!("1.5")),
            ("1_000", json!("1_000")),
            (" 1", json!(" 1")),
            ("yes", json!("yes")),
            ("", json!("")),
        ] {
            assert_eq!(typed_value(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn nested_maps_merge_and_later_keys_win() {
        assert_eq!(
            set("a.b=1,a.c=2,d=x,a.b=3"),
            json!({"a": {"b": 3, "c": 2}, "d": "x"})
        );
        let mut into = parse("a.keep=1,a.b=old").unwrap();
        parse_into(
            "a.b=new",
            SetKind::Typed,
            &mut into,
            &mut |_| unreachable!(),
        )
        .unwrap();
        assert_eq!(Value::Object(into), json!({"a": {"keep": 1, "b": "new"}}));
    }

    #[test]
    fn lists_fill_gaps_with_null_and_nest() {
        assert_eq!(set("a[2]=x"), json!({"a": [null, null, "x"]}));
        assert_eq!(set("a[0]=x,a[2]=y"), json!({"a": ["x", null, "y"]}));
        assert_eq!(set("a[1][1]=1"), json!({"a": [null, [null, 1]]}));
        assert_eq!(
            set("a[1].b=1,a[0].c=2,a[1].d=3"),
            json!({"a": [{"c": 2}, {"b": 1, "d": 3}]})
        );
        // `.` after an index replaces a non-map entry with a map.
        assert_eq!(set("a[0]=1,a[0].b=2"), json!({"a": [{"b": 2}]}));
        assert_eq!(
            set("a={1,x,true},b={}"),
            json!({"a": [1, "x", true], "b": [""]})
        );
        assert_eq!(set("a={1,2}b=3"), json!({"a": [1, 2], "b": 3}));
    }

    #[test]
    fn escapes_and_empty_values() {
        assert_eq!(set(r"a=b\,c,d\.e=1"), json!({"a": "b,c", "d.e": 1}));
        assert_eq!(set(r"a\=b=c\\d"), json!({"a=b": r"c\d"}));
        assert_eq!(set(r"a={x\,y,z\}}"), json!({"a": ["x,y", "z}"]}));
        assert_eq!(set(r"a=b\"), json!({"a": "b"}));
        assert_eq!(set("a=,b=2"), json!({"a": "", "b": 2}));
        assert_eq!(set("a=1,"), json!({"a": 1}));
        assert_eq!(set("=1"), json!({}));
        assert_eq!(set(""), json!({}));
    }

    #[test]
    fn input_ending_inside_a_key_is_ignored_as_helm_does() {
        assert_eq!(set("a[1"), json!({}));
        assert_eq!(set("a[0]"), json!({"a": []}));
        assert_eq!(set("a[0].c="), json!({"a": []}));
        assert_eq!(set("a.b="), json!({"a": {"b": ""}}));
        assert_eq!(set("a[70000]"), json!({"a": []}));
        assert_eq!(set("a[0]=1,a[0]."), json!({"a": [{}]}));
    }

    #[test]
    fn index_limits() {
        let big = set("a[65536]=x");
        assert_eq!(big["a"].as_array().map(Vec::len), Some(65537));
        assert!(error("a[65537]=x", SetKind::Typed).contains("maximum supported index of 65536"));
        assert!(error("a[-1]=x", SetKind::Typed).contains("negative -1 index not allowed"));
        assert!(error("a[0][-2]=x", SetKind::Typed).contains("negative -2 index"));
        // A long list already there (from a values file) is still capped, as Helm caps it.
        let mut into = Values::new();
        into.insert("a".into(), Value::Array(vec![json!({}); 70000]));
        let e = parse_into(
            "a[66000].b=1",
            SetKind::Typed,
            &mut into,
            &mut |_| unreachable!(),
        );
        assert!(e.unwrap_err().message.contains("maximum supported index"));
    }

    #[test]
    fn name_nesting_is_capped_at_30_levels() {
        let names = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(".")
        };
        assert!(parse(&format!("{}=x", names(31))).is_ok());
        let e = error(&format!("{}=x", names(32)), SetKind::Typed);
        assert!(e.contains("maximum supported nested level of 30"), "{e}");
    }

    #[test]
    fn deep_list_nesting_is_an_error_not_a_crash() {
        let expr = format!("a{}=1", "[0]".repeat(100_000));
        let e = error(&expr, SetKind::Typed);
        assert!(e.contains("nest deeper than 512 levels"), "{e}");
        let deep = parse(&format!("a{}=1", "[0]".repeat(500))).unwrap();
        let mut node = &deep["a"];
        for _ in 1..500 {
            node = &node[0];
        }
        assert_eq!(node, &json!([1]));
    }

    #[test]
    fn errors_name_the_flag_expression_and_position() {
        let e = parse("a[x]=1").unwrap_err();
        assert_eq!(e.location, r#"--set "a[x]=1""#);
        assert!(
            e.message
                .starts_with("at position 2: error parsing index \"x\""),
            "{e}"
        );
        let e = parse_kind("a.b=1,c", SetKind::String).unwrap_err();
        assert_eq!(e.location, r#"--set-string "a.b=1,c""#);
        assert_eq!(e.message, r#"at position 6: key "c" has no value"#);
        assert_eq!(
            error("a=1,,b=2", SetKind::Typed),
            r#"--set "a=1,,b=2": at position 4: key "" has no value (cannot end with ,)"#
        );
        assert!(error("a.=1", SetKind::Typed).contains(r#"key map "a" has no value"#));
        assert!(error("a={1,2", SetKind::Typed).contains("list must terminate with '}'"));
        assert!(error("a[0]x=1", SetKind::Typed).contains("unexpected data at end of array index"));
        assert!(error("a\nb", SetKind::Typed).starts_with(r#"--set "a\nb": "#));
    }

    #[test]
    fn existing_values_of_the_wrong_type_are_errors() {
        assert!(
            error("a=1,a.b=2", SetKind::Typed).contains(r#"key "a" holds a number, not a map"#)
        );
        assert!(
            error("a=null,a[0]=1", SetKind::Typed).contains(r#"key "a" holds null, not a list"#)
        );
        assert!(error("a[0]=x,a[0][0]=1", SetKind::Typed).contains("index 0 holds a string"));
        // ...but a null list entry can become a list.
        assert_eq!(set("a[1]=x,a[0][0]=1"), json!({"a": [[1], "x"]}));
    }

    #[test]
    fn set_string_keeps_every_value_a_string() {
        assert_eq!(
            kind("a=1,b=true,c=null,d={1,false},e[1]=0", SetKind::String),
            json!({"a": "1", "b": "true", "c": "null", "d": ["1", "false"], "e": [null, "0"]})
        );
    }

    #[test]
    fn set_literal_takes_the_rest_verbatim() {
        assert_eq!(
            kind(r"a.b=x,y=z\,{1}", SetKind::Literal),
            json!({"a": {"b": r"x,y=z\,{1}"}})
        );
        assert_eq!(
            kind("a[1]=v=w", SetKind::Literal),
            json!({"a": [null, "v=w"]})
        );
        assert_eq!(kind(r"a\,b=1", SetKind::Literal), json!({r"a\,b": "1"}));
        assert!(error("a,b", SetKind::Literal).contains(r#"key "a,b" has no value"#));
    }

    #[test]
    fn set_json_reads_one_document_per_key() {
        assert_eq!(
            kind(
                r#"a={"b":[1,{"c":null}]},d="x,y"  ,e=,f=true"#,
                SetKind::Json
            ),
            json!({"a": {"b": [1, {"c": null}]}, "d": "x,y", "e": null, "f": true})
        );
        assert_eq!(kind("a=1 b=2", SetKind::Json), json!({"a": 1, "b": 2}));
        assert_eq!(
            kind(r#"a[1]=[2]"#, SetKind::Json),
            json!({"a": [null, [2]]})
        );
        assert!(error("a=01", SetKind::Json).contains(r#"key "1" has no value"#));
        assert!(error("a=tru", SetKind::Json).contains("invalid JSON value"));
        assert!(error("a=[1,2", SetKind::Json).contains("unexpected end of JSON input"));
        assert!(error("a=1e400", SetKind::Json).contains("invalid JSON value"));
    }

    #[test]
    fn set_json_whole_object_merges_like_helm_merge_maps() {
        let mut into = parse("a.keep=1,a.b=old,l={1,2}").unwrap();
        parse_into(
            r#" {"a": {"b": "new", "c": null}, "l": [3]} "#,
            SetKind::Json,
            &mut into,
            &mut |_| unreachable!(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(into),
            json!({"a": {"keep": 1, "b": "new", "c": null}, "l": [3]})
        );
        let e = parse_kind(r#"{"a": 1} x"#, SetKind::Json).unwrap_err();
        assert!(
            e.message
                .starts_with("invalid JSON object: trailing characters"),
            "{e}"
        );
    }

    #[test]
    fn set_file_reads_each_value_through_the_callback() {
        let mut asked = Vec::new();
        let mut into = Values::new();
        let mut reader = |path: &str| {
            asked.push(path.to_string());
            Ok(format!("<{path}>"))
        };
        parse_into(
            r"a=x.txt,b={p,q},c[1]=r\,s,d=",
            SetKind::File,
            &mut into,
            &mut reader,
        )
        .unwrap();
        assert_eq!(
            Value::Object(into),
            json!({"a": "<x.txt>", "b": ["<p>", "<q>"], "c": [null, "<r,s>"], "d": ""})
        );
        assert_eq!(asked, ["x.txt", "p", "q", "r,s"]);
        let mut into = Values::new();
        let mut reader = |path: &str| match path {
            "missing" => Err("No such file or directory".to_string()),
            p => Ok(p.to_string()),
        };
        let e = parse_into("k=ok,a.b=missing", SetKind::File, &mut into, &mut reader).unwrap_err();
        assert_eq!(e.location, r#"--set-file "k=ok,a.b=missing""#);
        assert_eq!(
            e.message,
            r#"at position 9: cannot read file "missing": No such file or directory"#
        );
    }

    #[test]
    fn long_expressions_are_shortened_in_locations() {
        let expr = format!("a={}", "x".repeat(500));
        let mut into = Values::new();
        let e = parse_into(&expr, SetKind::File, &mut into, &mut |_| Err("no".into())).unwrap_err();
        assert!(
            e.location.len() < 200 && e.location.ends_with("…\""),
            "{}",
            e.location
        );
    }

    proptest! {
        #[test]
        fn random_input_never_panics(expr in "\\PC{0,40}") {
            for k in [SetKind::Typed, SetKind::String, SetKind::Json, SetKind::Literal] {
                let _ = parse_kind(&expr, k);
            }
        }

        #[test]
        fn grammar_soup_never_panics(expr in "[ab0-9.,=\\[\\]{}\\\\\": -]{0,40}") {
            for k in [SetKind::Typed, SetKind::String, SetKind::Json, SetKind::Literal, SetKind::File] {
                let mut into = Values::new();
                let _ = parse_into(&expr, k, &mut into, &mut |p| Ok(p.to_string()));
                // Parsing into an already filled map exercises the type conflicts.
                let _ = parse_into(&expr, k, &mut into, &mut |p| Ok(p.to_string()));
            }
        }
    }
}
