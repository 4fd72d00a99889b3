//! What a person typing the binary's name sees.

use std::process::Command;

use crate::support::hvr::BINARY;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BINARY).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bare_binary_prints_usage_and_exits_2() {
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    for command in ["usage:", "check", "plan", "replay", "inspect", "--version"] {
        assert!(stderr.contains(command), "{command} not in {stderr}");
    }
}

#[test]
fn version_names_the_release() {
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("hvrwasmagent {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_every_built_in_connector_and_the_toolbox_options() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Built-in connectors: sqlite, postgres, mariadb, pg-upsert."),
        "{stdout}"
    );
    assert!(
        stdout.contains("(sqlite, postgres, mariadb, pg-upsert)"),
        "{stdout}"
    );
    for command in ["selftest", "new connector", "build"] {
        assert!(stdout.contains(command), "{command} not in {stdout}");
    }
    for option in [
        "--history-table",
        "--summary-json",
        "--error-table",
        "--max-error-rows",
        "--progress-every",
        "--record",
    ] {
        assert!(stdout.contains(option), "{option} not in --help");
    }
}

#[test]
fn an_unknown_mode_still_exits_2_silently() {
    let (code, stdout, stderr) = run(&["refr_read_begin", "chn", "loc"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", ""));
}
