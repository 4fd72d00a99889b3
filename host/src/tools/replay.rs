//! `hvrwasmagent replay FOLDER [OPTIONS...]`: runs a recorded call again, with its argv and
//! `HVR_*` environment, on the recorded files, against the target the options name (the
//! recording holds no credentials: give `--connect-string` again, or another target).
//! The files are kept: a replay never deletes the recording.

use std::path::{Path, PathBuf};

use crate::agent::{self, AgentError, Exit};
use crate::recording::{FILES_DIR, INVOCATION_FILE};

/// Runs the recording; `extra` options are added after the recorded user argument, so they
/// win over it.
pub fn replay(args: &[String]) -> Result<Exit, String> {
    let Some(folder) = args.first() else {
        return Err("give the folder of a recording (made with --record DIR), then any options to change, e.g. --connect-string".into());
    };
    let folder = find_recording(Path::new(folder))?;
    let text = std::fs::read_to_string(folder.join(INVOCATION_FILE))
        .map_err(|e| format!("{}: {e}", folder.join(INVOCATION_FILE).display()))?;
    let recorded: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a recording: {e}",
            folder.join(INVOCATION_FILE).display()
        )
    })?;
    let argv: Vec<String> = recorded["argv"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if argv.len() < 3 {
        return Err(format!("{}: argv is incomplete", folder.display()));
    }
    if let Some(removed) = recorded["removed"].as_array().filter(|r| !r.is_empty()) {
        let names: Vec<&str> = removed.iter().filter_map(|v| v.as_str()).collect();
        say!(
            "replay: the recording left out {} (credentials); they come from this command line or environment",
            names.join(", ")
        );
    }
    let files = folder
        .join(FILES_DIR)
        .canonicalize()
        .map_err(|e| format!("{}: {e}", folder.join(FILES_DIR).display()))?;
    set_environment(&recorded["environment"], &files);
    let mut user = argv.get(3).cloned().unwrap_or_default();
    if args.len() > 1 {
        user.push(' ');
        user.push_str(&shell_words::join(&args[1..]));
    }
    let call = vec![argv[0].clone(), argv[1].clone(), argv[2].clone(), user];
    say!(
        "replay: {} {} {} from {}",
        call[0],
        call[1],
        call[2],
        folder.display()
    );
    agent::run(&call).map_err(|e: AgentError| e.to_string())
}

/// The folder itself, or the one recording inside it.
fn find_recording(dir: &Path) -> Result<PathBuf, String> {
    if dir.join(INVOCATION_FILE).is_file() {
        return Ok(dir.to_path_buf());
    }
    let mut inside: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(INVOCATION_FILE).is_file())
        .collect();
    inside.sort();
    match inside.len() {
        1 => Ok(inside.remove(0)),
        0 => Err(format!(
            "{}: no {INVOCATION_FILE} here or in a folder below",
            dir.display()
        )),
        _ => Err(format!(
            "{} holds {} recordings; name one: {}",
            dir.display(),
            inside.len(),
            inside
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The recorded `HVR_*` variables replace this process's (but credentials and `HVR_WASM_*`
/// settings the operator gives now, which the recording lacks); the files are the recorded
/// copies, and they are kept.
fn set_environment(recorded: &serde_json::Value, files: &Path) {
    let recorded = recorded.as_object().cloned().unwrap_or_default();
    // SAFETY (all set_var/remove_var here): no other thread runs yet.
    for (name, _) in std::env::vars() {
        if name.starts_with("HVR_") && !name.starts_with("HVR_WASM_") {
            unsafe { std::env::remove_var(&name) };
        }
    }
    for (name, value) in recorded {
        if let Some(value) = value.as_str() {
            unsafe { std::env::set_var(&name, value) };
        }
    }
    unsafe {
        std::env::set_var("HVR_FILE_LOC", files);
        std::env::set_var("HVR_WASM_KEEP_FILES", "true");
        std::env::remove_var("HVR_WASM_RECORD");
    }
}
