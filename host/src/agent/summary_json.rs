//! `--summary-json PATH`: the call's outcome for monitoring, written at its end whether it
//! succeeded or not, atomically (a reader never sees half a file).

use std::path::Path;

use serde_json::{Value, json};

use crate::table::lanes::TableResult;
use crate::table::{Outcome, TableJob};

/// One table's entry: the history table's fields, or the error.
pub(super) fn table_entry(job: &TableJob, result: &TableResult) -> Value {
    let files: Vec<&str> = job.files.iter().map(|f| f.name.as_str()).collect();
    let mut entry = json!({"table": job.spec.name, "files": files});
    let fields = match result {
        Ok(Outcome::Loaded { stats, .. }) => json!({
            "outcome": "loaded",
            "rows": stats.rows,
            "inserted": stats.ops.inserted,
            "updated": stats.ops.updated,
            "deleted": stats.ops.deleted,
            "truncated": stats.ops.truncated,
            "set_aside": stats.set_aside,
        }),
        Ok(Outcome::AlreadyApplied { .. }) => json!({"outcome": "already_applied", "rows": 0}),
        Err(e) => json!({"outcome": "failed", "rows": 0, "error": e.to_string()}),
    };
    if let (Value::Object(entry), Value::Object(fields)) = (&mut entry, fields) {
        entry.extend(fields);
    }
    entry
}

pub(super) struct CallFacts<'a> {
    pub mode: &'a str,
    pub channel: &'a str,
    pub location: &'a str,
    pub started_at: String,
    pub connector: &'a str,
}

/// The summary of a call that failed before any table ran.
pub(super) fn write_failure(
    path: &Path,
    mode: &str,
    args: &[String],
    started_at: &str,
    error: &super::AgentError,
) {
    let summary = json!({
        "mode": mode,
        "channel": args.get(1).map(String::as_str).unwrap_or(""),
        "location": args.get(2).map(String::as_str).unwrap_or(""),
        "started_at": started_at,
        "ended_at": crate::clock::now_iso(),
        "host_version": env!("CARGO_PKG_VERSION"),
        "succeeded": false,
        "error": error.to_string(),
        "tables": [],
    });
    store(path, &summary);
}

/// Writes the summary; a failure to write is a warning, not the call's error.
pub(super) fn write(path: &Path, facts: &CallFacts, tables: Vec<Value>, failed: usize) {
    let sum = |field: &str| -> u64 { tables.iter().filter_map(|t| t[field].as_u64()).sum() };
    let summary = json!({
        "mode": facts.mode,
        "channel": facts.channel,
        "location": facts.location,
        "started_at": facts.started_at,
        "ended_at": crate::clock::now_iso(),
        "host_version": env!("CARGO_PKG_VERSION"),
        "connector": facts.connector,
        "succeeded": failed == 0,
        "tables_failed": failed,
        "rows": sum("rows"),
        "inserted": sum("inserted"),
        "updated": sum("updated"),
        "deleted": sum("deleted"),
        "truncated": sum("truncated"),
        "set_aside": sum("set_aside"),
        "tables": tables,
    });
    store(path, &summary);
}

fn store(path: &Path, summary: &Value) {
    // Error texts may quote what the user gave: masked like every printed line.
    let text = crate::secrets::redact(&serde_json::to_string_pretty(summary).unwrap_or_default());
    let partial = path.with_extension("partial");
    let written =
        std::fs::write(&partial, text + "\n").and_then(|()| std::fs::rename(&partial, path));
    if let Err(e) = written {
        say!(
            "W_JX0E00: --summary-json {}: not written: {e}",
            path.display()
        );
    }
}
