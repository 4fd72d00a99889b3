//! Sliced refresh: HVR runs one refresh job per slice, in any order or at the same time, each
//! calling `refr_write_end`. The target must end with the union of the slices and none of the
//! old rows; two refreshes in a row must not mix; a crashed slice is re-run safely.

use std::process::Stdio;

use crate::support::Scenario;
use crate::support::model::{Change, Style};
use crate::support::target::Db;

const SLICES: usize = 3;

/// Stages one sliced refresh of `orders`: the model becomes `rows` new rows, split over the
/// slices; returns each slice's environment (slices numbered from 0, as HVR does).
fn stage_slices(
    s: &mut Scenario,
    rows: usize,
    extra: &[(&str, &str)],
) -> Vec<Vec<(String, String)>> {
    let changes = s.refresh_changes(rows).remove(0).1;
    let orders = s.hvr.tables[0].clone();
    let per = changes.len().div_ceil(SLICES);
    changes
        .chunks(per)
        .map(<[Change]>::to_vec)
        .enumerate()
        .map(|(k, slice)| {
            let files = s.hvr.files_for(&orders, &slice, true, 1);
            s.hvr.write(&files);
            let mut vars = s.hvr.end_env(&[&orders], &files, true);
            vars.push(("HVR_VAR_SLICE_NUM".into(), k.to_string()));
            vars.push(("HVR_VAR_SLICE_TOTAL".into(), SLICES.to_string()));
            vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            vars
        })
        .collect()
}

fn scenario(db: Db, test: &str) -> Scenario {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    s.models.truncate(1);
    let old = s.refresh_changes(12);
    s.hvr.refresh(&old).assert_ok();
    s.assert_target_matches("after the plain refresh");
    s
}

fn in_order(db: Db, test: &str) {
    let mut s = scenario(db, test);
    for (round, order) in [[2, 0, 1], [1, 2, 0], [0, 1, 2]].iter().enumerate() {
        let slices = stage_slices(&mut s, 30, &[]);
        for &k in order {
            s.hvr.call("refr_write_end", &slices[k]).assert_ok();
        }
        s.assert_target_matches(&format!("after sliced refresh {round} in order {order:?}"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_slices_in_any_order_make_the_union() {
    in_order(Db::Sqlite, "slice_order_sqlite");
}

#[test]
fn postgres_slices_in_any_order_make_the_union() {
    in_order(Db::Postgres, "slice_order_pg");
}

#[test]
fn mariadb_slices_in_any_order_make_the_union() {
    in_order(Db::Mariadb, "slice_order_maria");
}

fn at_once(db: Db, test: &str) {
    let mut s = scenario(db, test);
    for round in 0..2 {
        let slices = stage_slices(&mut s, 300, &[]);
        let children: Vec<_> = slices
            .iter()
            .map(|vars| {
                s.hvr
                    .command("refr_write_end", vars)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        s.assert_target_matches(&format!("after concurrent sliced refresh {round}"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_slices_at_the_same_time_make_the_union() {
    at_once(Db::Sqlite, "slice_once_sqlite");
}

#[test]
fn postgres_slices_at_the_same_time_make_the_union() {
    at_once(Db::Postgres, "slice_once_pg");
}

#[test]
fn mariadb_slices_at_the_same_time_make_the_union() {
    at_once(Db::Mariadb, "slice_once_maria");
}

/// A slice killed before and after its commit, each re-run: still the union, once.
#[test]
fn crashed_slices_recover() {
    let mut s = scenario(Db::Postgres, "slice_crash_pg");
    let slices = stage_slices(&mut s, 30, &[("HVR_VAR_REFRESH_ID", "r1")]);
    for (k, point) in [
        (1, "before-commit"),
        (0, "after-commit"),
        (2, "after-commit"),
    ] {
        let mut crashing = slices[k].clone();
        crashing.push(("HVR_WASM_TEST_CRASH_AT".into(), point.into()));
        assert_ne!(
            s.hvr.call("refr_write_end", &crashing).code,
            0,
            "{point} reached"
        );
        s.hvr.call("refr_write_end", &slices[k]).assert_ok();
    }
    s.assert_target_matches("after crashed and re-run slices");
    s.assert_no_files_left();
    // The next refresh (a new id) replaces everything, even when its first slice is slice 2.
    let slices = stage_slices(&mut s, 20, &[("HVR_VAR_REFRESH_ID", "r2")]);
    for k in [2, 0, 1] {
        s.hvr.call("refr_write_end", &slices[k]).assert_ok();
    }
    s.assert_target_matches("after the next refresh");
}

/// A slice number without the slice total cannot tell when the refresh is complete: refused,
/// nothing emptied.
#[test]
fn a_slice_number_without_a_total_is_refused() {
    let mut s = scenario(Db::Sqlite, "slice_no_total");
    let mut slices = stage_slices(&mut s, 9, &[]);
    let vars: Vec<(String, String)> = slices
        .remove(1)
        .into_iter()
        .filter(|(k, _)| k != "HVR_VAR_SLICE_TOTAL")
        .collect();
    s.hvr
        .call("refr_write_end", &vars)
        .assert_fails_with(&["HVR_VAR_SLICE_TOTAL", "unset"]);
}
