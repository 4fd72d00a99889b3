//! Tables over parallel lanes: one connection and one set of guest instances per lane, each
//! table in one lane; results come back in job order. A table that fails (or panics) fails
//! alone: the lane goes on with the next table, with new guests when the old ones are spent.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::AgentError;
use super::guests::{Guests, LaneGuests};
use crate::odbc::{OdbcError, Target};
use crate::table::{Outcome, TableError, TableJob};

pub(super) type TableResult = Result<Outcome, TableError>;

/// Runs `jobs` over `workers` lanes; the first lane uses `target`, the others `connect()`.
pub(super) fn run(
    jobs: &[TableJob],
    guests: &Guests,
    target: Target,
    workers: usize,
    connect: impl Fn() -> Result<Target, OdbcError>,
) -> Result<Vec<TableResult>, AgentError> {
    let mut lanes = vec![(target, guests.lane()?)];
    for _ in 1..workers {
        lanes.push((connect()?, guests.lane()?));
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TableResult>>> = Mutex::new(jobs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for (target, lane) in lanes {
            let (next, results) = (&next, &results);
            scope.spawn(move || work(jobs, guests, &target, lane, next, results));
        }
    });
    Ok(results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(TableError::Panicked("its lane", "no result".into()))))
        .collect())
}

fn work(
    jobs: &[TableJob],
    guests: &Guests,
    target: &Target,
    (mut connector, mut transforms): LaneGuests,
    next: &AtomicUsize,
    results: &Mutex<Vec<Option<TableResult>>>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(job) = jobs.get(i) else { break };
        let result = job.run(target, &mut connector, &mut transforms);
        // A guest stopped by a limit cannot be called again: the lane's next table gets new
        // instances.
        if let Err(e) = &result
            && e.poisons_guests()
            && let Ok((c, t)) = guests.lane()
        {
            connector = c;
            transforms = t;
        }
        results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
    }
}
