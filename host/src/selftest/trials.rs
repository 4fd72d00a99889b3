//! The checks of one style, in order. Each plays one or more HVR calls and then compares
//! every table with the model; the first failure ends the style (the target and the model
//! part ways there, so later checks would only repeat it).

use std::time::{Duration, Instant};

use super::Outcome;
use super::hvr::Hvr;
use super::model::{self, Change, Style};
use super::scratch::Scratch;

/// `line_items`: its key is (order_id, line), so it carries the multi-delete trial.
const ITEMS: usize = 2;
const MULTI_DELETE: &str = "line_items:line";

type Check = fn(&mut Hvr, &Scratch) -> Result<String, String>;

pub fn run_all(hvr: &mut Hvr, scratch: &Scratch) -> Vec<Outcome> {
    let mut checks: Vec<(&str, Check)> = vec![
        ("refresh creates the missing tables", refresh),
        ("refresh over the existing tables", refresh),
        ("integrate: inserts, updates, deletes, re-inserts", cycles),
        ("integrate: a key updated twice in a cycle", update_twice),
        ("integrate: a call repeated after success", repeated_call),
        ("integrate: calls killed and run again", kill_and_rerun),
        ("refresh of an empty source empties it", empty_refresh),
    ];
    if hvr.style != Style::TimeKey {
        // A TimeKey target appends every row; a truncate or multi-delete row has no key values
        // to append.
        checks.insert(5, ("integrate: truncate (op 5)", truncate));
        checks.insert(6, ("integrate: SAP multi-delete (op 8)", multi_delete));
    }
    let mut outcomes = Vec::new();
    for (name, check) in checks {
        let result = check(hvr, scratch);
        let failed = result.is_err();
        outcomes.push(Outcome {
            style: hvr.style,
            check: name.to_string(),
            detail: result.clone().unwrap_or_default(),
            failure: result.err(),
        });
        if failed {
            outcomes.push(Outcome {
                style: hvr.style,
                check: "(the remaining checks of this style)".into(),
                detail: String::new(),
                failure: Some("not run: the check above failed".into()),
            });
            break;
        }
    }
    outcomes
}

fn refresh(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let rows = hvr.rows_per_table;
    let changes = hvr.refresh_changes(rows);
    hvr.call("refr_write_begin", &[], &[])?;
    let vars = hvr.stage(&changes, true)?;
    hvr.call("refr_write_end", &vars, &[])?;
    hvr.compare(scratch)
}

/// Three cycles of random changes; the model includes keys deleted and inserted again.
fn cycles(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let mut detail = String::new();
    for _ in 0..3 {
        let changes = hvr.cycle_changes(hvr.rows_per_table / 2);
        integrate(hvr, &changes, &[])?;
        detail = hvr.compare(scratch)?;
    }
    Ok(format!("3 cycles; {detail}"))
}

fn update_twice(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let (rng, seq) = (&mut hvr.rng, &mut hvr.seq);
    let changes = model::each(&mut hvr.models, |_, m| m.update_twice(rng, seq));
    integrate(hvr, &changes, &[])?;
    hvr.compare(scratch)
}

/// The rows before a truncate go (or are marked deleted); rows after it stay. In a
/// replication copy a row inserted before the truncate in the same cycle goes too, and one
/// inserted after it and deleted again never shows. A SoftDelete target would have to invent
/// a marked row for those two (the connectors treat a key born and removed in one cycle as
/// never there, as HVR's coalescing does), so that style leaves them out.
fn truncate(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let copy = hvr.style == Style::ReplicationCopy;
    let model = &mut hvr.models[ITEMS];
    let seq = &mut hvr.seq;
    let before = model.fresh_row(&mut hvr.rng);
    let after = model.fresh_row(&mut hvr.rng);
    let gone = model.fresh_row(&mut hvr.rng);
    let mut changes = Vec::new();
    if copy {
        changes.push(model.insert(before, seq));
    }
    changes.push(model.truncate(seq));
    changes.push(model.insert(after, seq));
    if copy {
        changes.push(model.insert(gone.clone(), seq));
        changes.push(model.delete(gone, seq));
    }
    integrate(hvr, &[(ITEMS, changes)], &[])?;
    hvr.compare(scratch)
}

