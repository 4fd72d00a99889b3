//! Checks of the crate's shape that the compiler does not make: the top-level modules import
//! each other without circles, and only `runtime` generates or names WIT bindings (its
//! `connector` and `transform` children, which hold them, are private to it as well).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its files name as `crate::<module>`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str();
            let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
            if matches!(module.as_str(), "lib" | "main") || path.extension() != Some("rs".as_ref())
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let used = graph.entry(module.clone()).or_default();
            for (at, _) in text.match_indices("crate::") {
                let name: String = text[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

/// The modules in an order where each comes after everything it imports, or the circle.
fn layers(graph: &BTreeMap<String, BTreeSet<String>>) -> Result<Vec<String>, Vec<String>> {
    let mut done: Vec<String> = Vec::new();
    let mut left: BTreeSet<&String> = graph.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|m| {
                graph[*m]
                    .iter()
                    .all(|d| done.contains(d) || !graph.contains_key(d))
            })
            .collect();
        if ready.is_empty() {
            return Err(left.into_iter().cloned().collect());
        }
        for m in ready {
            left.remove(m);
            done.push(m.clone());
        }
    }
    Ok(done)
}

#[test]
fn modules_import_each_other_without_circles() {
    let graph = imports();
    let order = layers(&graph).unwrap_or_else(|circle| {
        let edges: Vec<String> = circle
            .iter()
            .map(|m| format!("{m} -> {:?}", graph[m]))
            .collect();
        panic!("modules in an import circle:\n{}", edges.join("\n"))
    });
    // The domain core depends on nothing but the batch type.
    assert!(
        graph["domain"].iter().all(|d| d == "batch"),
        "{:?}",
        graph["domain"]
    );
    assert!(order.contains(&"table".to_string()));
}

#[test]
fn only_the_sandbox_holds_wit_bindings() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.starts_with(src.join("runtime")) || path.ends_with("structure.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in [
                "bindgen!",
                "wasmtime::component",
                "hvrwasm::connector::",
                "hvrwasm::transform::",
            ] {
                assert!(
                    !text.contains(marker),
                    "{} names WIT bindings ({marker})",
                    path.display()
                );
            }
        }
    }
}

/// The SDK ships its own copy of the contracts (a published crate cannot follow a symlink out
/// of itself); it must be the host's, byte for byte.
#[test]
fn the_sdk_vendors_the_contracts_the_host_serves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for file in ["connector.wit", "transform/transform.wit"] {
        let host = std::fs::read_to_string(root.join("wit").join(file)).unwrap();
        let sdk = std::fs::read_to_string(root.join("sdk/wit").join(file)).unwrap_or_default();
        assert!(
            host == sdk,
            "sdk/wit/{file} differs from wit/{file}: copy it (cp wit/{file} sdk/wit/{file})"
        );
    }
}
