//! `.helmignore`: the patterns of files left out of a chart, with the semantics of Helm's
//! `pkg/ignore` (which is *not* full gitignore).
//!
//! Helm's rules, reproduced exactly so a chart holds the same files under rudder and Helm:
//! - blank lines and lines starting with `#` are skipped; each rule is trimmed;
//! - a rule is a shell glob as Go's `filepath.Match` (`*`, `?`, `[a-z]`, `[^a]`, `\` escapes;
//!   `*` and `?` never match `/`); `**` is refused;
//! - a trailing `/` makes the rule match directories only;
//! - a leading `/` anchors the rule at the chart root; a rule containing `/` is matched against
//!   the whole relative path; a rule without `/` is matched against the last path element only;
//! - rules are tried in order and the first positive match ignores the path;
//! - a negated rule `!pat` is Helm's quirk: a path that does *not* match `pat` is ignored, a path
//!   that matches goes on to the next rule. (So `!x` is not gitignore's "un-ignore x".)
//!
//! The loader adds Helm's default rule `templates/.?*` (hidden files directly under
//! `templates/`) with [`HelmIgnore::add_defaults`].

use super::ChartError;

/// Parsed `.helmignore` rules, evaluated as Helm's `pkg/ignore` does.
#[derive(Debug, Default, Clone)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

/// One rule of a `.helmignore`.
#[derive(Debug, Clone)]
struct Rule {
    /// The glob, without `!`, trailing `/` or leading `/`.
    glob: Vec<char>,
    /// `!pat`: Helm's negation.
    negate: bool,
    /// `pat/`: applies to directories only.
    must_dir: bool,
    /// What the glob is matched against.
    scope: Scope,
}

/// What part of a path a rule's glob is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The whole path relative to the chart root (rule has a leading `/` or contains `/`).
    Path,
    /// The last element of the path only (rule has no `/`).
    Base,
}

/// The glob is malformed (unclosed `[`, trailing `\` ...), as Go's `filepath.ErrBadPattern`.
#[derive(Debug)]
struct BadPattern;

impl HelmIgnore {
    /// Parses the text of a `.helmignore` file leniently: a line that Helm would refuse (a `**`
    /// or a malformed glob) is skipped. Use [`HelmIgnore::try_parse`] to report such lines.
    pub fn parse(text: &str) -> Self {
        let mut rules = HelmIgnore::default();
        for line in text.lines() {
            let _ = rules.add_rule(line);
        }
        rules
    }

