//! Running `rudder` on the charts of `charts/`: the CLI for what users see, the library for what
//! the CLI does not print (NOTES).

use std::path::PathBuf;

use assert_cmd::Command;

/// `charts/<chart>` of the repository.
pub fn chart_dir(chart: &str) -> PathBuf {
    super::common::repo_root().join("charts").join(chart)
}

/// Runs `rudder ARGS...`, returning stdout on success and stderr on failure.
pub fn rudder(args: &[&str]) -> Result<String, String> {
    let out = Command::cargo_bin("rudder")
        .expect("the rudder binary")
        .args(args)
        .env_remove("RUDDER_NAMESPACE")
        .output()
        .expect("run rudder");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("UTF-8 output"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `rudder template charts/<chart> EXTRA...`, which must succeed.
pub fn template(chart: &str, extra: &[&str]) -> String {
    let dir = chart_dir(chart);
    let mut args = vec!["template", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    rudder(&args).unwrap_or_else(|e| panic!("rudder template {chart} {extra:?} failed: {e}"))
}

/// `rudder template charts/<chart> EXTRA...`, which must fail; returns the error output.
pub fn template_error(chart: &str, extra: &[&str]) -> String {
    let dir = chart_dir(chart);
    let mut args = vec!["template", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    match rudder(&args) {
        Ok(out) => panic!("rudder template {chart} {extra:?} succeeded:\n{out}"),
        Err(e) => e,
    }
}

/// The NOTES of a render through the library (`rudder template` does not print them).
pub fn notes(chart: &str, sets: &[&str]) -> String {
    use rudder::action::render::RenderRequest;
    use rudder::action::template::{TemplateRequest, run};
    use rudder::values::options::{ValueOptions, ValueSource};
    let req = TemplateRequest {
        render: RenderRequest {
            chart: chart_dir(chart),
            values: ValueOptions {
                files: vec![],
                sets: sets
                    .iter()
                    .map(|s| ValueSource::Set(s.to_string()))
                    .collect(),
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let out = run(&req, &mut std::io::empty()).unwrap_or_else(|e| panic!("{chart}: {e}"));
    out.result
        .rendered
        .notes
        .unwrap_or_else(|| panic!("{chart} has no NOTES.txt"))
}
