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
                        format!("index {index} holds {}, not a list", describe(other)),
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
            format!("key {key:?} holds {}, not a map", describe(other)),
        )),
    }
}

/// The existing value under `key` as a list, or the error Helm reports when it is something else.
fn as_list<'v>(value: &'v mut Value, key: &str, pos: usize) -> Result<&'v mut Vec<Value>, Failure> {
    match value {
        Value::Array(list) => Ok(list),
        other => Err(Failure::at(
            pos,
            format!("key {key:?} holds {}, not a list", describe(other)),
        )),
    }
}

/// A short description of a value's type for errors.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
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
    if !raw.is_empty() && !raw.starts_with('0') {
        if let Ok(n) = raw.parse::<i64>() {
            return Value::from(n);
        }
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
