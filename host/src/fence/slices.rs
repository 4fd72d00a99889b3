//! Sliced refresh: HVR runs one refresh job per slice (`HVR_VAR_SLICE_NUM` of
//! `HVR_VAR_SLICE_TOTAL`), possibly at the same time, each calling `refr_write_end`. Only the
//! first slice of a refresh to arrive may empty the table; the others add their rows. Calls of
//! one table are serialised by the fence row's lock, so this decision sees every committed
//! slice. A plain refresh is slice 1 of 1.

use super::record::{FileRecord, RefreshRecord};

/// This call's place in a refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshCall {
    /// `--refresh-id` (or HVR's `HVR_VAR_REFRESH_ID`), when given: exact identity of one
    /// refresh across its slices.
    pub id: Option<String>,
    pub slice: u32,
    pub total: u32,
}

impl RefreshCall {
    pub fn single(id: Option<String>) -> Self {
        RefreshCall {
            id,
            slice: 1,
            total: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshStep {
    /// Empty the table and begin a new refresh with this slice. `abandoned` counts the slices
    /// an unfinished earlier refresh never delivered (its rows are replaced).
    Start { abandoned: Option<u32> },
    /// Add this slice's rows to the refresh in progress.
    Continue,
    /// This slice (without files) was applied already in the refresh in progress.
    AlreadyApplied,
}

/// What a refresh call with `has_files` does, given the refresh the fence recorded. Called
/// only when the recovery decision says the files are to be applied.
pub fn refresh_step(
    current: Option<&RefreshRecord>,
    call: &RefreshCall,
    has_files: bool,
) -> RefreshStep {
    let Some(current) = current else {
        return RefreshStep::Start { abandoned: None };
    };
    let same_refresh = current.id == call.id && current.total == call.total && call.total > 1;
    if same_refresh && !current.slices.contains_key(&call.slice) {
        return RefreshStep::Continue;
    }
    // A slice without files leaves no identity to compare; within an unfinished refresh a
    // second call for it is a re-run, not a new refresh (which would empty the table).
    if same_refresh
        && !has_files
        && current.slices.get(&call.slice).is_some_and(Vec::is_empty)
        && (call.id.is_some() || !current.is_complete())
    {
        return RefreshStep::AlreadyApplied;
    }
    let abandoned = (!current.is_complete())
        .then(|| current.total.saturating_sub(current.slices.len() as u32))
        .filter(|n| *n > 0);
    RefreshStep::Start { abandoned }
}

/// The refresh record after this call's slice is applied.
pub fn after_step(
    current: Option<&RefreshRecord>,
    call: &RefreshCall,
    step: &RefreshStep,
    files: Vec<FileRecord>,
) -> RefreshRecord {
    let mut next = match (step, current) {
        (RefreshStep::Continue | RefreshStep::AlreadyApplied, Some(c)) => c.clone(),
        _ => RefreshRecord {
            id: call.id.clone(),
            total: call.total,
            slices: Default::default(),
        },
    };
    next.slices.insert(call.slice, files);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(slice: u32, total: u32) -> RefreshCall {
        RefreshCall {
            id: None,
            slice,
            total,
        }
    }

    fn file(name: &str) -> FileRecord {
        FileRecord {
            name: name.into(),
            rows: Some(1),
            identity: "x".into(),
        }
    }

    /// Runs slices in the given order through the state machine; returns each step.
    fn run(order: &[u32], total: u32) -> (Vec<RefreshStep>, RefreshRecord) {
        let mut record: Option<RefreshRecord> = None;
        let mut steps = Vec::new();
        for &k in order {
            let c = call(k, total);
            let step = refresh_step(record.as_ref(), &c, true);
            record = Some(after_step(record.as_ref(), &c, &step, vec![file("f")]));
            steps.push(step);
        }
        (steps, record.unwrap())
    }

    #[test]
    fn only_the_first_slice_to_arrive_empties_the_table_in_any_order() {
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let (steps, record) = run(&order, 3);
            assert_eq!(steps[0], RefreshStep::Start { abandoned: None });
            assert_eq!(steps[1..], [RefreshStep::Continue, RefreshStep::Continue]);
            assert!(record.is_complete());
        }
    }

    #[test]
    fn a_second_refresh_starts_over_after_a_complete_one() {
        let (_, first) = run(&[1, 2], 2);
        let step = refresh_step(Some(&first), &call(2, 2), true);
        assert_eq!(step, RefreshStep::Start { abandoned: None });
        let step = refresh_step(Some(&first), &call(1, 1), true);
        assert_eq!(step, RefreshStep::Start { abandoned: None });
    }

    #[test]
    fn a_repeated_slice_of_an_unfinished_refresh_starts_a_new_one_and_says_so() {
        let (_, first) = run(&[1], 3);
        let step = refresh_step(Some(&first), &call(1, 3), true);
        assert_eq!(step, RefreshStep::Start { abandoned: Some(2) });
    }

    #[test]
    fn refresh_ids_tell_refreshes_apart_exactly() {
        let mut c = call(2, 3);
        c.id = Some("a".into());
        let first = after_step(None, &c, &RefreshStep::Start { abandoned: None }, vec![]);
        c.slice = 3;
        assert_eq!(refresh_step(Some(&first), &c, true), RefreshStep::Continue);
        c.id = Some("b".into());
        assert_eq!(
            refresh_step(Some(&first), &c, true),
            RefreshStep::Start { abandoned: Some(2) }
        );
    }

    #[test]
    fn an_empty_slice_run_twice_is_applied_once() {
        let c = call(1, 2);
        let first = after_step(None, &c, &RefreshStep::Start { abandoned: None }, vec![]);
        assert_eq!(
            refresh_step(Some(&first), &c, false),
            RefreshStep::AlreadyApplied
        );
        // A plain refresh without rows always empties the table again.
        let plain = after_step(
            None,
            &call(1, 1),
            &RefreshStep::Start { abandoned: None },
            vec![],
        );
        assert_eq!(
            refresh_step(Some(&plain), &call(1, 1), false),
            RefreshStep::Start { abandoned: None }
        );
    }
}