/// Two lines of one order and one of another are inserted; a multi-delete of the first
/// order's key (without `line`) then removes both its lines and keeps the other order.
fn multi_delete(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let model = &mut hvr.models[ITEMS];
    let seq = &mut hvr.seq;
    let first = model.fresh_row(&mut hvr.rng);
    let other = model.fresh_row(&mut hvr.rng);
    let mut second = first.clone();
    second[1] = Some("99".into());
    let inserts = vec![
        model.insert(first.clone(), seq),
        model.insert(second, seq),
        model.insert(other, seq),
    ];
    let extra = ["--multi-delete", MULTI_DELETE];
    integrate(hvr, &[(ITEMS, inserts)], &extra)?;
    hvr.compare(scratch)?;
    let mut partial = vec![None; first.len()];
    partial[0] = first[0].clone();
    partial[1] = Some("0".into());
    let model = &mut hvr.models[ITEMS];
    let delete = model.multi_delete(partial, "line", &mut hvr.seq);
    integrate(hvr, &[(ITEMS, vec![delete])], &extra)?;
    hvr.compare(scratch)
}

/// HVR runs `integ_end` again when it cannot tell whether the last one finished: the second
/// call finds the files gone and must change nothing.
fn repeated_call(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let changes = hvr.cycle_changes(hvr.rows_per_table / 2);
    hvr.call("integ_begin", &[], &[])?;
    let vars = hvr.stage(&changes, false)?;
    hvr.call("integ_end", &vars, &[])?;
    hvr.compare(scratch)?;
    hvr.call("integ_end", &vars, &[])
        .map_err(|e| format!("the repeated call failed: {e}"))?;
    hvr.compare(scratch)
}

/// A cycle's call is killed at a point within its run time, then run again as HVR does
/// until it succeeds: the rows land exactly once whichever point the kill hit.
fn kill_and_rerun(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    // How long a call takes here, to spread the kills over it.
    let changes = hvr.cycle_changes(hvr.rows_per_table / 2);
    let started = Instant::now();
    integrate(hvr, &changes, &[])?;
    let took = started.elapsed();
    hvr.compare(scratch)?;
    let mut finished_first = 0;
    let fractions = [0.1, 0.3, 0.5, 0.7, 0.9];
    for fraction in fractions {
        let changes = hvr.cycle_changes(hvr.rows_per_table / 2);
        let vars = hvr.stage(&changes, false)?;
        let mut child = hvr.spawn("integ_end", &vars)?;
        std::thread::sleep(took.mul_f64(fraction));
        if child.try_wait().ok().flatten().is_some() {
            finished_first += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        rerun(hvr, &vars)?;
        hvr.compare(scratch)
            .map_err(|e| format!("after a kill at {:.0}% of a call: {e}", fraction * 100.0))?;
    }
    Ok(format!(
        "{} kills ({finished_first} after the call ended); no row lost or doubled",
        fractions.len()
    ))
}

/// The re-run after a kill; a lock the killed session held may need a moment to go.
fn rerun(hvr: &Hvr, vars: &[(String, String)]) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..3 {
        match hvr.call("integ_end", vars, &[]) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(format!(
        "the call run again after a kill failed three times: {last}"
    ))
}

/// A refresh that lists a table without files (its source is empty) empties it.
fn empty_refresh(hvr: &mut Hvr, scratch: &Scratch) -> Result<String, String> {
    let rows = hvr.rows_per_table;
    let (rng, seq) = (&mut hvr.rng, &mut hvr.seq);
    let changes = model::each(&mut hvr.models, |i, m| {
        m.refresh(if i == 0 { 0 } else { rows }, rng, seq)
    });
    hvr.call("refr_write_begin", &[], &[])?;
    let vars = hvr.stage(&changes, true)?;
    hvr.call("refr_write_end", &vars, &[])?;
    hvr.compare(scratch)
}

fn integrate(
    hvr: &mut Hvr,
    changes: &[(usize, Vec<Change>)],
    extra: &[&str],
) -> Result<(), String> {
    hvr.call("integ_begin", &[], extra)?;
    let vars = hvr.stage(changes, false)?;
    hvr.call("integ_end", &vars, extra)
}
