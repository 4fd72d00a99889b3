//! Tables over parallel lanes: one connection and one set of guest instances per lane, each
//! table in one lane; results come back in job order. A table that fails (or panics) fails
//! alone: the lane goes on with the next table, with new guests when the old ones are spent.

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

/// Runs `jobs` over `lanes`, one thread each (one lane: the caller's).
pub fn run<D: Database + Send>(
    jobs: &[TableJob],
    lanes: Vec<Lane<D>>,
    fresh: &FreshGuests<'_>,
) -> Vec<TableResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TableResult>>> = Mutex::new(jobs.iter().map(|_| None).collect());
    if lanes.len() == 1 {
        // One lane runs on the caller's thread: a thread would only add its start to a small
        // call. A table's panic is still caught by `TableJob::run`.
        for lane in lanes {
            work(jobs, lane, fresh, &next, &results);
        }
    } else {
        std::thread::scope(|scope| {
            for lane in lanes {
                let (next, results) = (&next, &results);
                scope.spawn(move || work(jobs, lane, fresh, next, results));
            }
        });
    }
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(TableError::Panicked("its lane", "no result".into()))))
        .collect()
}

fn work<D: Database>(
    jobs: &[TableJob],
    mut lane: Lane<D>,
    fresh: &FreshGuests<'_>,
    next: &AtomicUsize,
    results: &Mutex<Vec<Option<TableResult>>>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(job) = jobs.get(i) else { break };
        let result = job.run(&lane.db, lane.planner.as_mut(), &mut lane.transforms);
        if let Err(e) = &result
            && e.poisons_guests()
            && let Some((planner, transforms)) = fresh()
        {
            lane.planner = planner;
            lane.transforms = transforms;
        }
        results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
    }
}
