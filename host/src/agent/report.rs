//! The end of a call: each table's outcome in the job log, stale-file housekeeping, the
//! call's one-line summary, and the error that makes the `F_J` line.

use super::summary_json::{self, CallFacts};
use super::{AgentError, Call, Exit};
use crate::cleanup;
use crate::hvr::HvrEnv;
use crate::options::Options;
use crate::table::lanes::TableResult;
use crate::table::{Outcome, TableJob};

pub(super) fn finish(
    call: &Call,
    options: &Options,
    env: &HvrEnv,
    jobs: &[TableJob],
    results: Vec<TableResult>,
    facts: CallFacts,
) -> Result<Exit, AgentError> {
    let (mut loaded, mut skipped, mut rows) = (0, 0, 0u64);
    let mut failed = Vec::new();
    let mut not_removed = Vec::new();
    let mut done = Vec::new();
    let mut entries = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        let name = job.spec.name.as_str();
        if options.toolbox.summary_json.is_some() {
            entries.push(summary_json::table_entry(job, &result));
        }
        let cleanup = match result {
            Ok(Outcome::Loaded { stats, cleanup, .. }) => {
                loaded += 1;
                rows += stats.rows;
                done.push(name);
                cleanup
            }
            Ok(Outcome::AlreadyApplied { cleanup, .. }) => {
                skipped += 1;
                done.push(name);
                cleanup
            }
            Err(e) => {
                // The job log gets every detail (SQL included); the F_J line a short reason.
                say!("table {name} failed: {e}");
                failed.push((name.to_string(), e));
                None
            }
        };
        if let Some(why) = cleanup {
            say!("W_JX0E00: table {name}: committed, but its files could not be removed: {why}");
            not_removed.push(name);
        }
    }
    if options.cleanup_stale_files
        && !options.keep_files
        && let Some(location) = &call.location
    {
        // Housekeeping after the commits: a failure here is reported, not fatal.
        match cleanup::stale_files(location, &call.invocation, &call.rename, env, &done) {
            Ok(0) => {}
            Ok(n) => say!("removed {n} stale file(s) of earlier, interrupted cycles"),
            Err(e) => say!("W_JX0E00: stale files not removed: {e}"),
        }
    }
    if options.dry_run {
        say!(
            "plan {}: {loaded} table(s) would load {rows} rows from {} file(s), {skipped} already applied, {} failed to plan; nothing was committed",
            call.mode.as_str(),
            call.invocation.files.len(),
            failed.len()
        );
        if failed.is_empty() {
            return Ok(Exit::Done);
        }
        return Err(AgentError::Tables {
            failed,
            total: jobs.len(),
        });
    }
    say!(
        "hvrwasmagent {}: {loaded} table(s) loaded, {skipped} already applied, {} failed, {rows} rows committed, {} file(s){}",
        call.mode.as_str(),
        failed.len(),
        call.invocation.files.len(),
        if not_removed.is_empty() {
            String::new()
        } else {
            format!(
                "; files of {} committed table(s) not removed",
                not_removed.len()
            )
        }
    );
    if let Some(path) = &options.toolbox.summary_json {
        summary_json::write(path, &facts, entries, failed.len());
    }
    if !failed.is_empty() {
        return Err(AgentError::Tables {
            failed,
            total: jobs.len(),
        });
    }
    if !not_removed.is_empty() {
        return Err(AgentError::NotRemoved {
            tables: not_removed.join(", "),
        });
    }
    Ok(Exit::Done)
}
