//! Tables over parallel lanes: one connection and one set of guest instances per lane, each
//! table in one lane; results come back in job order. A table that fails (or panics) fails
//! alone: the lane goes on with the next table, with new guests when the old ones are spent.
//!
//! Each table commits on its own, in whatever order the lanes take them, so a child table can
//! come before the parent table whose rows of the same call its foreign key needs. While other
//! tables may still commit, a foreign key's refusal fails the table instead of setting rows
//! aside (`TableJob::defer_foreign_keys`), and the tables it failed run again after the others,
//! as long as each round commits a table; the last round sets aside (with `--error-table`)
//! what still has no parent. Without this, `--error-table` set the children aside for good,
//! and the call reported them applied.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Outcome, TableError, TableJob};
use crate::domain::{Planner, Transformer};
use crate::odbc::Database;

pub type TableResult = Result<Outcome, TableError>;

/// What one lane applies its tables with.
pub struct Lane<D> {
    pub db: D,
    pub planner: Box<dyn Planner + Send>,
    pub transforms: Vec<Box<dyn Transformer>>,
}

/// New guest instances for a lane whose guests a limit stopped; `None` when none can be made
/// (the lane then goes on with the old ones, whose next call fails that table too).
pub type FreshGuests<'a> =
    dyn Fn() -> Option<(Box<dyn Planner + Send>, Vec<Box<dyn Transformer>>)> + Sync + 'a;

/// Runs `jobs` over `lanes`, one thread each (one lane: the caller's), in rounds: the tables a
/// foreign key failed while others could still commit run again after them.
pub fn run<D: Database + Send>(
    jobs: &[TableJob],
    mut lanes: Vec<Lane<D>>,
    fresh: &FreshGuests<'_>,
) -> Vec<TableResult> {
    let mut results: Vec<Option<TableResult>> = jobs.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..jobs.len()).collect();
    let mut defer = jobs.len() > 1;
    while !pending.is_empty() && !lanes.is_empty() {
        for &i in &pending {
            jobs[i].defer_foreign_keys.store(defer, Ordering::SeqCst);
        }
        let (back, round) = run_round(jobs, &pending, lanes, fresh);
        lanes = back;
        let committed = round
            .iter()
            .any(|r| matches!(r, Some(Ok(Outcome::Loaded { .. }))));
        let mut again = Vec::new();
        for (&i, result) in pending.iter().zip(round) {
            if defer && matches!(&result, Some(Err(e)) if refused_by_foreign_key(e)) {
                again.push(i);
            }
            results[i] = result;
        }
        if again.is_empty() {
            break;
        }
        if !committed {
            // Nothing committed this round, so nothing more can lift those foreign keys. With
            // every other table applied, one last round sets aside what still has no parent;
            // otherwise the refusals stand, and HVR's retry of the call runs them again.
            let others_failed = (0..jobs.len())
                .filter(|i| !again.contains(i))
                .any(|i| matches!(results[i], Some(Err(_))));
            if others_failed || jobs[again[0]].ledgers.errors.is_none() {
                break;
            }
            defer = false;
        }
        let names: Vec<&str> = again.iter().map(|&i| jobs[i].spec.name.as_str()).collect();
        say!(
            "W_JX0E02: table(s) {}: a foreign key refused rows while other tables of this call could still commit theirs; running again {}",
            names.join(", "),
            if defer {
                "after the tables that committed"
            } else {
                "with every other table applied, setting aside what still has no parent"
            }
        );
        pending = again;
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(TableError::Panicked("its lane", "no result".into()))))
        .collect()
}

/// Whether a table failed on a foreign key's refusal.
fn refused_by_foreign_key(e: &TableError) -> bool {
    match e {
        TableError::Odbc(e) | TableError::Load { source: e, .. } => e.is_foreign_key_violation(),
        _ => false,
    }
}

/// One round: the jobs `pending` names, over `lanes`; the lanes come back for the next round.
fn run_round<D: Database + Send>(
    jobs: &[TableJob],
    pending: &[usize],
    lanes: Vec<Lane<D>>,
    fresh: &FreshGuests<'_>,
) -> (Vec<Lane<D>>, Vec<Option<TableResult>>) {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TableResult>>> =
        Mutex::new(pending.iter().map(|_| None).collect());
    let workers = lanes.len().min(pending.len()).max(1);
    let mut lanes = lanes;
    let idle = lanes.split_off(workers);
    let mut back = if workers == 1 {
        // One lane runs on the caller's thread: a thread would only add its start to a small
        // call. A table's panic is still caught by `TableJob::run`.
        lanes
            .into_iter()
            .map(|lane| work(jobs, pending, lane, fresh, &next, &results))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = lanes
                .into_iter()
                .map(|lane| {
                    let (next, results) = (&next, &results);
                    scope.spawn(move || work(jobs, pending, lane, fresh, next, results))
                })
                .collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().ok())
                .collect::<Vec<_>>()
        })
    };
    back.extend(idle);
    let results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    (back, results)
}

fn work<D: Database>(
    jobs: &[TableJob],
    pending: &[usize],
    mut lane: Lane<D>,
    fresh: &FreshGuests<'_>,
    next: &AtomicUsize,
    results: &Mutex<Vec<Option<TableResult>>>,
) -> Lane<D> {
    loop {
        let n = next.fetch_add(1, Ordering::SeqCst);
        let Some(job) = pending.get(n).map(|&i| &jobs[i]) else {
            break;
        };
        let result = job.run(&lane.db, lane.planner.as_mut(), &mut lane.transforms);
        if let Err(e) = &result
            && e.poisons_guests()
            && let Some((planner, transforms)) = fresh()
        {
            lane.planner = planner;
            lane.transforms = transforms;
        }
        results.lock().unwrap_or_else(|p| p.into_inner())[n] = Some(result);
    }
    lane
}
