//! The operator's toolbox: `check`, `plan`, `--record` and `replay`, the history table and
//! `--summary-json`, progress lines, rows set aside in an error table, and the bare binary's
//! usage, `--version` and `--help`.

mod check;
mod cli;
mod history;
mod plan;
mod replay;
mod set_aside;
mod set_aside_limits;
mod set_aside_not_rows;

use crate::support::hvr::Run;
use crate::support::typed::Channel;

/// Refreshes `t (id, a)` with three rows, then applies a cycle with one insert, one update and
/// one delete; returns the cycle's run (both checked to succeed).
fn refresh_then_cycle(ch: &Channel) -> Run {
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n2,y\n3,z\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 3)],
    )
    .assert_ok();
    ch.raw(
        "20240101000000002-t.csv",
        b"id,a,op_type\n4,w,1\n2,Y,2\n3,,0\n",
    );
    let run = ch.call(
        "integ_end",
        "id,a,op_type",
        "id",
        &[("20240101000000002-t.csv", 3)],
    );
    run.assert_ok();
    run
}

/// A CSV file: `header`, then `line(i)` for rows 1 to `rows`.
fn numbered_csv(header: &str, rows: usize, line: impl Fn(usize) -> String) -> String {
    let mut csv = format!("{header}\n");
    for i in 1..=rows {
        csv.push_str(&line(i));
        csv.push('\n');
    }
    csv
}

/// `bad` at row `at`, the row number elsewhere: an integer column with one value a target
/// rejects.
fn number_or_bad(i: usize, at: usize) -> String {
    if i == at {
        "bad".to_string()
    } else {
        i.to_string()
    }
}
