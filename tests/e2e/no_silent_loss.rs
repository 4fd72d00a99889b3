//! Each class of silent loss or duplication the acceptance run found, tried as HVR and as a
//! careless operator would: the call must either apply exactly once or fail loudly, touching
//! nothing.

use std::process::Stdio;

use crate::support::Scenario;
use crate::support::hvr::File;
use crate::support::model::Style;
use crate::support::stores::StoreLocation;
use crate::support::target::Db;

/// A scenario refreshed with `rows` rows per table.
fn refreshed(db: Db, style: Style, test: &str, rows: usize) -> Scenario {
    let mut s = Scenario::new(db, style, test);
    let refresh = s.refresh_changes(rows);
    s.hvr.refresh(&refresh).assert_ok();
    s
}

/// The same with `orders` only (the other models are dropped first).
fn refreshed_orders(db: Db, style: Style, test: &str, rows: usize) -> Scenario {
    let mut s = Scenario::new(db, style, test);
    s.models.truncate(1);
    let refresh = s.refresh_changes(rows);
    s.hvr.refresh(&refresh).assert_ok();
    s
}

/// A scenario whose files are named `{hvr_tbl_name}.csv`: every cycle repeats every name.
fn repeating_names(db: Db, style: Style, test: &str) -> Scenario {
    let mut s = Scenario::new(db, style, test);
    s.hvr
        .user_arg
        .push_str(" --rename-expression {hvr_tbl_name}.csv");
    s
}

fn named(mut files: Vec<File>, name: &str) -> Vec<File> {
    assert_eq!(files.len(), 1);
    files[0].name = name.to_string();
    files
}

/// Refresh `orders` only (the other models are dropped), under the file name `name`.
fn refresh_orders_as(s: &mut Scenario, rows: usize, name: &str) -> crate::support::hvr::Run {
    s.models.truncate(1);
    let changes = s.refresh_changes(rows);
    let orders = s.hvr.tables[0].clone();
    let files = named(s.hvr.files_for(&orders, &changes[0].1, true, 1), name);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr.call("refr_write_end", &vars)
}

fn cycle_orders_as(s: &mut Scenario, changes: usize, name: &str) -> crate::support::hvr::Run {
    let changes = s.cycle_changes(changes, None);
    let orders = s.hvr.tables[0].clone();
    let files = named(s.hvr.files_for(&orders, &changes[0].1, false, 1), name);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr.call("integ_end", &vars)
}

/// Same names, same row counts, new content: a new cycle, never "already applied".
fn same_names_new_content(db: Db, style: Style, test: &str) {
    same_names_new_content_in(repeating_names(db, style, test));
}

