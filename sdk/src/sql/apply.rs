//! Applying a staged cycle: MERGE, and delete-then-insert where MERGE is missing.

use super::{Dialect, LandedColumn, Layout, STAGE_SEQ, SpecialOps, Stage};
use crate::TargetStyle;

/// `a.k1 = b.k1 AND a.k2 = b.k2`
///
/// ```
/// use hvrwasm_sdk::sql::{key_join, Dialect, Layout};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let layout = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// assert_eq!(key_join(&Dialect::ANSI, &layout.keys(), "t", "s"), r#"t."id" = s."id""#);
/// ```
pub fn key_join(dialect: &Dialect, keys: &[&LandedColumn], a: &str, b: &str) -> String {
    keys.iter()
        .map(|k| {
            let k = dialect.ident(&k.name);
            format!("{a}.{k} = {b}.{k}")
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The portable apply used where MERGE is missing (SQLite): reduce the stage to the last change
/// per key, delete the keys whose last change is a delete, update existing keys (only the
/// columns the files carry: the others keep their values, as an upsert does), and insert the
/// keys the target does not have. Deletes come first, so a key deleted and inserted again in
/// one cycle applies cleanly.
///
/// For SoftDelete targets a deleted row whose key the target never had is dropped, so deletes
/// only ever update existing rows.
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, Stage};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let layout = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |c| c.type_name.clone().unwrap(), "int4");
/// use hvrwasm_sdk::sql::{delete_insert_apply, SpecialOps};
/// let special = SpecialOps::from_stage(&Dialect::ANSI, &table, &stage, &keys).unwrap();
/// let after = delete_insert_apply(&Dialect::ANSI, r#""orders""#, &stage, &layout, &keys, TargetStyle::ReplicationCopy, &special);
/// assert!(after.iter().any(|s| s.starts_with(r#"INSERT INTO "orders""#)));
/// ```
pub fn delete_insert_apply(
    dialect: &Dialect,
    target: &str,
    stage: &Stage,
    layout: &Layout,
    keys: &[&LandedColumn],
    style: TargetStyle,
    special: &SpecialOps,
) -> Vec<String> {
    let s = &stage.name;
    let seq = dialect.ident(STAGE_SEQ);
    let cols = dialect.ident_list(layout.target_names());
    let mut sql = stage.special_ops_to_target(dialect, target, layout, style, special);
    sql.extend([
        format!(
            "DELETE FROM {s} WHERE NOT ({})",
            stage.candidate_condition(dialect, s, special)
        ),
        format!(
            "DELETE FROM {s} WHERE EXISTS (SELECT 1 FROM {s} later WHERE {} AND later.{seq} > {s}.{seq})",
            key_join(dialect, keys, "later", s)
        ),
    ]);
    let deleted = stage.deleted_condition(dialect, s);
    if style == TargetStyle::SoftDelete {
        sql.push(format!(
            "DELETE FROM {s} WHERE {deleted} AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {})",
            key_join(dialect, keys, "t", s)
        ));
    }
    let keep = match style {
        TargetStyle::SoftDelete => "1 = 1".to_string(),
        _ => format!("NOT ({deleted})"),
    };
    if style != TargetStyle::SoftDelete {
        sql.push(format!(
            "DELETE FROM {target} WHERE EXISTS (SELECT 1 FROM {s} WHERE {} AND {deleted})",
            key_join(dialect, keys, s, target)
        ));
    }
    // An update sets only the columns the file carries; the others keep their values, as an
    // upsert does on every other target (a delete-and-insert would set them to NULL).
    let non_keys: Vec<&str> = layout
        .landed
        .iter()
        .filter(|c| !c.is_key)
        .map(|c| c.name.as_str())
        .collect();
    if !non_keys.is_empty() {
        // UPDATE ... FROM (SQLite 3.33+, PostgreSQL): driven by the stage, each target row found
        // by its key, so the cost follows the cycle, not the size of the target.
        let set = non_keys
            .iter()
            .map(|c| {
                let c = dialect.ident(c);
                format!("{c} = {s}.{c}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        sql.push(format!(
            "UPDATE {target} SET {set} FROM {s} WHERE {} AND {keep}",
            key_join(dialect, keys, s, target)
        ));
    }
    sql.push(format!(
        "INSERT INTO {target} ({cols}) SELECT {cols} FROM {s} WHERE {keep} \
         AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {}) ORDER BY {seq}",
        key_join(dialect, keys, "t", s)
    ));
    sql
}

/// One `MERGE` (SQL:2008, PostgreSQL 15+) from the last change per key. `last_per_key` is the
/// dialect's query for that, with the stage's columns.
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, Stage};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let layout = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |c| c.type_name.clone().unwrap(), "int4");
/// use hvrwasm_sdk::sql::{last_change_per_key, merge_apply, SpecialOps};
/// let special = SpecialOps::from_stage(&Dialect::ANSI, &table, &stage, &keys).unwrap();
/// let last = last_change_per_key(&Dialect::ANSI, &stage, &keys, &special);
/// let merge = merge_apply(&Dialect::ANSI, r#""orders""#, &last, &stage, &layout, &keys, TargetStyle::ReplicationCopy);
/// assert!(merge.starts_with(r#"MERGE INTO "orders""#));
/// ```
pub fn merge_apply(
    dialect: &Dialect,
    target: &str,
    last_per_key: &str,
    stage: &Stage,
    layout: &Layout,
    keys: &[&LandedColumn],
    style: TargetStyle,
) -> String {
    let deleted = stage.deleted_condition(dialect, "s");
    let on = key_join(dialect, keys, "t", "s");
    let non_keys: Vec<&LandedColumn> = layout.landed.iter().filter(|c| !c.is_key).collect();
    let update = if non_keys.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!(
            "UPDATE SET {}",
            non_keys
                .iter()
                .map(|c| {
                    let n = dialect.ident(&c.name);
                    format!("{n} = s.{n}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let cols = layout.target_names();
    let insert = format!(
        "INSERT ({}) VALUES ({})",
        dialect.ident_list(cols.iter().copied()),
        cols.iter()
            .map(|c| format!("s.{}", dialect.ident(c)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let matched = match style {
        TargetStyle::SoftDelete => format!("WHEN MATCHED THEN {update}"),
        _ => format!("WHEN MATCHED AND {deleted} THEN DELETE WHEN MATCHED THEN {update}"),
    };
    format!(
        "MERGE INTO {target} AS t USING ({last_per_key}) AS s ON {on} {matched} \
         WHEN NOT MATCHED AND NOT ({deleted}) THEN {insert}"
    )
}
