//! A kubeconfig for the sandbox: one cluster (`server: http://ADDR`), one user without
//! credentials, one context, made current. Written atomically.

use std::path::Path;

/// The name used for the cluster, user and context entries.
pub const NAME: &str = "rudder-sandbox";

/// The kubeconfig text for a server URL.
pub fn render(server: &str, namespace: Option<&str>) -> String {
    let ns = namespace
        .map(|n| format!("    namespace: {n}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {NAME}\n  cluster:\n    server: {server}\nusers:\n- name: {NAME}\n  user: {{}}\ncontexts:\n- name: {NAME}\n  context:\n    cluster: {NAME}\n    user: {NAME}\n{ns}current-context: {NAME}\npreferences: {{}}\n"
    )
}

/// Writes [`render`] to `path` (temp file beside it, then rename; mode 0600 like kubectl's).
pub fn write(path: &Path, server: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, render(server, None).as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_valid_kubeconfig() {
        let text = render("http://127.0.0.1:1234", None);
        let v: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(
            v["clusters"][0]["cluster"]["server"],
            "http://127.0.0.1:1234"
        );
        assert_eq!(v["current-context"], NAME);
        assert_eq!(v["contexts"][0]["context"]["user"], NAME);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/kubeconfig");
        write(&p, "http://x").unwrap();
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .contains("server: http://x")
        );
    }
}
