//! Tables over parallel lanes: one connection and one set of guest instances per lane, each
//! table in one lane; results come back in job order. A table that fails (or panics) fails
//! alone: the lane goes on with the next table, with new guests when the old ones are spent.
//!
//! Each table commits on its own, in whatever order the lanes take them, so a child table can
//! come before the parent table whose rows of the same call its foreign key needs. While other
//! tables may still commit, a foreign key's refusal fails the table at once, neither applying
//! its cycle again in order nor setting rows aside ([`ForeignKeys::Wait`]), and the tables it
//! failed run again after the others, as long as each round commits a table. One last round
//! applies in order (a table's own rows may need that) and, with `--error-table` and every
//! other table applied, sets aside what still has no parent. Without this, `--error-table` set
//! the children aside for good, and the call reported them applied.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use super::{Outcome, TableError, TableJob};
use crate::domain::{Planner, Transformer};
use crate::odbc::Database;

pub type TableResult = Result<Outcome, TableError>;

/// What a table does with a foreign key's refusal, in this round of its call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignKeys {
    /// As with any constraint: the cycle applied again in order, then set aside with
    /// `--error-table`. A table alone in its call, and the last round when every other table
    /// is applied.
    Apply,
    /// Applied again in order, never set aside: the table fails. The last round while another
    /// table of the call failed, or without an error table.
    Defer,
    /// The table fails at once, to run again after the tables that commit this round.
    Wait,
}

/// A table job's [`ForeignKeys`], which each round sets.
#[derive(Debug, Default)]
pub struct ForeignKeysCell(AtomicU8);

impl ForeignKeysCell {
    pub fn get(&self) -> ForeignKeys {
        match self.0.load(Ordering::SeqCst) {
            0 => ForeignKeys::Apply,
            1 => ForeignKeys::Defer,
            _ => ForeignKeys::Wait,
        }
    }

    fn set(&self, mode: ForeignKeys) {
        self.0.store(mode as u8, Ordering::SeqCst);
    }
}

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
    let mut mode = if jobs.len() > 1 {
        ForeignKeys::Wait
    } else {
        ForeignKeys::Apply
    };
    while !pending.is_empty() && !lanes.is_empty() {
        for &i in &pending {
            jobs[i].foreign_keys.set(mode);
        }
        let (back, round) = run_round(jobs, &pending, lanes, fresh);
        lanes = back;
        let committed = round
            .iter()
            .any(|r| matches!(r, Some(Ok(Outcome::Loaded { .. }))));
        let mut again = Vec::new();
        for (&i, result) in pending.iter().zip(round) {
            if mode == ForeignKeys::Wait
                && matches!(&result, Some(Err(e)) if refused_by_foreign_key(e))
            {
                again.push(i);
            }
            results[i] = result;
        }
        if again.is_empty() {
            break;
        }
        if !committed {
            mode = last_round(jobs, &results, &again);
        }
        let names: Vec<&str> = again.iter().map(|&i| jobs[i].spec.name.as_str()).collect();
        say!(
            "W_JX0E02: table(s) {}: a foreign key refused rows while other tables of this call could still commit theirs; running again {}",
            names.join(", "),
            match mode {
                ForeignKeys::Wait => "after the tables that committed",
                ForeignKeys::Apply =>
                    "once more, applying its changes in order and setting aside what still has no parent",
                ForeignKeys::Defer =>
                    "once more, applying its changes in order; what still has no parent fails the table",
            }
        );
        pending = again;
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(TableError::Panicked("its lane", "no result".into()))))
        .collect()
}

/// The last round's mode, once a round committed nothing (so nothing more can lift those
/// foreign keys): the cycle applied in order (a table's own rows may need that order), and,
/// with every other table applied and an error table, what still has no parent set aside;
/// otherwise the refusals stand, and HVR's retry of the call runs them again.
fn last_round(jobs: &[TableJob], results: &[Option<TableResult>], again: &[usize]) -> ForeignKeys {
    let others_failed = (0..jobs.len())
        .filter(|i| !again.contains(i))
        .any(|i| matches!(results[i], Some(Err(_))));
    if others_failed || jobs[again[0]].ledgers.errors.is_none() {
        ForeignKeys::Defer
    } else {
        ForeignKeys::Apply
    }
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
