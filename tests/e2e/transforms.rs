//! Customer transforms between decoding and loading, for refresh and integrate alike, and
//! what happens when one returns something malformed.

use sha2::{Digest, Sha256};

use crate::support::data::Row;
use crate::support::hvr::guest_wasm;
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, refresh_orders};

fn pseudonym(salt: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(value.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// orders' `customer` (1) and `note` (3) as the mask transform writes them.
fn masked(rows: Vec<Row>) -> Vec<Row> {
    let mut out: Vec<Row> = rows
        .into_iter()
        .map(|mut r| {
            for i in [1, 3] {
                r[i] = r[i].take().map(|v| pseudonym("pepper", &v));
            }
            r
        })
        .collect();
    out.sort();
    out
}

fn mask_args() -> String {
    format!(
        "--transform {} --transform-option mask.columns=customer,note --transform-option mask.salt=pepper",
        guest_wasm("transform_mask").display()
    )
}

fn masks_on_refresh_and_integrate(db: Db, test: &str) {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    s.hvr.user_arg.push(' ');
    s.hvr.user_arg.push_str(&mask_args());
    let refresh = s.refresh_changes(12);
    s.hvr.refresh(&refresh).assert_ok();
    for cycle in 0..2 {
        if cycle > 0 {
            let changes = s.cycle_changes(12, None);
            s.hvr.integrate(&changes).assert_ok();
        }
        let orders = &s.models[0];
        assert_eq!(
            s.target.rows(&orders.def, s.style),
            masked(orders.expected()),
            "cycle {cycle}"
        );
        for m in &s.models[1..] {
            assert_eq!(
                s.target.rows(&m.def, s.style),
                m.expected(),
                "{} is untouched",
                m.def.name
            );
        }
    }
}

#[test]
fn sqlite_mask_transform_hashes_columns_on_refresh_and_integrate() {
    masks_on_refresh_and_integrate(Db::Sqlite, "transform_mask_sqlite");
}

#[test]
fn postgres_mask_transform_hashes_columns_on_refresh_and_integrate() {
    masks_on_refresh_and_integrate(Db::Postgres, "transform_mask_pg");
}

#[test]
fn filter_transform_drops_matching_rows_and_chains_after_mask() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "transform_filter");
    s.hvr.user_arg = format!(
        "{} --transform {} --transform-option filter.column=note --transform-option filter.is-null=true",
        mask_args(),
        guest_wasm("transform_filter").display()
    );
    let refresh = s.refresh_changes(40);
    let run = s.hvr.refresh(&refresh);
    run.assert_ok();
    let orders = &s.models[0];
    let want: Vec<Row> = masked(orders.expected())
        .into_iter()
        .filter(|r| r[3].is_some())
        .collect();
    assert!(
        want.len() < orders.expected().len(),
        "the data must have NULL notes to drop"
    );
    assert_eq!(s.target.rows(&orders.def, s.style), want);
    // The job log counts the rows that were loaded, after the filter, not the file's.
    let line = format!("table {}: {} rows from", orders.def.name, want.len());
    assert!(run.stdout.contains(&line), "{line} not in {}", run.stdout);
}

fn hostile_transform(
    test: &str,
    behave: &str,
    extra: &str,
) -> (Scenario, crate::support::hvr::Run) {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    s.hvr.user_arg = format!(
        "--transform {} --transform-option behave={behave} {extra}",
        guest_wasm("transform_hostile").display()
    );
    let run = refresh_orders(&mut s);
    (s, run)
}

#[track_caller]
fn assert_refused(s: &Scenario, run: &crate::support::hvr::Run, fragments: &[&str]) {
    let mut all = vec!["transform transform_hostile"];
    all.extend_from_slice(fragments);
    run.assert_fails_with(&all);
    assert!(
        s.target.rows(&s.models[0].def, s.style).is_empty(),
        "target unchanged"
    );
    assert_eq!(s.hvr.leftover_files().len(), 1, "files kept");
}

#[test]
fn transform_adding_rows_is_refused() {
    let (s, run) = hostile_transform("thostile_rows", "extra-rows", "");
    assert_refused(&s, &run, &["may drop rows, not add them"]);
}

#[test]
fn transform_with_broken_offsets_is_refused() {
    let (s, run) = hostile_transform("thostile_offsets", "bad-offsets", "");
    assert_refused(&s, &run, &["offsets that do not fit its data"]);
}

#[test]
fn transform_returning_non_utf8_is_refused() {
    let (s, run) = hostile_transform("thostile_utf8", "not-utf8", "");
    assert_refused(&s, &run, &["not UTF-8"]);
}

#[test]
fn transform_dropping_a_column_is_refused() {
    let (s, run) = hostile_transform("thostile_column", "drop-column", "");
    assert_refused(&s, &run, &["its columns are"]);
}

#[test]
fn endless_transform_is_stopped_at_the_deadline() {
    let (s, run) = hostile_transform("thostile_loop", "loop", "--guest-timeout-ms 300");
    run.assert_fails_with(&[
        "transform_hostile exceeded its time limit of 300 ms in transform-batch",
    ]);
    assert!(s.target.rows(&s.models[0].def, s.style).is_empty());
}

/// A transform that adds a column (declared up front) feeds a target column the files do not
/// have: mask with `suffix` keeps `note` and fills `note_hash`, on refresh and integrate.
#[test]
fn added_column_lands_in_the_target() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "transform_added");
    s.target
        .execute(&["ALTER TABLE \"sales\".\"orders\" ADD COLUMN note_hash text".to_string()]);
    s.hvr.user_arg.push_str(&format!(
        " --transform {} --transform-option columns=note --transform-option suffix=_hash",
        guest_wasm("transform_mask").display()
    ));
    let refresh = s.refresh_changes(8);
    s.hvr.refresh(&refresh).assert_ok();
    let changes = s.cycle_changes(8, None);
    s.hvr.integrate(&changes).assert_ok();
    s.assert_target_matches("the file's columns are untouched");
    let rows = s
        .target
        .query("SELECT note, note_hash FROM \"sales\".\"orders\"");
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row[1], row[0].as_ref().map(|n| pseudonym("", n)), "{row:?}");
    }
}
