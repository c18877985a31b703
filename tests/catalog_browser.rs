//! The catalog in a real browser: headless Chromium loads the page served by `rudder repo serve`,
//! sees every chart of the index, and the search box filters as you type — typed key by key
//! through the DevTools protocol (over `--remote-debugging-pipe`, so no websocket client is
//! needed), and through the `?q=` parameter that runs the same filter code.
//!
//! Chromium is required: CI installs it (`.ci/run`); without it these tests fail, they do not
//! skip. `RUDDER_CHROMIUM` overrides the binary.

mod serve_support;

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rudder::repo::IndexFile;
use rudder::repo::catalog::latest;
use serde_json::{Value, json};
use serve_support::Server;

/// The repository directory whose catalog is checked: the project's own `index/` (every chart
/// of `charts/`, made by `scripts/update-index.sh`; `tests/repo_index.rs` checks it is fresh).
fn catalog_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    (None, serve_support::rudder_root().join("index"))
}

/// Per chart of the index: its name and the lower-case text the search matches (name,
/// description and keywords of the version the catalog presents).
fn expected_charts(dir: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(dir.join("index.yaml")).expect("the catalog dir has index.yaml");
    let (index, _) = IndexFile::parse(&bytes, "index.yaml").unwrap();
    index
        .entries
        .iter()
        .filter_map(|(name, versions)| {
            let cv = latest(versions)?;
            let mut text = vec![name.clone()];
            text.extend(cv.metadata.description.clone());
            text.extend(cv.metadata.keywords.iter().cloned());
            Some((name.clone(), text.join(" ").to_lowercase()))
        })
        .collect()
}

/// The names whose search text contains every word of `query`, as the page's filter does.
fn matching(charts: &[(String, String)], query: &str) -> Vec<String> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    charts
        .iter()
        .filter(|(_, text)| words.iter().all(|w| text.contains(w.as_str())))
        .map(|(name, _)| name.clone())
        .collect()
}

/// A query that shows some charts and hides others: the first chart's name.
fn selective_query(charts: &[(String, String)]) -> String {
    charts
        .iter()
        .map(|(name, _)| name.clone())
        .find(|name| {
            let shown = matching(charts, name).len();
            shown >= 1 && shown < charts.len()
        })
        .expect("some chart name selects a strict subset of the catalog")
}

fn chromium() -> PathBuf {
    if let Ok(path) = std::env::var("RUDDER_CHROMIUM") {
        return PathBuf::from(path);
    }
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "headless Chromium is required for the catalog browser test: install it with \
         `apt-get install -y chromium` (CI does so in .ci/run) or set RUDDER_CHROMIUM"
    );
}

/// Chromium with the flags that keep it offline and quiet, and its own profile in `profile`.
fn chromium_command(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Kills `child` after `limit` unless `done` is signalled first, so a stuck browser fails the
/// test instead of hanging it.
fn watchdog(pid: u32, limit: Duration) -> mpsc::Sender<()> {
    let (done, wait) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if wait.recv_timeout(limit).is_err() {
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
    });
    done
}

/// The DOM of `url` after its scripts ran (`chromium --dump-dom`).
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let child = chromium_command(profile.path())
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let done = watchdog(child.id(), Duration::from_secs(90));
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    assert!(
        out.status.success(),
        "chromium --dump-dom {url} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The chart names listed in a dumped DOM, each with whether it is hidden.
fn listed(dom: &str) -> Vec<(String, bool)> {
    dom.split("<li class=\"chart\"")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            let name = tag
                .split("data-chart=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap()
                .to_string();
            (name, tag.contains(" hidden=\"\""))
        })
        .collect()
}

