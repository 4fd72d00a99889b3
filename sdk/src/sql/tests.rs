//! Unit tests of the SQL building blocks.

use super::*;

use crate::{Column, PlanError, Table, TargetColumn};

fn options(style: TargetStyle) -> Options {
    let mut o = Options::new(style);
    o.keep_soft_delete_column = style == TargetStyle::SoftDelete;
    o.keep_op_column = false;
    o
}

fn table() -> Table {
    Table::new("orders")
        .base_name("Orders")
        .schema("sales")
        .column(Column::data("id").key())
        .column(Column::data("group"))
        .column(Column::op("op_type"))
        .column(Column::soft_delete("is_deleted"))
}

#[test]
fn quoting_doubles_embedded_quotes() {
    assert_eq!(Dialect::ANSI.ident(r#"a"b"#), r#""a""b""#);
    assert_eq!(Dialect::BACKTICK.ident("a`b"), "`a``b`");
}

#[test]
fn qualified_name_quotes_each_part() {
    assert_eq!(Dialect::ANSI.table_name(&table()), r#""sales"."Orders""#);
}

#[test]
fn replication_copy_drops_both_extra_columns() {
    let layout = Layout::new(&table(), &options(TargetStyle::ReplicationCopy)).unwrap();
    assert_eq!(layout.target_names(), vec!["id", "group"]);
    assert_eq!(layout.op, Some(2));
    assert_eq!(layout.soft_delete, Some(3));
}

#[test]
fn soft_delete_keeps_its_column_and_time_key_keeps_all() {
    let layout = Layout::new(&table(), &options(TargetStyle::SoftDelete)).unwrap();
    assert_eq!(layout.target_names(), vec!["id", "group", "is_deleted"]);
    let layout = Layout::new(&table(), &options(TargetStyle::TimeKey)).unwrap();
    assert_eq!(
        layout.target_names(),
        vec!["id", "group", "op_type", "is_deleted"]
    );
}

#[test]
fn missing_target_column_is_named_in_the_error() {
    let mut t = table();
    t.target_columns = Some(vec![TargetColumn::new("ID", "int4").not_null()]);
    let err = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap_err();
    let PlanError::InvalidTable(msg) = err else {
        panic!("wrong variant")
    };
    assert!(msg.contains("file column group"), "{msg}");
}

#[test]
fn target_spelling_wins_over_file_spelling() {
    let mut t = table();
    t.target_columns = Some(
        ["ID", "Group"]
            .iter()
            .map(|n| TargetColumn::new(n, "text"))
            .collect(),
    );
    let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
    assert_eq!(layout.target_names(), vec!["ID", "Group"]);
}

#[test]
fn merge_deletes_before_updating_and_inserts_only_live_rows() {
    let t = table();
    let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
    let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| "text".into(), "bigint");
    let keys = layout.require_keys(&t).unwrap();
    let sql = merge_apply(
        &Dialect::ANSI,
        "tgt",
        "SELECT * FROM st",
        &stage,
        &layout,
        &keys,
        TargetStyle::ReplicationCopy,
    );
    assert!(
        sql.contains(r#"WHEN MATCHED AND s."hvr_stage_op" = 0 THEN DELETE"#),
        "{sql}"
    );
    assert!(sql.contains(r#"UPDATE SET "group" = s."group""#), "{sql}");
    assert!(
        sql.contains(r#"WHEN NOT MATCHED AND NOT (s."hvr_stage_op" = 0)"#),
        "{sql}"
    );
}

fn no_special(stage: &Stage) -> SpecialOps<'static> {
    SpecialOps {
        truncated_at: stage.truncated_at_query(&Dialect::ANSI),
        multi_delete: None,
    }
}

#[test]
fn delete_insert_keeps_last_change_per_key_after_truncates() {
    let t = table();
    let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
    let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| String::new(), "INTEGER");
    let keys = layout.require_keys(&t).unwrap();
    let sql = delete_insert_apply(
        &Dialect::ANSI,
        "tgt",
        &stage,
        &layout,
        &keys,
        TargetStyle::ReplicationCopy,
        &no_special(&stage),
    );
    assert_eq!(
        sql[0],
        r#"DELETE FROM tgt WHERE (SELECT COALESCE(MAX("hvr_stage_seq"), 0) FROM "st" WHERE "hvr_stage_op" = 5) > 0"#
    );
    assert!(
        sql.iter()
            .any(|q| q.contains(r#"later."hvr_stage_seq" > "st"."hvr_stage_seq""#))
    );
    assert!(
        sql.last()
            .unwrap()
            .starts_with(r#"INSERT INTO tgt ("id", "group")"#)
    );
    // Updates set only the file's columns: the target's others keep their values.
    assert!(
        sql.iter()
            .any(|q| q.starts_with(r#"UPDATE tgt SET "group" = "st"."group" FROM "st" WHERE"#))
    );
    assert!(
        !sql.iter()
            .any(|q| q.starts_with("DELETE FROM tgt WHERE EXISTS") && !q.contains("hvr_stage_op"))
    );
}

#[test]
fn multi_delete_matches_the_key_without_the_excluded_column() {
    let mut t = table();
    t.columns[1].is_key = true;
    t.multi_delete_exclude = Some("GROUP".into());
    let layout = Layout::new(&t, &options(TargetStyle::SoftDelete)).unwrap();
    let keys = layout.require_keys(&t).unwrap();
    let partial = SpecialOps::partial_key(&t, &keys).unwrap().unwrap();
    assert_eq!(partial.len(), 1);
    let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| String::new(), "INTEGER");
    let special = SpecialOps {
        truncated_at: "0".into(),
        multi_delete: Some(("st".into(), partial)),
    };
    let sql = stage.special_ops_to_target(
        &Dialect::ANSI,
        "tgt",
        &layout,
        TargetStyle::SoftDelete,
        &special,
    );
    assert_eq!(
        sql[1],
        r#"UPDATE tgt SET "is_deleted" = 1 WHERE EXISTS (SELECT 1 FROM st m WHERE m."hvr_stage_op" = 8 AND m."id" = tgt."id")"#
    );
    t.multi_delete_exclude = Some("nope".into());
    assert!(SpecialOps::partial_key(&t, &keys).is_err());
}

#[test]
fn change_apply_without_key_is_refused() {
    let mut t = table();
    t.columns[0].is_key = false;
    let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
    assert!(layout.require_keys(&t).is_err());
}
