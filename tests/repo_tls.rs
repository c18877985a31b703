//! `repo add` / `pull` over HTTPS against a real TLS server (Python's `ssl` over `http.server`,
//! certificates made by `openssl` in the test): `--ca-file` trusts a private CA, an untrusted
//! certificate is a clear one-line error, `--insecure-skip-tls-verify` skips the check, and
//! `--cert-file/--key-file` present a client certificate to a server that requires one.

mod repo_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use repo_support::{FixtureRepo, Home};

struct TlsServer {
    child: Child,
    url: String,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_server(dir: &Path, pki: &Pki, client_ca: bool) -> TlsServer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repo_support/tls_server.py");
    let mut cmd = Command::new("python3");
    cmd.arg("-u")
        .arg(script)
        .arg(dir)
        .arg(&pki.server_cert)
        .arg(&pki.server_key);
    if client_ca {
        cmd.arg(&pki.ca_cert);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the TLS server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("port ")
        .expect("port line")
        .to_string();
    TlsServer {
        child,
        url: format!("https://127.0.0.1:{port}"),
    }
}

/// A private CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
struct Pki {
    _dir: tempfile::TempDir,
    ca_cert: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=rudder test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    std::fs::write(
        d.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(d.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, cn) in [("server", "127.0.0.1"), ("client", "rudder client")] {
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/CN={cn}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &format!("{name}.crt"),
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
    Pki {
        ca_cert: d.join("ca.crt"),
        server_cert: d.join("server.crt"),
        server_key: d.join("server.key"),
        client_cert: d.join("client.crt"),
        client_key: d.join("client.key"),
        _dir: dir,
    }
}

fn fail(home: &Home, args: &[&str]) -> String {
    let out = home.cmd().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn private_ca_insecure_and_untrusted_certificates() {
    let pki = pki();
    let mut repo = FixtureRepo::new();
    repo.add_chart("web", "1.0.0");
    repo.write_index();
    let server = tls_server(repo.path(), &pki, false);
    let home = Home::new();

    let err = fail(&home, &["repo", "add", "secure", &server.url]);
    assert!(
        err.contains(&server.url) && err.to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(
        !home.repositories_yaml().exists(),
        "nothing saved after a failed add"
    );

    home.ok(&[
        "repo",
        "add",
        "secure",
        &server.url,
        "--ca-file",
        pki.ca_cert.to_str().unwrap(),
    ]);
    let dest = home.dir.path().join("pulled");
    home.ok(&["pull", "secure/web", "-d", dest.to_str().unwrap()]);
    assert!(dest.join("web-1.0.0.tgz").exists());

    home.ok(&[
        "repo",
        "add",
        "skip",
        &server.url,
        "--insecure-skip-tls-verify",
    ]);
    home.ok(&["repo", "update", "skip"]);
}

#[test]
fn client_certificates_for_mutual_tls() {
    let pki = pki();
    let mut repo = FixtureRepo::new();
    repo.add_chart("web", "1.0.0");
    repo.write_index();
    let server = tls_server(repo.path(), &pki, true);
    let home = Home::new();
    let ca = pki.ca_cert.to_str().unwrap();

    fail(
        &home,
        &["repo", "add", "mtls", &server.url, "--ca-file", ca],
    );
    home.ok(&[
        "repo",
        "add",
        "mtls",
        &server.url,
        "--ca-file",
        ca,
        "--cert-file",
        pki.client_cert.to_str().unwrap(),
        "--key-file",
        pki.client_key.to_str().unwrap(),
    ]);
    let dest = home.dir.path().join("pulled");
    home.ok(&["pull", "mtls/web", "-d", dest.to_str().unwrap()]);
    assert!(dest.join("web-1.0.0.tgz").exists());
    let err = fail(
        &home,
        &[
            "repo",
            "add",
            "half",
            &server.url,
            "--ca-file",
            ca,
            "--cert-file",
            pki.client_cert.to_str().unwrap(),
        ],
    );
    assert!(err.contains("key"), "{err}");
}