fn visible(dom: &str) -> Vec<String> {
    listed(dom)
        .into_iter()
        .filter(|(_, hidden)| !hidden)
        .map(|(name, _)| name)
        .collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn catalog_shows_every_chart_and_the_query_parameter_filters() {
    let (_keep, dir) = catalog_dir();
    let charts = expected_charts(&dir);
    assert!(charts.len() >= 2, "the catalog needs charts to be a test");
    let server = Server::start(&dir);

    let dom = dump_dom(&format!("{}/", server.base));
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page script did not run: {dom}"
    );
    let all: Vec<String> = charts.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(sorted(visible(&dom)), sorted(all.clone()));
    assert_eq!(listed(&dom).len(), all.len());

    let query = selective_query(&charts);
    let dom = dump_dom(&format!("{}/?q={query}", server.base));
    assert!(dom.contains("data-ready=\"true\""));
    let expected = sorted(matching(&charts, &query));
    assert_eq!(sorted(visible(&dom)), expected, "?q={query}");
    assert!(
        dom.contains(&format!("value=\"{query}\""))
            || dom.contains(&format!("{} of {} charts", expected.len(), all.len()))
    );

    let dom = dump_dom(&format!("{}/?q=no-such-chart-anywhere", server.base));
    assert!(visible(&dom).is_empty());
    assert!(
        dom.contains("<p class=\"empty\" id=\"empty\">"),
        "the no-match note shows"
    );
}

