//! String filters with Sprig's names: quote, squote, indent, nindent, trunc, trimPrefix/Suffix,
//! b64enc/b64dec, sha256sum, printf, regex helpers.

use base64::Engine as _;
use sha2::Digest as _;
use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use super::convert::{text, text_ref};

pub(super) fn register(tera: &mut Tera) {
    tera.register_filter(
        "quote",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { Ok(go_quote(&text_ref(v)?)) },
    );
    tera.register_filter(
        "squote",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { Ok(format!("'{}'", text(v)?)) },
    );
    tera.register_filter(
        "indent",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let mut out = String::new();
            indent_into(&mut out, &text_ref(v)?, kw.must_get::<usize>("n")?);
            Ok(out)
        },
    );
    tera.register_filter(
        "nindent",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let mut out = String::from("\n");
            indent_into(&mut out, &text_ref(v)?, kw.must_get::<usize>("n")?);
            Ok(out)
        },
    );
    tera.register_filter(
        "trunc",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            Ok(trunc(&text(v)?, kw.must_get::<i64>("n")?))
        },
    );
    tera.register_filter(
        "trimSuffix",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let s = text(v)?;
            let suffix: String = kw.must_get("suffix")?;
            Ok(s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_string())
        },
    );
    tera.register_filter(
        "trimPrefix",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let s = text(v)?;
            let prefix: String = kw.must_get("prefix")?;
            Ok(s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_string())
        },
    );
    tera.register_filter("toString", |v: &Value, _: Kwargs, _: &State| text(v));
    tera.register_filter(
        "b64enc",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            Ok(base64::engine::general_purpose::STANDARD.encode(text(v)?))
        },
    );
    tera.register_filter(
        "b64dec",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text(v)?.trim())
                .map_err(|e| Error::message(format!("b64dec: {e}")))?;
            String::from_utf8(bytes)
                .map_err(|_| Error::message("b64dec: the decoded bytes are not UTF-8"))
        },
    );
    tera.register_filter(
        "sha256sum",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            let digest = sha2::Sha256::digest(text(v)?.as_bytes());
            Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
        },
    );
    tera.register_filter(
        "regexMatch",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<bool> {
            Ok(regex(&kw)?.is_match(&text(v)?))
        },
    );
    tera.register_filter(
        "regexReplaceAll",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            let repl: String = kw.must_get("repl")?;
            Ok(regex(&kw)?
                .replace_all(&text(v)?, repl.as_str())
                .into_owned())
        },
    );
    tera.register_function("printf", |kw: Kwargs, _: &State| -> TeraResult<String> {
        let format: String = kw.must_get("format")?;
        let args: Vec<Value> = kw.get("args")?.unwrap_or_default();
        printf(&format, &args)
    });
}

fn regex(kw: &Kwargs) -> TeraResult<regex::Regex> {
    let pattern: String = kw.must_get("regex")?;
    regex::Regex::new(&pattern)
        .map_err(|e| Error::message(format!("invalid regex {pattern:?}: {e}")))
}

/// Go's `%q`-style quoting as Sprig's `quote` does (`strconv.Quote`): escapes `"`, `\` and
/// control characters, keeps printable Unicode.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Most text has nothing to escape: copied whole (bytes of multi-byte characters are
    // never escaped, so a byte test is exact).
    if !s
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f)
    {
        out.push_str(s);
        out.push('"');
        return out;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Sprig's `indent`, appended to `out` (`nindent` writes its line break first): prefixes every
/// line (including empty ones) with `n` spaces.
fn indent_into(out: &mut String, s: &str, n: usize) {
    const SPACES: &str = "                                                                ";
    let lines = memchr::memchr_iter(b'\n', s.as_bytes()).count() + 1;
    out.reserve(s.len() + n * lines);
    let pad = |out: &mut String| {
        if n <= SPACES.len() {
            out.push_str(&SPACES[..n]);
        } else {
            out.extend(std::iter::repeat_n(' ', n));
        }
    };
    pad(out);
    let mut from = 0;
    for nl in memchr::memchr_iter(b'\n', s.as_bytes()) {
        out.push_str(&s[from..=nl]);
        pad(out);
        from = nl + 1;
    }
    out.push_str(&s[from..]);
}

/// Sprig's `trunc`: the first `n` characters, or for negative `n` the last `-n`.
fn trunc(s: &str, n: i64) -> String {
    let chars: Vec<char> = s.chars().collect();
    if n >= 0 {
        chars.iter().take(n as usize).collect()
    } else {
        let keep = (-n) as usize;
        chars[chars.len().saturating_sub(keep)..].iter().collect()
    }
}

/// A small `printf`: `%s`, `%v`, `%d`, `%q`, `%%`.
fn printf(format: &str, args: &[Value]) -> TeraResult<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars
            .next()
            .ok_or_else(|| Error::message("printf: format ends with %"))?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .next()
            .ok_or_else(|| Error::message(format!("printf: missing argument for %{verb}")))?;
        match verb {
            's' | 'v' | 'd' => out.push_str(&text(arg)?),
            'q' => out.push_str(&go_quote(&text(arg)?)),
            other => return Err(Error::message(format!("printf: unsupported verb %{other}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_like_go() {
        assert_eq!(go_quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(go_quote("héllo"), "\"héllo\"");
        assert_eq!(go_quote("plain text: 1"), "\"plain text: 1\"");
        assert_eq!(go_quote("a\u{7f}\u{1}"), "\"a\\x7f\\x01\"");
    }

    #[test]
    fn indent_every_line() {
        let mut out = String::from("\n");
        indent_into(&mut out, "a\n\nb", 2);
        assert_eq!(out, "\n  a\n  \n  b");
        let mut wide = String::new();
        indent_into(&mut wide, "x\ny\n", 70);
        let pad = " ".repeat(70);
        assert_eq!(wide, format!("{pad}x\n{pad}y\n{pad}"));
    }

    #[test]
    fn trunc_both_ways() {
        assert_eq!(trunc("abcdef", 3), "abc");
        assert_eq!(trunc("abcdef", -2), "ef");
        assert_eq!(trunc("ab", 5), "ab");
    }

    #[test]
    fn printf_verbs() {
        let args = [Value::from("x"), Value::from(3)];
        assert_eq!(printf("%s-%d%%", &args).unwrap(), "x-3%");
        assert!(printf("%s %s", &args[..1]).is_err());
    }
}
