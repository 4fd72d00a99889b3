//! MariaDB loads stream each file through one `LOAD DATA` statement, batch after batch: a
//! failure found only when the statement ends, or while a later batch is being read, must
//! still fail the table whole, name the rows, and keep the files.

use crate::support::Scenario;
use crate::support::hvr::File;
use crate::support::model::Style;
use crate::support::target::Db;

/// More rows than one batch of the `mariadb` connector's LOAD DATA (10,000; the messages
/// below are checked against 50,000-row batches too), so earlier batches have reached the
/// server before the trouble.
const ROWS: usize = 60_000;

/// Line of the `i`th row (from 0) of a file with a header line.
fn line_of(i: usize) -> usize {
    i + 2
}

#[test]
fn mariadb_value_refused_in_a_later_batch_names_that_batch() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "stream_later_batch");
    let refresh = s.refresh_changes(10);
    s.hvr.refresh(&refresh).assert_ok();
    let bad = 55_000;
    let mut bytes = b"id,customer,amount,note,created,op_type,is_deleted\n".to_vec();
    for i in 0..ROWS {
        let amount = if i == bad { "not-a-number" } else { "1.00" };
        let row = format!("{},c{i},{amount},n,2024-01-01 00:00:00,1,0\n", 900_000 + i);
        bytes.extend_from_slice(row.as_bytes());
    }
    let file = File {
        name: "20991231000000000-orders.csv".into(),
        bytes,
        rows: ROWS,
    };
    s.hvr.write(std::slice::from_ref(&file));
    let orders = s.hvr.tables[0].clone();
    let vars = s
        .hvr
        .end_env(&[&orders], std::slice::from_ref(&file), false);
    // The server counts the bad row from the statement's first; the message names its batch
    // and, the rows being one line each, its line.
    let batch = format!(
        "line {} (row {} of the batch of lines {}-{})",
        line_of(bad),
        bad - 50_000 + 1,
        line_of(50_000),
        line_of(ROWS - 1)
    );
    s.hvr
        .call("integ_end", &vars)
        .assert_fails_with(&["orders", &file.name, &batch, "amount"]);
    s.assert_target_matches("after the refused value");
    assert_eq!(s.hvr.leftover_files(), vec![file.name.clone()]);
}

/// A refresh loads straight into the target: rows of the batches already streamed are in
/// the open transaction when a later row cannot be read. None of them may stay.
#[test]
fn mariadb_refresh_stopped_after_streamed_batches_changes_nothing() {
    let mut s = Scenario::new(
        Db::Mariadb,
        Style::ReplicationCopy,
        "stream_stopped_refresh",
    );
    s.models.truncate(1);
    let refresh = s.refresh_changes(10);
    s.hvr.refresh(&refresh).assert_ok();
    let def = s.models[0].def.clone();
    let before = s.target.rows(&def, s.style);
    let changes = s.refresh_changes(ROWS);
    let orders = s.hvr.tables[0].clone();
    let mut files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    // A row too short to read, after all the good ones (and so after the first batch).
    files[0].bytes.extend_from_slice(b"1,2\n");
    files[0].rows += 1;
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr.call("refr_write_end", &vars).assert_fails_with(&[
        "orders",
        &files[0].name,
        "field(s), expected",
    ]);
    assert_eq!(s.target.rows(&def, s.style), before, "the target changed");
    assert_eq!(s.hvr.leftover_files(), vec![files[0].name.clone()]);
}

/// Several files of one table: one statement each, every row loaded once.
#[test]
fn mariadb_refresh_of_several_large_files_loads_every_row_once() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "stream_several_files");
    s.models.truncate(1);
    let changes = s.refresh_changes(2 * ROWS);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 3);
    assert_eq!(files.len(), 3);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr.call("refr_write_end", &vars).assert_ok();
    s.assert_target_matches("after a refresh in three files");
    s.assert_no_files_left();
}

/// Tables on parallel lanes each stream through their own connection at the same time.
#[test]
fn mariadb_parallel_tables_stream_at_the_same_time() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "stream_parallel");
    s.hvr.user_arg.push_str(" --parallel 3");
    // More than one batch (10,000 rows) per table, few enough for the model to stay quick.
    let refresh = s.refresh_changes(11_000);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after a parallel refresh");
    let cycle = s.cycle_changes(500, None);
    s.hvr.integrate(&cycle).assert_ok();
    s.assert_target_matches("after a parallel integrate");
}
