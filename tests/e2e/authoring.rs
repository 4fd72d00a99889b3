//! The author's path from an empty folder: `new connector`, `build`, `selftest` against
//! SQLite, with the SDK vendored and no workspace around the crate; and the mistakes `build`
//! and `inspect` name.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::hvr::{BINARY, scratch};

fn agent(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BINARY);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    // The suite runs under cargo; the author's build must not inherit its target settings.
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("run hvrwasmagent")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_new_connector_builds_outside_any_workspace_and_passes_selftest() {
    let dir = scratch("authoring_new");
    let made = agent(&dir, &["new", "connector", "acme-db"]);
    assert!(made.status.success(), "{}", text(&made));
    let krate = dir.join("acme-db");
    assert!(krate.join("vendor/hvrwasm-sdk/wit/connector.wit").is_file());
    let built = agent(&krate, &["build", "."]);
    assert!(built.status.success(), "{}", text(&built));
    let wasm = krate.join("target/wasm32-wasip2/release/acme_db.wasm");
    assert!(
        String::from_utf8_lossy(&built.stdout).contains("build: connector acme-db 0.1.0"),
        "{}",
        text(&built)
    );
    let db = dir.join("acme.sqlite");
    let checked = agent(
        &dir,
        &[
            "selftest",
            "--connector",
            wasm.to_str().unwrap(),
            "--connect-string",
            &format!("Driver={{SQLite3}};Database={};", db.display()),
        ],
    );
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains("25 passed, 0 failed"),
        "{}",
        text(&checked)
    );
    // A second `new` into the same place is refused, not merged.
    let again = agent(&dir, &["new", "connector", "acme-db"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[test]
fn build_refuses_a_crate_that_cannot_yield_a_component() {
    let dir = scratch("authoring_rlib");
    assert!(
        agent(&dir, &["new", "connector", "no-cdylib"])
            .status
            .success()
    );
    let manifest = dir.join("no-cdylib/Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace(
            r#"crate-type = ["cdylib", "rlib"]"#,
            r#"crate-type = ["rlib"]"#,
        ),
    )
    .unwrap();
    let built = agent(&dir.join("no-cdylib"), &["build", "."]);
    assert_eq!(built.status.code(), Some(1), "{}", text(&built));
    assert!(
        String::from_utf8_lossy(&built.stderr).contains(r#"crate-type must include "cdylib""#),
        "{}",
        text(&built)
    );
}

#[test]
fn inspect_names_files_that_are_not_components() {
    let dir = scratch("authoring_inspect");
    for (file, bytes, says) in [
        (
            "notes.wasm",
            b"just some notes\n".as_slice(),
            "it is a text file",
        ),
        (
            "core.wasm",
            b"\0asm\x01\0\0\0".as_slice(),
            "core WebAssembly module",
        ),
    ] {
        std::fs::write(dir.join(file), bytes).unwrap();
        let o = agent(&dir, &["inspect", dir.join(file).to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1));
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("0x61"), "a byte dump: {err}");
    }
}
