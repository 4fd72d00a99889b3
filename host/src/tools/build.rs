//! `hvrwasmagent build [DIR]`: builds a connector crate into a component and proves it is
//! one, so an author never ships a stale or missing `.wasm`: refuses a crate whose `[lib]`
//! cannot yield a component, runs cargo for `wasm32-wasip2`, checks the `.wasm` is newer than
//! every source, and loads it as `--connector` would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

const TARGET: &str = "wasm32-wasip2";

/// Builds and checks; returns the component's path.
pub fn build(args: &[String]) -> Result<PathBuf, String> {
    let dir = PathBuf::from(args.first().map(String::as_str).unwrap_or("."));
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        format!(
            "{}: {e} (give the folder of a connector crate)",
            manifest.display()
        )
    })?;
    let name =
        package_name(&text).ok_or_else(|| format!("{}: no [package] name", manifest.display()))?;
    if !yields_component(&text) {
        return Err(format!(
            "{}: [lib] crate-type must include \"cdylib\" (a component is a cdylib): add crate-type = [\"cdylib\", \"rlib\"] under [lib]",
            manifest.display()
        ));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build failed for {} (its messages are above)",
            manifest.display()
        ));
    }
    let wasm = target_dir(&cargo, &manifest)?
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    let built = modified(&wasm).ok_or_else(|| {
        format!(
            "cargo built no component for {name} ({} is missing)",
            wasm.display()
        )
    })?;
    if let Some(newer) = newest_source(&dir).filter(|(t, _)| *t > built) {
        return Err(format!(
            "{} is older than {}: it is stale, not built from these sources",
            wasm.display(),
            newer.1.display()
        ));
    }
    check_component(&wasm, &name)?;
    Ok(wasm)
}

fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?;
    package.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
    })
}

fn yields_component(manifest: &str) -> bool {
    manifest
        .split("[lib]")
        .nth(1)
        .map(|lib| lib.split("\n[").next().unwrap_or(""))
        .is_some_and(|lib| lib.contains("\"cdylib\""))
}

/// Where cargo puts this crate's artifacts (`CARGO_TARGET_DIR` and workspaces included).
fn target_dir(cargo: &str, manifest: &Path) -> Result<PathBuf, String> {
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata for {}: {e}", manifest.display()))?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| {
            format!(
                "cargo metadata for {} names no target directory",
                manifest.display()
            )
        })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest of `Cargo.toml` and the files under `src/`.
fn newest_source(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut stack = vec![dir.join("src")];
    let mut files = vec![dir.join("Cargo.toml")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for f in files {
        if let Some(t) = modified(&f)
            && newest.as_ref().is_none_or(|(n, _)| t > *n)
        {
            newest = Some((t, f));
        }
    }
    newest
}

/// Loads the component as `--connector PATH` would and says what it is.
fn check_component(wasm: &Path, package: &str) -> Result<(), String> {
    let options = crate::options::Options::from_words(vec![
        "--connector".into(),
        wasm.to_string_lossy().into_owned(),
        "--compile-cache".into(),
        "off".into(),
    ])
    .map_err(|e| e.to_string())?;
    let described = crate::agent::describe_connector(&options).map_err(|e| e.to_string())?;
    let info = &described.info;
    say!(
        "build: connector {} {} (contract {}, dialect {}) -> {}",
        info.name,
        info.version,
        described.contract,
        info.dialect,
        wasm.display()
    );
    if info.name != package {
        say!(
            "build: note: the crate is {package} but the connector calls itself {}; deployed beside hvrwasmagent it is {}.wasm",
            info.name,
            info.name
        );
    }
    Ok(())
}
