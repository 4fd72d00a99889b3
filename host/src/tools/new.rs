//! `hvrwasmagent new connector NAME [--dir PARENT]`: a connector crate outside any workspace,
//! with this host's SDK vendored, that builds with `hvrwasmagent build` and passes `selftest`
//! against SQLite as generated.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

const CARGO_TOML: &str = include_str!("../../../templates/connector/Cargo.toml.in");
const LIB_RS: &str = include_str!("../../../templates/connector/src/lib.rs");
const README: &str = include_str!("../../../templates/connector/README.md");
const GITIGNORE: &str = include_str!("../../../templates/connector/gitignore");

/// Creates the crate; returns its folder.
pub fn new(args: &[String]) -> Result<PathBuf, String> {
    let (kind, rest) = args.split_first().ok_or(USAGE)?;
    if kind != "connector" {
        return Err(format!(
            "new {kind}: only `new connector NAME` exists; {USAGE}"
        ));
    }
    let (name, parent) = match rest {
        [name] => (name, PathBuf::from(".")),
        [name, flag, dir] if flag == "--dir" => (name, PathBuf::from(dir)),
        _ => return Err(USAGE.into()),
    };
    check_name(name)?;
    let root = parent.join(name);
    if root.exists() {
        return Err(format!(
            "{} exists already; give another NAME or --dir",
            root.display()
        ));
    }
    for (path, text) in files(name) {
        write(&root.join(path), &text)?;
    }
    Ok(root)
}

const USAGE: &str = "usage: hvrwasmagent new connector NAME [--dir PARENT]";

/// Lower-case letters, digits and `-`, starting with a letter: a crate name, a `.wasm` file
/// name and a `--connector` name at once.
fn check_name(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "connector name {name:?}: use lower-case letters, digits and '-', starting with a letter (e.g. my-db)"
        ))
    }
}

/// Every file of the crate: (path, contents).
fn files(name: &str) -> Vec<(String, Vec<u8>)> {
    let type_name: String = name
        .split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", name)
            .replace("{{crate_file}}", &name.replace('-', "_"))
            .replace("{{type_name}}", &type_name)
            .replace("{{sdk_version}}", hvrwasm_sdk::SDK_VERSION)
            .replace("{{contract}}", hvrwasm_sdk::CONTRACT_VERSION)
            .into_bytes()
    };
    let mut out = vec![
        ("Cargo.toml".to_string(), fill(CARGO_TOML)),
        ("src/lib.rs".to_string(), fill(LIB_RS)),
        ("README.md".to_string(), fill(README)),
        (".gitignore".to_string(), GITIGNORE.as_bytes().to_vec()),
        (
            "vendor/hvrwasm-sdk/Cargo.toml".to_string(),
            sdk_manifest().into_bytes(),
        ),
    ];
    for (path, bytes) in SDK_FILES {
        out.push((format!("vendor/hvrwasm-sdk/{path}"), bytes.to_vec()));
    }
    out
}

/// The vendored SDK's manifest: the published one's fields, without the workspace's.
fn sdk_manifest() -> String {
    format!(
        "[package]\nname = \"hvrwasm-sdk\"\nversion = \"{}\"\nedition = \"2024\"\nlicense = \"Apache-2.0\"\n\
         description = \"Write HVR connector guests (WebAssembly components) for hvrwasmagent\"\n\n\
         [dependencies]\n{WIT_BINDGEN}\n",
        hvrwasm_sdk::SDK_VERSION
    )
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_a_crate_a_type_and_a_file() {
        let files = files("my-db2");
        let lib = String::from_utf8(files[1].1.clone()).unwrap();
        assert!(lib.contains("pub struct MyDb2;"), "{lib}");
        assert!(lib.contains(r#"Info::new("my-db2""#));
        assert!(!lib.contains("{{"), "a placeholder was left: {lib}");
        assert!(
            files
                .iter()
                .any(|(p, _)| p == "vendor/hvrwasm-sdk/wit/connector.wit")
        );
        assert!(sdk_manifest().contains("wit-bindgen = { version = "));
    }

    #[test]
    fn names_that_are_not_crate_names_are_refused() {
        for bad in ["My", "1db", "my_db", "my db", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
