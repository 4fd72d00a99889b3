//! A refresh restricted by HVR's `Restrict /RefreshCondition` delivers a subset: with
//! `--refresh-condition` only the matching rows are replaced, the others stay.

use crate::support::hvr::{File, Hvr, scratch};
use crate::support::model::Style;
use crate::support::target::{Db, Target};

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn refresh(hvr: &Hvr, name: &str, body: &str, rows: usize) -> crate::support::hvr::Run {
    let file = File {
        name: name.into(),
        bytes: format!("id,region,a\n{body}").into_bytes(),
        rows,
    };
    hvr.write(std::slice::from_ref(&file));
    let vars: Vec<(String, String)> = [
        ("HVR_TBL_NAMES", "t"),
        ("HVR_BASE_NAMES", "t"),
        ("HVR_COL_NAMES", "id,region,a"),
        ("HVR_TBL_KEYS", "id"),
        ("HVR_FILE_NAMES", name),
        ("HVR_FILE_NROWS", &rows.to_string()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "HVR_FILE_LOC".to_string(),
        hvr.files_dir.display().to_string(),
    )])
    .collect();
    hvr.call("refr_write_end", &vars)
}

fn only_matching_rows_are_replaced(db: Db, test: &str) {
    let dir = scratch(test);
    let target = Target::fresh(db, test, &dir);
    target.execute(&[
        "CREATE TABLE t (id INTEGER PRIMARY KEY, region VARCHAR(8), a VARCHAR(20))".into(),
    ]);
    let mut hvr = Hvr::new(&dir, vec![], Style::ReplicationCopy, "main");
    hvr.env.push((
        "HVR_WASM_CONNECT_STRING".into(),
        target.connect_string.clone(),
    ));
    hvr.user_arg = format!("--connector {}", target.connector());
    refresh(&hvr, "1-t.csv", "1,EU,a1\n2,US,a2\n3,EU,a3\n4,US,a4\n", 4).assert_ok();
    hvr.user_arg
        .push_str(" --refresh-condition \"t:region = 'EU'\"");
    refresh(&hvr, "2-t.csv", "1,EU,b1\n5,EU,b5\n", 2).assert_ok();
    let rows = target.query("SELECT id, region, a FROM t ORDER BY id");
    assert_eq!(
        rows,
        vec![
            vec![s("1"), s("EU"), s("b1")],
            vec![s("2"), s("US"), s("a2")],
            vec![s("4"), s("US"), s("a4")],
            vec![s("5"), s("EU"), s("b5")],
        ],
        "{db:?}"
    );
    assert!(hvr.leftover_files().is_empty());
}

#[test]
fn sqlite_refresh_condition_replaces_only_matching_rows() {
    only_matching_rows_are_replaced(Db::Sqlite, "restrict_sqlite");
}

#[test]
fn mariadb_refresh_condition_replaces_only_matching_rows() {
    only_matching_rows_are_replaced(Db::Mariadb, "restrict_maria");
}

#[test]
fn postgres_refresh_condition_replaces_only_matching_rows() {
    only_matching_rows_are_replaced(Db::Postgres, "restrict_pg");
}
