use crate::support::Scenario;
use crate::support::model::Style;
use crate::support::target::Db;

/// A refresh, then five integrate cycles (one table without changes in some), each checked
/// against the model; every file is gone after each call.
fn refresh_and_five_cycles(db: Db, style: Style, test: &str) {
    refresh_and_cycles(db, style, test, "", (25, 15));
}

/// A refresh of `rows` rows per table, then five cycles of `changes` changes each, with
/// `user_arg` added to the scenario's own.
fn refresh_and_cycles(
    db: Db,
    style: Style,
    test: &str,
    user_arg: &str,
    (rows, changes): (usize, usize),
) {
    let mut s = Scenario::new(db, style, test);
    s.hvr.user_arg.push_str(user_arg);
    let refresh = s.refresh_changes(rows);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after refresh");
    s.assert_no_files_left();
    for cycle in 1..=5 {
        let skip = (cycle % 3 == 0).then_some(1);
        let changes = s.cycle_changes(changes, skip);
        s.hvr.integrate(&changes).assert_ok();
        s.assert_target_matches(&format!("after integrate cycle {cycle}"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_replication_copy_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Sqlite, Style::ReplicationCopy, "sqlite_copy");
}

#[test]
fn sqlite_soft_delete_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Sqlite, Style::SoftDelete, "sqlite_soft");
}

#[test]
fn sqlite_time_key_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Sqlite, Style::TimeKey, "sqlite_timekey");
}

#[test]
fn postgres_replication_copy_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Postgres, Style::ReplicationCopy, "pg_copy");
}

/// Over ODBC (arrays and `INSERT ... SELECT FROM unnest`) instead of the native session's
/// COPY: the plan's statements (the stage's ANALYZE, the MERGE's join setting) run through
/// psqlODBC.
#[test]
fn postgres_replication_copy_over_odbc_applies_refresh_and_five_cycles() {
    refresh_and_cycles(
        Db::Postgres,
        Style::ReplicationCopy,
        "pg_copy_odbc",
        " --connector-option load=unnest",
        (25, 15),
    );
}

/// Cycles with more changes than the table has rows, so keys change several times in one
/// cycle and the planner, with the stage's statistics, may join by merging instead of probing.
#[test]
fn postgres_large_cycles_apply_the_last_change_per_key() {
    refresh_and_cycles(
        Db::Postgres,
        Style::ReplicationCopy,
        "pg_copy_large",
        "",
        (150, 600),
    );
}

#[test]
fn postgres_soft_delete_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Postgres, Style::SoftDelete, "pg_soft");
}

#[test]
fn postgres_time_key_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Postgres, Style::TimeKey, "pg_timekey");
}

#[test]
fn mariadb_replication_copy_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Mariadb, Style::ReplicationCopy, "maria_copy");
}

/// Cycles with more changes than the table has rows, so keys change several times in one
/// cycle: the in-sequence apply (no reduction to the last change per key) over three tables,
/// one with a composite text key.
#[test]
fn mariadb_large_cycles_apply_the_last_change_per_key() {
    refresh_and_cycles(
        Db::Mariadb,
        Style::ReplicationCopy,
        "maria_copy_large",
        "",
        (150, 600),
    );
}

/// The same for a SoftDelete target, which still reduces first.
#[test]
fn mariadb_soft_delete_large_cycles_apply_the_last_change_per_key() {
    refresh_and_cycles(
        Db::Mariadb,
        Style::SoftDelete,
        "maria_soft_large",
        "",
        (150, 600),
    );
}

#[test]
fn mariadb_soft_delete_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Mariadb, Style::SoftDelete, "maria_soft");
}

#[test]
fn mariadb_time_key_applies_refresh_and_five_cycles() {
    refresh_and_five_cycles(Db::Mariadb, Style::TimeKey, "maria_timekey");
}

#[test]
fn refresh_preserve_flag_keeps_existing_rows() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "sqlite_preserve");
    let first = s.refresh_changes(5);
    s.hvr.refresh(&first).assert_ok();
    let before = s.target.rows(&s.models[0].def, s.style).len();
    // Rows of a second refresh with new keys land beside the old ones.
    let second = s.refresh_changes(5);
    s.hvr.user_arg.push_str(" -p");
    s.hvr.refresh(&second[..1]).assert_ok();
    assert_eq!(s.target.rows(&s.models[0].def, s.style).len(), before + 5);
}

/// `--refresh-shadow` on PostgreSQL: the refresh lands in a copy that replaces the table at
/// commit; a refresh that dies before commit leaves the old rows and no copy behind, the
/// re-run completes it, the table keeps its primary key, and integrate cycles go on.
#[test]
fn postgres_shadow_refresh_swaps_in_a_complete_table() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "pg_shadow");
    s.hvr.user_arg.push_str(" --refresh-shadow");
    let first = s.refresh_changes(10);
    s.hvr.refresh(&first).assert_ok();
    s.assert_target_matches("after a shadow refresh");

    let old: Vec<_> = s.models.iter().map(|m| m.expected()).collect();
    let second = s.refresh_changes(10);
    let vars = s.hvr.stage_refresh(&second);
    let mut crashing = vars.clone();
    crashing.push(("HVR_WASM_TEST_CRASH_AT".into(), "before-commit".into()));
    assert_ne!(s.hvr.call("refr_write_end", &crashing).code, 0);
    for (m, want) in s.models.iter().zip(&old) {
        assert_eq!(
            &s.target.rows(&m.def, s.style),
            want,
            "the old rows must survive"
        );
    }
    let shadows = s
        .target
        .query("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'hvr_shadow_%'");
    assert_eq!(shadows, vec![vec![Some("0".to_string())]]);

    s.hvr.call("refr_write_end", &vars).assert_ok();
    s.assert_target_matches("after the re-run shadow refresh");
    let keys = s.target.query(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND conrelid = '\"group\"'::regclass",
    );
    assert_eq!(keys, vec![vec![Some("1".to_string())]]);
    let changes = s.cycle_changes(10, None);
    s.hvr.integrate(&changes).assert_ok();
    s.assert_target_matches("after a cycle on the swapped-in tables");
}