    /// Parses the text of a `.helmignore` file as Helm does, refusing a `**` or a malformed
    /// glob with an error naming `source:line` (`source` is the file name used in errors).
    pub fn try_parse(text: &str, source: &str) -> Result<Self, ChartError> {
        let mut rules = HelmIgnore::default();
        for (index, line) in text.lines().enumerate() {
            rules
                .add_rule(line)
                .map_err(|message| ChartError::Invalid {
                    path: format!("{source}:{}", index + 1),
                    message,
                })?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rules (`templates/.?*`: hidden files directly under `templates/`),
    /// which apply whether or not the chart has a `.helmignore`.
    pub fn add_defaults(&mut self) {
        let added = self.add_rule("templates/.?*");
        debug_assert!(added.is_ok(), "the default rule is a valid glob");
    }

    /// The number of rules (comments and blank lines are not rules).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there is no rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a path relative to the chart root (with `/` separators, no leading `./`) is
    /// ignored; `is_dir` tells whether it names a directory.
    pub fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let path: Vec<char> = path.chars().collect();
        let base = basename(&path);
        for rule in &self.rules {
            let subject = match rule.scope {
                Scope::Path => &path[..],
                Scope::Base => base,
            };
            let matched = glob_match(&rule.glob, subject).unwrap_or(false);
            if rule.negate {
                if (rule.must_dir && !is_dir) || !matched {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }

    /// Parses one line into a rule (blank lines and comments add nothing); the error message
    /// says what Helm would say.
    fn add_rule(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(format!(
                "rule {rule:?}: double-star (**) syntax is not supported"
            ));
        }
        let chars: Vec<char> = rule.chars().collect();
        let abc: Vec<char> = "abc".chars().collect();
        if glob_match(&chars, &abc).is_err() {
            return Err(format!("rule {rule:?}: syntax error in pattern"));
        }
        let mut glob = &chars[..];
        let negate = glob.first() == Some(&'!');
        if negate {
            glob = &glob[1..];
        }
        let must_dir = glob.last() == Some(&'/');
        if must_dir {
            glob = &glob[..glob.len() - 1];
        }
        let scope = if glob.first() == Some(&'/') {
            glob = &glob[1..];
            Scope::Path
        } else if glob.contains(&'/') {
            Scope::Path
        } else {
            Scope::Base
        };
        self.rules.push(Rule {
            glob: glob.to_vec(),
            negate,
            must_dir,
            scope,
        });
        Ok(())
    }
}

/// The last element of a `/`-separated path, as Go's `filepath.Base` for a relative path.
fn basename(path: &[char]) -> &[char] {
    let mut end = path.len();
    while end > 1 && path[end - 1] == '/' {
        end -= 1;
    }
    let trimmed = &path[..end];
    match trimmed.iter().rposition(|&c| c == '/') {
        Some(i) if end > 1 => &trimmed[i + 1..],
        _ => trimmed,
    }
}

/// Go's `filepath.Match` on Unix: whether `name` matches the shell glob `pattern` as a whole.
/// A malformed pattern is an error even when the match fails early, as in Go.
fn glob_match(mut pattern: &[char], mut name: &[char]) -> Result<bool, BadPattern> {
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of this path element.
            return Ok(!name.contains(&'/'));
        }
        let attempt = match_chunk(chunk, name);
        if let Ok(Some(t)) = attempt
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        attempt?;
        if star {
            // Let the star eat more characters (never a separator) and try again.
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                match match_chunk(chunk, &name[i + 1..])? {
                    Some(t) if pattern.is_empty() && !t.is_empty() => {}
                    Some(t) => {
                        name = t;
                        continue 'chunks;
                    }
                    None => {}
                }
                i += 1;
            }
        }
        // No match: the rest of the pattern must still be well formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits the pattern into (leading stars?, the chunk up to the next unbracketed `*`, rest).
fn scan_chunk(mut pattern: &[char]) -> (bool, &[char], &[char]) {
    let mut star = false;
    while pattern.first() == Some(&'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            // Skip the escaped character (if any).
            '\\' if i + 1 < pattern.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches a star-free chunk at the start of `s`: `Some(rest of s)` on a match.
fn match_chunk<'a>(
    mut chunk: &[char],
    mut s: &'a [char],
) -> Result<Option<&'a [char]>, BadPattern> {
    // Like Go, keep scanning after a failure so a malformed chunk is always reported.
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == '-' {
                        let (h, rest) = get_escaped(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s[0] == '/' {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let literal = if c == '\\' {
                    chunk = &chunk[1..];
                    *chunk.first().ok_or(BadPattern)?
                } else {
                    c
                };
                if !failed {
                    if s[0] != literal {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// Reads one (possibly `\`-escaped) character of a `[...]` class; the class must go on after it.
fn get_escaped(chunk: &[char]) -> Result<(char, &[char]), BadPattern> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some('-') | Some(']') => return Err(BadPattern),
        Some('\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        Some(_) => {}
    }
    let c = chunk[0];
    let rest = &chunk[1..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> Result<bool, BadPattern> {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        glob_match(&p, &n)
    }

    #[test]
    fn glob_matches_like_go_filepath_match() {
        // Cases from Go's path/filepath match_test.go.
        assert!(m("abc", "abc").unwrap());
        assert!(m("*", "abc").unwrap());
        assert!(m("*c", "abc").unwrap());
        assert!(!m("a*", "ab/c").unwrap());
        assert!(m("a*/b", "abc/b").unwrap());
        assert!(!m("a*/b", "a/c/b").unwrap());
        assert!(m("a*b*c*d*e*/f", "axbxcxdxe/f").unwrap());
        assert!(!m("a*b*c*d*e*/f", "axbxcxdxe/xxx/f").unwrap());
        assert!(m("ab[c]", "abc").unwrap());
        assert!(m("ab[b-d]", "abc").unwrap());
        assert!(!m("ab[e-g]", "abc").unwrap());
        assert!(!m("ab[^c]", "abc").unwrap());
        assert!(m("ab[^e-g]", "abc").unwrap());
        assert!(m("a\\*b", "a*b").unwrap());
        assert!(!m("a\\*b", "ab").unwrap());
        assert!(m("a?b", "a☺b").unwrap());
        assert!(!m("a?b", "a/b").unwrap());
        assert!(m("[\\-]", "-").unwrap());
        assert!(m("[x\\-]", "x").unwrap());
        assert!(!m("*x", "xxx/").unwrap());
        assert!(m("a*", "a").unwrap());
    }

    #[test]
    fn malformed_globs_are_errors_even_after_a_mismatch() {
        for bad in [
            "[", "[^", "[^bc", "a[", "\\", "[a-", "[]a]", "[-]", "a[x]y[", "*x[",
        ] {
            assert!(m(bad, "a").is_err(), "{bad:?} should be malformed");
        }
        assert!(m("[", "").is_err());
    }

    #[test]
    fn base_name_rules_match_at_any_depth() {
        let r = HelmIgnore::parse("# comment\n\n*.bak\n  secret.txt  \n");
        assert_eq!(r.len(), 2);
        assert!(r.is_ignored("a.bak", false));
        assert!(r.is_ignored("templates/deep/x.bak", false));
        assert!(r.is_ignored("files/secret.txt", false));
        assert!(!r.is_ignored("a.bak.yaml", false));
        assert!(!r.is_ignored("# comment", false));
    }

    #[test]
    fn rules_with_a_slash_match_the_whole_path_and_leading_slash_anchors() {
        let r = HelmIgnore::parse("docs/*.md\n/top.txt\n");
        assert!(r.is_ignored("docs/a.md", false));
        assert!(!r.is_ignored("docs/sub/a.md", false));
        assert!(!r.is_ignored("x/docs/a.md", false));
        assert!(r.is_ignored("top.txt", false));
        assert!(!r.is_ignored("sub/top.txt", false));
    }

    #[test]
    fn trailing_slash_matches_directories_only() {
        let r = HelmIgnore::parse("build/\n");
        assert!(r.is_ignored("build", true));
        assert!(r.is_ignored("a/build", true));
        assert!(!r.is_ignored("build", false));
    }

    #[test]
    fn negation_has_helms_semantics() {
        // First positive match wins: a later negation does not re-include.
        let r = HelmIgnore::parse("*.txt\n!keep.txt\n");
        assert!(r.is_ignored("keep.txt", false));
        // A path that does not match a negated rule is ignored.
        assert!(r.is_ignored("Chart.yaml", false));
        // `!*[^~]` therefore ignores exactly the names ending in `~`.
        let r = HelmIgnore::parse("!*[^~]\n");
        assert!(r.is_ignored("values.yaml~", false));
        assert!(!r.is_ignored("values.yaml", false));
        assert!(!r.is_ignored("templates", true));
        // A negated directory rule ignores every file.
        let r = HelmIgnore::parse("!templates/\n");
        assert!(r.is_ignored("Chart.yaml", false));
        assert!(!r.is_ignored("templates", true));
    }

    #[test]
    fn defaults_ignore_hidden_files_directly_under_templates() {
        let mut r = HelmIgnore::default();
        r.add_defaults();
        assert!(r.is_ignored("templates/.swp", false));
        assert!(r.is_ignored("templates/.git", true));
        assert!(!r.is_ignored("templates/sub/.keep", false));
        assert!(!r.is_ignored(".helmignore", false));
        assert!(!r.is_ignored("templates/a.yaml", false));
    }

    #[test]
    fn root_and_empty_paths_are_never_ignored() {
        let r = HelmIgnore::parse("*\n.*\n");
        assert!(!r.is_ignored("", true));
        assert!(!r.is_ignored(".", true));
        assert!(!r.is_ignored("./", true));
    }

    #[test]
    fn try_parse_refuses_double_star_and_bad_globs_with_the_line() {
        let e = HelmIgnore::try_parse("ok\n**/x\n", "c/.helmignore").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c/.helmignore:2: rule \"**/x\": double-star (**) syntax is not supported"
        );
        let e = HelmIgnore::try_parse("# c\n\n[abc\n", "c/.helmignore").unwrap_err();
        assert!(
            e.to_string().starts_with("c/.helmignore:3: rule \"[abc\""),
            "{e}"
        );
        // The lenient parser skips those lines.
        let r = HelmIgnore::parse("**/x\n[abc\n*.tmp\n");
        assert_eq!(r.len(), 1);
    }
}
