//! Builds the first-party connector guests for wasm32-wasip2 and embeds them, so the shipped
//! binary works by connector name with nothing else installed.
//!
//! The guests build with their own target directory: the outer cargo holds the lock on ours.

// A build script speaks to cargo on stdout (`cargo:` lines): nothing here is a job-log line.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Connectors embedded in the binary.
const GUESTS: &[(&str, &str)] = &[
    ("sqlite", "guest-sqlite"),
    ("postgres", "guest-postgres"),
    ("mariadb", "guest-mariadb"),
    ("pg-upsert", "guest-pg-upsert"),
];
/// Built beside them (target/guest-build), never embedded: test guests and the sample
/// transforms, which users pass by path.
const TEST_GUESTS: &[&str] = &[
    "guest-hostile",
    "guest-future",
    "guest-legacy",
    "guest-legacy-v0-2",
    "guest-legacy-v0-3",
    "guest-legacy-v0-4-0",
    "guest-newer-patch",
    "transform-mask",
    "transform-filter",
    "transform-hostile",
    "transform-legacy",
];
const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    // Only what these guests are built from: a crate of a third party's own under guests/
    // must not rebuild the host.
    let guest_dirs = GUESTS
        .iter()
        .map(|(_, p)| *p)
        .chain(TEST_GUESTS.iter().copied())
        .map(guest_dir);
    for dir in ["sdk", "wit"]
        .into_iter()
        .map(String::from)
        .chain(guest_dirs)
    {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR is <target>/<profile>/build/<pkg>/out.
    let target_dir = out
        .ancestors()
        .nth(4)
        .map(|t| t.join("guest-build"))
        .unwrap_or_else(|| root.join("target/guest-build"));

    ensure_wasm_target();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--target")
        .arg(TARGET)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    for package in GUESTS
        .iter()
        .map(|(_, p)| *p)
        .chain(TEST_GUESTS.iter().copied())
    {
        cmd.arg("-p").arg(package);
    }
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("cannot run cargo to build the connector guests");
    assert!(status.success(), "building the connector guests failed");

    embed_sdk(&root, &out);
    let embed = out.join("guests");
    std::fs::create_dir_all(&embed).unwrap();
    for (name, package) in GUESTS {
        let built = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{}.wasm", package.replace('-', "_")));
        copy(&built, &embed.join(format!("{name}.wasm")));
    }
    embed_digests(&embed);
}

/// The SHA-256 of each embedded connector, the key of its compile cache file: hashing it at
/// every call cost a one-row call about 2% of its time.
fn embed_digests(embed: &Path) {
    use sha2::{Digest, Sha256};
    let mut code = String::from(
        "/// (connector name, SHA-256 in hex)\nconst BUILT_IN_DIGESTS: &[(&str, &str)] = &[\n",
    );
    for (name, _) in GUESTS {
        let bytes = std::fs::read(embed.join(format!("{name}.wasm"))).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        code.push_str(&format!("    ({name:?}, {hex:?}),\n"));
    }
    code.push_str("];\n");
    std::fs::write(embed.join("digests.rs"), code).unwrap();
}

/// The SDK's sources and contracts, and the `wit-bindgen` requirement of the workspace, for
/// `hvrwasmagent new connector` to vendor into a crate outside this repository.
fn embed_sdk(root: &Path, out: &Path) {
    let mut files = Vec::new();
    let mut stack = vec![root.join("sdk/src"), root.join("sdk/wit")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.push(root.join("sdk/README.md"));
    files.sort();
    let mut code = String::from(
        "/// (path in the SDK crate, contents)\npub const SDK_FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let relative = f
            .strip_prefix(root.join("sdk"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let wit_bindgen = manifest
        .lines()
        .find(|l| l.starts_with("wit-bindgen ="))
        .expect("the workspace names wit-bindgen");
    code.push_str(&format!(
        "/// The workspace's `wit-bindgen` dependency line.\npub const WIT_BINDGEN: &str = {wit_bindgen:?};\n"
    ));
    std::fs::write(out.join("sdk_files.rs"), code).unwrap();
}

/// `guest-sqlite` is built from `guests/sqlite`, `transform-mask` from `guests/transform-mask`.
fn guest_dir(package: &str) -> String {
    format!(
        "guests/{}",
        package.strip_prefix("guest-").unwrap_or(package)
    )
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", from.display(), to.display()));
}

/// Installs the wasm32-wasip2 standard library through rustup when it is missing, so that a
/// plain `cargo build` works on a fresh machine.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let installed = sysroot
        .map(|s| Path::new(&s).join("lib/rustlib").join(TARGET).exists())
        .unwrap_or(false);
    if installed {
        return;
    }
    println!(
        "cargo:warning=installing the {TARGET} target with rustup (needed for the connector guests)"
    );
    let ok = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the {TARGET} target is missing and `rustup target add {TARGET}` failed; install it and build again"
    );
}