fn same_names_new_content_in(mut s: Scenario) {
    refresh_orders_as(&mut s, 8, "orders.csv").assert_ok();
    s.assert_target_matches("after the first refresh");
    // A second refresh with the same name and count but other rows.
    refresh_orders_as(&mut s, 8, "orders.csv").assert_ok();
    s.assert_target_matches("after a second refresh under the same name");
    for cycle in 1..=3 {
        let run = cycle_orders_as(&mut s, 6, "orders.csv");
        run.assert_ok();
        assert!(!run.stdout.contains("an earlier run"), "{}", run.stdout);
        s.assert_target_matches(&format!("after cycle {cycle} under the same name"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_same_names_with_new_content_are_applied() {
    same_names_new_content(Db::Sqlite, Style::TimeKey, "nsl_names_sqlite");
}

/// On a store the identity is the object's ETag, version and modification time.
fn same_names_new_content_on(test: &str, store: fn(&str) -> StoreLocation) {
    let mut s = repeating_names(Db::Sqlite, Style::TimeKey, test);
    s.hvr.use_store(store(test));
    same_names_new_content_in(s);
}

#[test]
fn s3_same_names_with_new_content_are_applied() {
    same_names_new_content_on("nsl_names_s3", StoreLocation::s3);
}

#[test]
fn azure_same_names_with_new_content_are_applied() {
    same_names_new_content_on("nsl_names_azure", StoreLocation::azure);
}

#[test]
fn postgres_same_names_with_new_content_are_applied() {
    same_names_new_content(Db::Postgres, Style::ReplicationCopy, "nsl_names_pg");
}

#[test]
fn mariadb_same_names_with_new_content_are_applied() {
    same_names_new_content(Db::Mariadb, Style::SoftDelete, "nsl_names_maria");
}

/// A re-run after the commit still recognises the very same files (identity unchanged).
#[test]
fn rerun_of_committed_files_with_repeating_names_deletes_only() {
    let mut s = repeating_names(Db::Sqlite, Style::TimeKey, "nsl_rerun_same");
    refresh_orders_as(&mut s, 5, "orders.csv").assert_ok();
    let changes = s.cycle_changes(6, None);
    let orders = s.hvr.tables[0].clone();
    let files = named(
        s.hvr.files_for(&orders, &changes[0].1, false, 1),
        "orders.csv",
    );
    s.hvr.write(&files);
    let mut vars = s.hvr.end_env(&[&orders], &files, false);
    vars.push(("HVR_WASM_TEST_CRASH_AT".into(), "after-commit".into()));
    assert_ne!(
        s.hvr.call("integ_end", &vars).code,
        0,
        "crash point reached"
    );
    vars.pop();
    let rerun = s.hvr.call("integ_end", &vars);
    rerun.assert_ok();
    assert!(rerun.stdout.contains("already applied"), "{}", rerun.stdout);
    s.assert_target_matches("after the re-run");
    s.assert_no_files_left();
}

#[test]
fn a_missing_location_directory_fails_before_any_table() {
    let mut s = refreshed(Db::Sqlite, Style::ReplicationCopy, "nsl_no_dir", 4);
    let changes = s.cycle_changes(5, None);
    let vars = s.hvr.stage_integrate(&changes);
    let missing = s.hvr.dir.join("not-mounted");
    let wrong: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| match k.as_str() {
            "HVR_FILE_LOC" => (k.clone(), missing.display().to_string()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    s.hvr
        .call("integ_end", &wrong)
        .assert_fails_with(&["not-mounted", "cannot be used"]);
    // The real files were never touched, and a call with the right location applies them.
    s.hvr.call("integ_end", &vars).assert_ok();
    s.assert_target_matches("after the call with the right location");
    s.assert_no_files_left();
}

#[test]
fn files_gone_without_a_fence_record_fail_naming_the_location() {
    let mut s = refreshed(Db::Sqlite, Style::ReplicationCopy, "nsl_gone", 4);
    let before = s.target.rows(&s.models[0].def, s.style);
    let changes = s.cycle_changes(5, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 1);
    // Never written: deleted by someone, or written elsewhere.
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr.call("integ_end", &vars).assert_fails_with(&[
        "orders",
        "none of its 1 file(s)",
        &s.hvr.files_dir.display().to_string(),
    ]);
    assert_eq!(s.target.rows(&s.models[0].def, s.style), before);
}

#[test]
fn a_file_listed_twice_is_refused_before_anything_runs() {
    let mut s = refreshed(Db::Sqlite, Style::TimeKey, "nsl_twice", 4);
    let before = s.target.rows(&s.models[0].def, s.style);
    let changes = s.cycle_changes(5, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 1);
    s.hvr.write(&files);
    let entry = || File {
        name: files[0].name.clone(),
        bytes: vec![],
        rows: files[0].rows,
    };
    let twice = vec![entry(), entry()];
    let vars = s.hvr.end_env(&[&orders], &twice, false);
    s.hvr
        .call("integ_end", &vars)
        .assert_fails_with(&["listed twice", &files[0].name]);
    assert_eq!(s.target.rows(&s.models[0].def, s.style), before);
    assert_eq!(s.hvr.leftover_files(), vec![files[0].name.clone()]);
}

/// A refresh of a table whose source is empty empties it, alone or beside other tables.
#[test]
fn a_refresh_without_rows_empties_the_table() {
    let mut s = refreshed_orders(Db::Sqlite, Style::ReplicationCopy, "nsl_empty_refresh", 6);
    let _ = s.refresh_changes(0);
    let orders = s.hvr.tables[0].clone();
    let vars = s.hvr.end_env(&[&orders], &[], true);
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_ok();
    s.assert_target_matches("after refreshing an empty source");
    assert!(s.target.rows(&orders, s.style).is_empty());
}

#[test]
fn recovery_calls_with_minus_one_do_nothing() {
    let s = refreshed(Db::Sqlite, Style::ReplicationCopy, "nsl_recovery", 3);
    for vars in [
        vec![
            ("HVR_TBL_NAMES", ""),
            ("HVR_FILE_NAMES", ""),
            ("HVR_FILE_NROWS", "-1"),
        ],
        vec![
            ("HVR_TBL_NAMES", "orders"),
            ("HVR_FILE_NAMES", ""),
            ("HVR_TBL_NROWS", "-1"),
        ],
        vec![("HVR_FILE_NROWS", "-1")],
    ] {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for mode in ["integ_end", "refr_write_end"] {
            let run = s.hvr.call(mode, &vars);
            run.assert_ok();
            assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
        }
    }
    s.assert_target_matches("after recovery calls");
}

#[test]
fn file_names_that_leave_the_location_are_refused() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "nsl_traversal");
    s.hvr
        .user_arg
        .push_str(" --rename-expression {hvr_tbl_name}/{hvr_integ_tstamp}");
    let refresh = s.refresh_changes(3);
    let orders = s.hvr.tables[0].clone();
    let outside = s.hvr.dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let mut files = s.hvr.files_for(&orders, &refresh[0].1, true, 1);
    std::fs::write(outside.join("x.csv"), &files[0].bytes).unwrap();
    files[0].name = "orders/../../outside/x.csv".into();
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr
        .call("refr_write_end", &vars)
        .assert_fails_with(&["'..'", "orders/../../outside/x.csv"]);
    assert!(
        outside.join("x.csv").is_file(),
        "the outside file was deleted"
    );

    // A symlink inside the location that points out of it.
    std::fs::create_dir_all(s.hvr.files_dir.join("orders")).unwrap();
    std::os::unix::fs::symlink(outside.join("x.csv"), s.hvr.files_dir.join("orders/link")).unwrap();
    files[0].name = "orders/link".into();
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr
        .call("refr_write_end", &vars)
        .assert_fails_with(&["orders/link", "leads out of the file location"]);
    assert!(
        outside.join("x.csv").is_file(),
        "the outside file was deleted"
    );
}

/// Two processes running the same `integ_end` at once (an operator restarting a "hung" job):
/// one applies, the other waits and then finds it applied; a TimeKey cycle never lands twice.
fn concurrent_same_call(db: Db, test: &str) {
    let mut s = refreshed(db, Style::TimeKey, test, 10);
    for round in 0..3 {
        let changes = s.cycle_changes(300, None);
        let vars = s.hvr.stage_integrate(&changes);
        let spawn = || {
            s.hvr
                .command("integ_end", &vars)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        for out in [&a, &b] {
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        s.assert_target_matches(&format!("after round {round} of two concurrent calls"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_two_concurrent_calls_apply_once() {
    concurrent_same_call(Db::Sqlite, "nsl_twin_sqlite");
}

#[test]
fn postgres_two_concurrent_calls_apply_once() {
    concurrent_same_call(Db::Postgres, "nsl_twin_pg");
}

#[test]
fn mariadb_two_concurrent_calls_apply_once() {
    concurrent_same_call(Db::Mariadb, "nsl_twin_maria");
}

/// The fence's state table given as SCHEMA.NAME works on every target.
fn qualified_state_table(db: Db, test: &str) {
    let mut s = Scenario::new(db, Style::TimeKey, test);
    let schema = s.target.schema.clone();
    s.hvr
        .user_arg
        .push_str(&format!(" --state-table {schema}.my_fence"));
    let refresh = s.refresh_changes(4);
    s.hvr.refresh(&refresh).assert_ok();
    let changes = s.cycle_changes(5, None);
    let mut vars = s.hvr.stage_integrate(&changes);
    vars.push(("HVR_WASM_TEST_CRASH_AT".into(), "after-commit".into()));
    assert_ne!(s.hvr.call("integ_end", &vars).code, 0);
    vars.pop();
    s.hvr.call("integ_end", &vars).assert_ok();
    s.assert_target_matches("after a re-run with a qualified state table");
}

#[test]
fn mariadb_qualified_state_table_records_the_fence() {
    qualified_state_table(Db::Mariadb, "nsl_state_maria");
}

#[test]
fn postgres_qualified_state_table_records_the_fence() {
    qualified_state_table(Db::Postgres, "nsl_state_pg");
}

/// An update whose file lacks a target column keeps that column's value on every target, as
/// an upsert does (SQLite's delete-and-insert once set it to NULL).
fn updates_keep_columns_the_file_lacks(db: Db, style: Style, test: &str) {
    let mut s = Scenario::new(db, style, test);
    s.models.truncate(1);
    let refresh = s.refresh_changes(6);
    s.hvr.refresh(&refresh).assert_ok();
    let orders = s.hvr.tables[0].clone();
    let table = s.target.qualified(&orders);
    s.target.execute(&[
        format!("ALTER TABLE {table} ADD COLUMN kept_note VARCHAR(20)"),
        format!("UPDATE {table} SET kept_note = 'keep'"),
    ]);
    // Every row sent again as an update (op 2), values unchanged.
    let mut updates = refresh[0].1.clone();
    for u in &mut updates {
        u.op = 2;
    }
    let files = s.hvr.files_for(&orders, &updates, false, 1);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr.call("integ_end", &vars).assert_ok();
    let kept = s.target.query(&format!(
        "SELECT COUNT(*) FROM {table} WHERE kept_note = 'keep'"
    ));
    assert_eq!(kept, vec![vec![Some("6".to_string())]], "{db:?}");
}

#[test]
fn sqlite_updates_keep_columns_the_file_lacks() {
    updates_keep_columns_the_file_lacks(Db::Sqlite, Style::ReplicationCopy, "nsl_keep_sqlite");
}

#[test]
fn sqlite_soft_delete_updates_keep_columns_the_file_lacks() {
    updates_keep_columns_the_file_lacks(Db::Sqlite, Style::SoftDelete, "nsl_keep_sqlite_soft");
}

#[test]
fn postgres_updates_keep_columns_the_file_lacks() {
    updates_keep_columns_the_file_lacks(Db::Postgres, Style::ReplicationCopy, "nsl_keep_pg");
}

#[test]
fn mariadb_updates_keep_columns_the_file_lacks() {
    updates_keep_columns_the_file_lacks(Db::Mariadb, Style::ReplicationCopy, "nsl_keep_maria");
}

/// Replication copy whose files carry no op column, only the SoftDelete column (deletes are
/// rows with `is_deleted = 1`): MariaDB's stage once kept a NULL row and every cycle failed.
fn soft_delete_column_only(db: Db, test: &str) {
    use crate::support::hvr::csv_line;
    let mut s = refreshed_orders(db, Style::ReplicationCopy, test, 8);
    let orders = s.hvr.tables[0].clone();
    for cycle in 0..2 {
        let changes = s.cycle_changes(10, None).remove(0).1;
        let mut text = csv_line(
            &orders
                .columns
                .iter()
                .map(|c| Some(c.base.to_string()))
                .chain([Some("is_deleted".to_string())])
                .collect::<Vec<_>>(),
        );
        for c in &changes {
            let mut fields = c.values.clone();
            fields.push(Some(if c.deleted { "1" } else { "0" }.into()));
            text.push_str(&csv_line(&fields));
        }
        let files = vec![File {
            name: format!("2025000000000{cycle}-orders.csv"),
            bytes: text.into_bytes(),
            rows: changes.len(),
        }];
        s.hvr.write(&files);
        let vars: Vec<(String, String)> = s
            .hvr
            .end_env(&[&orders], &files, false)
            .into_iter()
            .map(|(k, v)| {
                let v = if k.starts_with("HVR_COL_NAMES") {
                    v.replace(",op_type", "")
                } else {
                    v
                };
                (k, v)
            })
            .collect();
        s.hvr.call("integ_end", &vars).assert_ok();
        s.assert_target_matches(&format!("after cycle {cycle} without an op column"));
    }
}

#[test]
fn mariadb_soft_delete_column_without_op_column_applies() {
    soft_delete_column_only(Db::Mariadb, "nsl_noop_maria");
}

#[test]
fn sqlite_soft_delete_column_without_op_column_applies() {
    soft_delete_column_only(Db::Sqlite, "nsl_noop_sqlite");
}

#[test]
fn postgres_soft_delete_column_without_op_column_applies() {
    soft_delete_column_only(Db::Postgres, "nsl_noop_pg");
}

/// A file that cannot be deleted after its rows are committed: the call says what was
/// committed and what was not removed (it once said "0 table(s) loaded ... 1 failed"), exits
/// 1, and the re-run removes the file without applying it again.
#[test]
fn a_failed_delete_after_the_commit_is_reported_truthfully() {
    let mut s = refreshed_orders(Db::Sqlite, Style::TimeKey, "nsl_undeletable", 4);
    let changes = s.cycle_changes(6, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 1);
    s.hvr.write(&files);
    let path = s.hvr.files_dir.join(&files[0].name);
    let chattr = |flag: &str| {
        let status = std::process::Command::new("chattr")
            .args([flag, path.to_str().unwrap()])
            .status()
            .expect("chattr (e2fsprogs) runs");
        assert!(
            status.success(),
            "chattr {flag} failed: the suite needs ext4-like /tmp"
        );
    };
    chattr("+i");
    let vars = s.hvr.end_env(&[&orders], &files, false);
    let run = s.hvr.call("integ_end", &vars);
    chattr("-i");
    run.assert_fails_with(&["orders", "were committed", "could not be removed"]);
    assert!(run.stdout.contains("1 table(s) loaded"), "{}", run.stdout);
    let committed = format!("{} rows committed", files[0].rows);
    assert!(run.stdout.contains(&committed), "{}", run.stdout);
    s.assert_target_matches("after the commit whose file stayed");
    let rerun = s.hvr.call("integ_end", &vars);
    rerun.assert_ok();
    assert!(
        rerun.stdout.contains("an earlier run already applied"),
        "{}",
        rerun.stdout
    );
    s.assert_target_matches("after the re-run: nothing doubled");
    s.assert_no_files_left();
}

/// A refresh call whose table has rows by HVR_TBL_NROWS but no file is not an empty source:
/// nothing is emptied.
#[test]
fn a_table_with_rows_but_no_file_is_never_emptied() {
    let s = refreshed_orders(Db::Sqlite, Style::ReplicationCopy, "nsl_rows_no_file", 5);
    let orders = s.hvr.tables[0].clone();
    let mut vars = s.hvr.end_env(&[&orders], &[], true);
    vars.push(("HVR_TBL_NROWS".into(), "5".into()));
    s.hvr
        .call("refr_write_end", &vars)
        .assert_fails_with(&["orders", "HVR_TBL_NROWS says 5 rows but no file"]);
    s.assert_target_matches("after the refused call");
}

/// One file under two names (a symlink or a hard link inside the location) is a file listed
/// twice: refused before anything is applied.
#[test]
fn one_file_under_two_names_is_refused() {
    let mut s = refreshed_orders(Db::Sqlite, Style::TimeKey, "nsl_alias", 4);
    let before = s.target.rows(&s.models[0].def, s.style);
    let changes = s.cycle_changes(5, None);
    let orders = s.hvr.tables[0].clone();
    let mut files = s.hvr.files_for(&orders, &changes[0].1, false, 1);
    s.hvr.write(&files);
    let alias = format!("2099{}", &files[0].name[4..]);
    let (dir, original) = (s.hvr.files_dir.clone(), files[0].name.clone());
    for link in [
        |from: &std::path::Path, to: &std::path::Path| std::os::unix::fs::symlink(from, to),
        |from: &std::path::Path, to: &std::path::Path| std::fs::hard_link(from, to),
    ] {
        let _ = std::fs::remove_file(dir.join(&alias));
        link(&dir.join(&original), &dir.join(&alias)).unwrap();
        files.truncate(1);
        files.push(File {
            name: alias.clone(),
            bytes: vec![],
            rows: files[0].rows,
        });
        let vars = s.hvr.end_env(&[&orders], &files, false);
        s.hvr
            .call("integ_end", &vars)
            .assert_fails_with(&["are the same file", &alias]);
        assert_eq!(s.target.rows(&s.models[0].def, s.style), before);
    }
}

/// A bug in the host's own work on a table (a panic, forced by a test hook while reading a
/// row) fails that table as a table error, on whichever thread it runs: a one-batch file is
/// read on the table's own thread (the call's main thread when one lane runs there), a file
/// without a row count on a reader thread, and with `--parallel 2` the tables run on lanes.
/// Nothing is applied, the files stay, and the call's one F_J line is the tables' failure,
/// not an internal error of the call.
#[test]
fn a_panic_in_a_tables_work_fails_the_table_and_keeps_its_files() {
    for (case, parallel, with_row_counts) in [
        ("one lane, one batch", "", true),
        ("one lane, reader thread", "", false),
        ("two lanes", " --parallel 2", true),
    ] {
        let test = format!("nsl_panic_{}", case.replace([' ', ','], "_"));
        let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, &test);
        s.hvr.user_arg.push_str(parallel);
        let refresh = s.refresh_changes(5);
        let mut vars = s.hvr.stage_refresh(&refresh);
        if !with_row_counts {
            vars.retain(|(k, _)| k != "HVR_FILE_NROWS");
        }
        vars.push(("HVR_WASM_TEST_PANIC_AT".into(), "reading-a-row".into()));
        let run = s.hvr.call("refr_write_end", &vars);
        run.assert_fails_with(&["test panic at reading-a-row"]);
        let fatal = run
            .stderr
            .lines()
            .find(|l| l.starts_with("F_JX0D03"))
            .unwrap();
        assert!(!fatal.contains("internal error"), "{case}: {fatal}");
        assert!(
            run.stdout.contains("W_JX0E00: a table's work panicked"),
            "{case}: {}",
            run.stdout
        );
        assert!(!s.hvr.leftover_files().is_empty(), "{case}: files kept");
        for m in &s.models {
            assert!(s.target.rows(&m.def, s.style).is_empty(), "{case}");
        }
    }
}