/// A DevTools protocol session over Chromium's pipe (fd 3 in, fd 4 out, NUL-separated JSON).
struct Devtools {
    child: Child,
    to_browser: std::fs::File,
    from_browser: BufReader<std::fs::File>,
    next_id: u64,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

fn cloexec_pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

impl Devtools {
    fn launch() -> Devtools {
        let profile = tempfile::tempdir().unwrap();
        let (browser_in, to_browser) = cloexec_pipe();
        let (from_browser, browser_out) = cloexec_pipe();
        let (in_fd, out_fd) = (browser_in.as_raw_fd(), browser_out.as_raw_fd());
        let mut cmd = chromium_command(profile.path());
        cmd.arg("--remote-debugging-pipe")
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec. The ends are
        // first copied above 10 (copies without close-on-exec), so that placing them on 3 and 4
        // can neither clobber the other end nor be a no-op that keeps close-on-exec set.
        unsafe {
            cmd.pre_exec(move || {
                let high_in = libc::fcntl(in_fd, libc::F_DUPFD, 10);
                let high_out = libc::fcntl(out_fd, libc::F_DUPFD, 10);
                if high_in < 0
                    || high_out < 0
                    || libc::dup2(high_in, 3) < 0
                    || libc::dup2(high_out, 4) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start chromium");
        drop(browser_in);
        drop(browser_out);
        Devtools {
            child,
            to_browser: std::fs::File::from(to_browser),
            from_browser: BufReader::new(std::fs::File::from(from_browser)),
            next_id: 0,
            session: None,
            _profile: profile,
        }
    }

    /// Attaches to the browser's page, so that later commands go to it.
    fn attach_page(&mut self) {
        let targets = self.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .and_then(|list| list.iter().find(|t| t["type"] == "page"))
            .expect("a page target")["targetId"]
            .clone();
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": page, "flatten": true }),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
    }

    /// Sends a command (to the attached page, once there is one) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = message.to_string().into_bytes();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        loop {
            let mut raw = Vec::new();
            let n = self.from_browser.read_until(0, &mut raw).unwrap();
            assert!(n > 0, "chromium closed the DevTools pipe during {method}");
            raw.pop();
            let reply: Value = serde_json::from_slice(&raw).unwrap();
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits (at most 30 s) until `expression` is true in the page.
    fn wait_for(&mut self, expression: &str) {
        for _ in 0..300 {
            if self.eval(expression) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {expression}");
    }

    /// Presses one key as a user would (keydown with its text, then keyup).
    /// `code` is the Windows virtual key code, for keys without text (Backspace); 0 for none.
    fn press(&mut self, key: &str, text: &str, code: u32) {
        let mut down = json!({ "type": "keyDown", "key": key, "text": text });
        let mut up = json!({ "type": "keyUp", "key": key });
        if code != 0 {
            down["windowsVirtualKeyCode"] = json!(code);
            up["windowsVirtualKeyCode"] = json!(code);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call("Input.dispatchKeyEvent", up);
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let key = c.to_string();
            self.press(&key, &key, 0);
        }
    }

    fn visible_charts(&mut self) -> Vec<String> {
        let value = self.eval(
            "Array.from(document.querySelectorAll('#charts > li.chart'))\
             .filter(li => !li.hidden && li.offsetParent !== null)\
             .map(li => li.dataset.chart)",
        );
        serde_json::from_value(value).unwrap()
    }
}

impl Drop for Devtools {
    /// Gives the browser a few seconds to exit after `Browser.close` (so it takes its helper
    /// processes down with it), then kills it.
    fn drop(&mut self) {
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn typing_in_the_search_box_filters_as_you_type() {
    let (_keep, dir) = catalog_dir();
    let charts = expected_charts(&dir);
    let all = sorted(charts.iter().map(|(n, _)| n.clone()).collect());
    let server = Server::start(&dir);

    let mut browser = Devtools::launch();
    let done = watchdog(browser.child.id(), Duration::from_secs(120));
    browser.attach_page();
    browser.call(
        "Page.navigate",
        json!({ "url": format!("{}/", server.base) }),
    );
    browser.wait_for("document.body && document.body.dataset.ready === 'true'");
    assert_eq!(sorted(browser.visible_charts()), all);

    browser.eval("document.getElementById('search').focus(); true");
    let query = selective_query(&charts);
    // After every key the list shows exactly what matches the text typed so far.
    for end in 1..=query.len() {
        browser.type_text(&query[end - 1..end]);
        let typed = &query[..end];
        assert_eq!(
            browser.eval("document.getElementById('search').value"),
            json!(typed)
        );
        assert_eq!(
            sorted(browser.visible_charts()),
            sorted(matching(&charts, typed)),
            "after typing {typed:?}"
        );
    }
    assert!(browser.visible_charts().len() < all.len());
    let count = browser.eval("document.getElementById('count').textContent");
    assert_eq!(
        count,
        json!(format!(
            "{} of {} charts",
            matching(&charts, &query).len(),
            all.len()
        ))
    );

    for _ in 0..query.len() {
        browser.press("Backspace", "", 8);
    }
    assert_eq!(
        browser.eval("document.getElementById('search').value"),
        json!("")
    );
    assert_eq!(
        sorted(browser.visible_charts()),
        all,
        "clearing shows everything"
    );
    let _ = browser.call("Browser.close", json!({}));
    let _ = done.send(());
}

#[test]
fn the_page_loads_nothing_from_outside() {
    let (_keep, dir) = catalog_dir();
    let first = expected_charts(&dir).remove(0).0;
    let server = Server::start(&dir);
    let mut browser = Devtools::launch();
    let done = watchdog(browser.child.id(), Duration::from_secs(120));
    browser.attach_page();
    for path in ["/".to_string(), format!("/charts/{first}")] {
        browser.call(
            "Page.navigate",
            json!({ "url": format!("{}{path}", server.base) }),
        );
        browser.wait_for("document.readyState === 'complete'");
        let origin = server.base.clone();
        let outside = browser.eval(&format!(
            "performance.getEntriesByType('resource').map(e => e.name)\
             .filter(u => !u.startsWith('{origin}/') && !u.startsWith('data:'))"
        ));
        assert_eq!(outside, json!([]), "{path} loaded outside resources");
        // What CSP would block still must not be asked for: every `src` is local or inline.
        let sources = browser.eval(
            "Array.from(document.querySelectorAll('[src]')).map(e => e.getAttribute('src'))\
             .filter(s => !(s.startsWith('/') && !s.startsWith('//')) && !s.startsWith('data:'))",
        );
        assert_eq!(sources, json!([]), "{path} refers to outside resources");
    }
    let _ = browser.call("Browser.close", json!({}));
    let _ = done.send(());
}
