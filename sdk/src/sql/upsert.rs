//! Change apply for databases with an upsert but no `MERGE`: PostgreSQL before 15 and the
//! PG-wire engines that lack it (`INSERT ... ON CONFLICT`), MariaDB and MySQL
//! (`INSERT ... ON DUPLICATE KEY UPDATE`), SQLite 3.24+ (`ON CONFLICT`).
//!
//! The order is fixed, and [`upsert_apply`] keeps it: truncates and multi-deletes reach the
//! target first (they remove rows loaded before this cycle); then the stage is reduced to the
//! last change per key, *reading* it rather than pruning it, so nothing the special ops needed
//! is gone; then deletes; then one upsert. Pruning the stage before the special ops silently
//! loses truncates, because the truncate rows are what tells them when the truncate was.

use super::{Dialect, LandedColumn, Layout, STAGE_SEQ, SpecialOps, Stage, key_join};
use crate::TargetStyle;

/// Which upsert statement the database has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    /// `INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c` (PostgreSQL 9.5+, SQLite
    /// 3.24+). Needs a primary key or unique index on exactly the key columns.
    OnConflict,
    /// `INSERT ... ON DUPLICATE KEY UPDATE c = VALUES(c)` (MariaDB, MySQL). Needs a primary or
    /// unique key on the key columns (any unique key that matches triggers the update).
    OnDuplicateKey,
}

/// The last change per key among the changes that still count (after the cycle's last
/// truncate, not superseded by a multi-delete, no before-images), as a query over the stage
/// with every stage column. Portable SQL (`NOT EXISTS` on a later change of the same key),
/// so it needs no window functions or `DISTINCT ON`.
///
/// ```
/// use hvrwasm_sdk::sql::{last_change_per_key, Dialect, Layout, SpecialOps, Stage};
/// use hvrwasm_sdk::testing;
/// let table = testing::orders_table();
/// let options = testing::options(hvrwasm_sdk::TargetStyle::ReplicationCopy);
/// let layout = Layout::new(&table, &options).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |_| "text".into(), "bigint");
/// let special = SpecialOps { truncated_at: stage.truncated_at_query(&Dialect::ANSI), multi_delete: None };
/// let last = last_change_per_key(&Dialect::ANSI, &stage, &keys, &special);
/// assert!(last.starts_with(r#"SELECT * FROM "stage" s WHERE"#));
/// ```
pub fn last_change_per_key(
    dialect: &Dialect,
    stage: &Stage,
    keys: &[&LandedColumn],
    special: &SpecialOps,
) -> String {
    let seq = dialect.ident(STAGE_SEQ);
    format!(
        "SELECT * FROM {s} s WHERE {now} AND NOT EXISTS (SELECT 1 FROM {s} later WHERE {same} AND later.{seq} > s.{seq} AND {later})",
        s = stage.name,
        now = stage.candidate_condition(dialect, "s", special),
        same = key_join(dialect, keys, "later", "s"),
        later = stage.candidate_condition(dialect, "later", special),
    )
}

