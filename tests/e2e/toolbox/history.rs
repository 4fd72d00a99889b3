//! `--history-table`, `--summary-json` and progress lines.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

fn history(db: Db, test: &str) {
    let dir = crate::support::hvr::scratch(test);
    let summary = dir.join("summary.json");
    let ch = Channel::new(
        db,
        test,
        &format!(
            "--history-table hvr_history --summary-json {}",
            summary.display()
        ),
    );
    let run = super::refresh_then_cycle(&ch);
    assert!(
        run.stdout
            .contains("(inserted 1, updated 1, deleted 1, truncated 0)"),
        "{}",
        run.stdout
    );
    // A re-run finds the files applied: it adds no history row.
    ch.call(
        "integ_end",
        "id,a,op_type",
        "id",
        &[("20240101000000002-t.csv", 3)],
    )
    .assert_ok();
    let rows = ch.target.query(
        "SELECT mode, channel, location, table_name, file_count, files, rows_inserted, rows_updated, \
         rows_deleted, rows_truncated, rows_set_aside, host_version, connector FROM hvr_history ORDER BY started_at",
    );
    let version = env!("CARGO_PKG_VERSION");
    let connector = ch.target.connector();
    let expected = |mode: &str, file: &str, ins: &str, upd: &str, del: &str| {
        vec![
            s(mode),
            s("chn"),
            s("trg"),
            s("t"),
            s("1"),
            s(file),
            s(ins),
            s(upd),
            s(del),
            s("0"),
            s("0"),
            s(version),
        ]
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[0][..12],
        expected("refr_write_end", "20240101000000001-t.csv", "3", "0", "0")[..]
    );
    assert_eq!(
        rows[1][..12],
        expected("integ_end", "20240101000000002-t.csv", "1", "1", "1")[..]
    );
    let named = rows[1][12].clone().unwrap();
    assert!(
        named.starts_with(connector),
        "{named} names connector {connector}"
    );
    let times = ch
        .target
        .query("SELECT started_at, ended_at FROM hvr_history");
    for t in times {
        let (start, end) = (t[0].clone().unwrap(), t[1].clone().unwrap());
        assert!(
            start.ends_with('Z') && start.len() == 24 && start <= end,
            "{start} {end}"
        );
    }
    // The summary is the last call's: the re-run found everything applied.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["mode"], "integ_end");
    assert_eq!(json["succeeded"], true);
    assert_eq!(json["tables"][0]["outcome"], "already_applied");
}

#[test]
fn history_and_summary_on_sqlite() {
    history(Db::Sqlite, "toolbox_history_sqlite");
}

#[test]
fn history_and_summary_on_postgres() {
    history(Db::Postgres, "toolbox_history_pg");
}

/// A failed call still writes its summary, naming the table and why; the history table gets
/// nothing (the table's transaction rolled back).
#[test]
fn a_failed_call_writes_its_summary_and_no_history() {
    let test = "toolbox_summary_failed";
    let dir = crate::support::hvr::scratch(test);
    let summary = dir.join("out/summary.json");
    let ch = Channel::new(
        Db::Sqlite,
        test,
        &format!(
            "--history-table hvr_history --summary-json {}",
            summary.display()
        ),
    );
    std::fs::create_dir_all(summary.parent().unwrap()).unwrap();
    ch.raw("20240101000000000-t.csv", b"id,a\n1,x\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000000-t.csv", 1)],
    )
    .assert_ok();
    ch.raw("20240101000000001-t.csv", b"id,a,op_type\n1,x,7\n");
    ch.call(
        "integ_end",
        "id,a,op_type",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_fails_with(&["not an HVR op code"]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["succeeded"], false);
    assert_eq!(json["tables"][0]["outcome"], "failed");
    assert!(
        json["tables"][0]["error"]
            .as_str()
            .unwrap()
            .contains("op code")
    );
    // The refresh's row only.
    assert_eq!(
        ch.target.query("SELECT COUNT(*) FROM hvr_history"),
        vec![vec![s("1")]]
    );
    assert!(ch.file_exists("20240101000000001-t.csv"));
}

/// A load prints progress lines (here after every batch) with the percent of HVR's row count,
/// then the table's final line with rows by op.
fn progress(db: Db, test: &str) {
    let ch = Channel::new(db, test, "--progress-every 0.000001");
    // More rows than two batches of any built-in connector (at most 25,000): a line per batch.
    let csv = super::numbered_csv("id,a", 60_000, |i| format!("{i},v{i}"));
    ch.raw("20240101000000001-t.csv", csv.as_bytes());
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 60000)],
    );
    run.assert_ok();
    let progress: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("table t: ") && l.contains("rows/s"))
        .collect();
    assert!(progress.len() >= 2, "{}", run.stdout);
    assert!(
        progress.iter().any(|l| l.contains("% of HVR_FILE_NROWS")),
        "{progress:?}"
    );
    assert!(
        run.stdout
            .contains("table t: 60000 rows from 1 file(s) into t in"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("(inserted 60000, updated 0, deleted 0, truncated 0)")
    );
}

#[test]
fn progress_lines_show_rows_and_percent_on_sqlite() {
    progress(Db::Sqlite, "toolbox_progress_sqlite");
}

#[test]
fn progress_lines_show_rows_and_percent_on_postgres() {
    progress(Db::Postgres, "toolbox_progress_pg");
}

/// A call that fails before any table (here: a target it cannot reach) still writes its
/// summary, with the error and without the password.
#[test]
fn a_call_that_cannot_reach_its_target_still_writes_its_summary() {
    let test = "toolbox_summary_unreachable";
    let mut ch = Channel::new(Db::Mariadb, test, "");
    // Beside the channel's folder (scratch() would empty it).
    let summary = ch.hvr.files_dir.with_extension("summary.json");
    ch.hvr.user_arg = format!("--summary-json {}", summary.display());
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        value.push_str("PWD=Summary-Secret-77;")
    });
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_fails_with(&["cannot connect"]);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(!text.contains("Summary-Secret-77"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["succeeded"], false);
    assert!(
        json["error"].as_str().unwrap().contains("cannot connect"),
        "{text}"
    );
}

#[test]
fn history_and_summary_on_mariadb() {
    history(Db::Mariadb, "toolbox_history_mariadb");
}