/// The statements that apply a staged cycle with an upsert, in the order that loses nothing:
/// special ops (truncate, multi-delete) to the target, deletes of keys whose last change is a
/// delete (replication copy; a SoftDelete target keeps them, marked), then one upsert of the
/// last change per key. Only the columns the files carry are set on update; the target's
/// others keep their values.
///
/// `TimeKey` targets append and never apply by key: do not call this for them.
///
/// ```
/// use hvrwasm_sdk::sql::{upsert_apply, Dialect, Layout, SpecialOps, Stage, Upsert};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let options = testing::options(TargetStyle::ReplicationCopy);
/// let layout = Layout::new(&table, &options).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |_| "text".into(), "bigint");
/// let special = SpecialOps { truncated_at: stage.truncated_at_query(&Dialect::ANSI), multi_delete: None };
/// let sql = upsert_apply(&Dialect::ANSI, Upsert::OnConflict, r#""orders""#, &stage, &layout,
///     &keys, TargetStyle::ReplicationCopy, &special);
/// assert!(sql[0].starts_with(r#"DELETE FROM "orders" WHERE (SELECT COALESCE(MAX"#)); // truncate first
/// assert!(sql.last().unwrap().contains(r#"ON CONFLICT ("id") DO UPDATE SET "amount" = EXCLUDED."amount""#));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn upsert_apply(
    dialect: &Dialect,
    upsert: Upsert,
    target: &str,
    stage: &Stage,
    layout: &Layout,
    keys: &[&LandedColumn],
    style: TargetStyle,
    special: &SpecialOps,
) -> Vec<String> {
    let mut sql = stage.special_ops_to_target(dialect, target, layout, style, special);
    let last = last_change_per_key(dialect, stage, keys, special);
    let deleted = stage.deleted_condition(dialect, "s");
    let keep = match style {
        // A delete marks a row the target has; a key it never had is not invented.
        TargetStyle::SoftDelete => format!(
            "(NOT ({deleted}) OR EXISTS (SELECT 1 FROM {target} t WHERE {}))",
            key_join(dialect, keys, "t", "s")
        ),
        _ => {
            sql.push(format!(
                "DELETE FROM {target} WHERE EXISTS (SELECT 1 FROM ({last}) s WHERE {} AND {deleted})",
                key_join(dialect, keys, "s", target)
            ));
            format!("NOT ({deleted})")
        }
    };
    let names = layout.target_names();
    let cols = dialect.ident_list(names.iter().copied());
    let picked = names
        .iter()
        .map(|c| format!("s.{}", dialect.ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    // `WHERE` is required: without it SQLite reads `ON CONFLICT` as a join constraint.
    let insert =
        format!("INSERT INTO {target} ({cols}) SELECT {picked} FROM ({last}) s WHERE {keep}");
    sql.push(format!(
        "{insert} {}",
        upsert_clause(dialect, upsert, layout, keys)
    ));
    sql
}

/// The upsert's tail for `INSERT ... SELECT ...`: on a key conflict, set the columns the files
/// carry (a key-only table gets a no-op assignment), e.g.
/// `ON DUPLICATE KEY UPDATE "amount" = VALUES("amount")`.
pub fn upsert_clause(
    dialect: &Dialect,
    upsert: Upsert,
    layout: &Layout,
    keys: &[&LandedColumn],
) -> String {
    let non_keys: Vec<String> = layout
        .landed
        .iter()
        .filter(|c| !c.is_key)
        .map(|c| dialect.ident(&c.name))
        .collect();
    match upsert {
        Upsert::OnConflict => {
            let conflict = dialect.ident_list(keys.iter().map(|k| k.name.as_str()));
            if non_keys.is_empty() {
                return format!("ON CONFLICT ({conflict}) DO NOTHING");
            }
            let set = non_keys
                .iter()
                .map(|c| format!("{c} = EXCLUDED.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("ON CONFLICT ({conflict}) DO UPDATE SET {set}")
        }
        Upsert::OnDuplicateKey => {
            // A key-only table still needs a no-op assignment.
            let set = if non_keys.is_empty() {
                let k = dialect.ident(&keys[0].name);
                format!("{k} = {k}")
            } else {
                non_keys
                    .iter()
                    .map(|c| format!("{c} = VALUES({c})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("ON DUPLICATE KEY UPDATE {set}")
        }
    }
}

/// The stage is read, never pruned, so these hold whatever the special ops are.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn apply(style: TargetStyle, upsert: Upsert) -> Vec<String> {
        let table = testing::orders_table();
        let layout = Layout::new(&table, &testing::options(style)).unwrap();
        let keys = layout.require_keys(&table).unwrap();
        let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| "text".into(), "bigint");
        let special = SpecialOps {
            truncated_at: stage.truncated_at_query(&Dialect::ANSI),
            multi_delete: None,
        };
        upsert_apply(
            &Dialect::ANSI,
            upsert,
            "tgt",
            &stage,
            &layout,
            &keys,
            style,
            &special,
        )
    }

    #[test]
    fn special_ops_come_first_and_the_stage_is_never_pruned() {
        let sql = apply(TargetStyle::ReplicationCopy, Upsert::OnConflict);
        assert!(
            sql[0].starts_with("DELETE FROM tgt WHERE (SELECT COALESCE(MAX"),
            "{sql:?}"
        );
        assert!(
            !sql.iter().any(|q| q.starts_with(r#"DELETE FROM "st""#)),
            "{sql:?}"
        );
        assert!(
            sql[1].starts_with("DELETE FROM tgt WHERE EXISTS"),
            "{sql:?}"
        );
        assert_eq!(sql.len(), 3);
    }

    #[test]
    fn soft_delete_upserts_deletes_of_existing_keys_only() {
        let sql = apply(TargetStyle::SoftDelete, Upsert::OnDuplicateKey);
        let upsert = sql.last().unwrap();
        assert!(
            upsert.contains("OR EXISTS (SELECT 1 FROM tgt t WHERE"),
            "{upsert}"
        );
        assert!(
            upsert.contains(r#"ON DUPLICATE KEY UPDATE "amount" = VALUES("amount")"#),
            "{upsert}"
        );
        assert!(
            !sql.iter()
                .any(|q| q.starts_with("DELETE FROM tgt WHERE EXISTS"))
        );
    }
}
