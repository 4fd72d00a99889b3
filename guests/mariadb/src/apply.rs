//! How a cycle's staged changes reach the target, after the truncates and multi-deletes.
//!
//! MariaDB cannot name a temporary table twice in one statement, so any per-key question about
//! the stage goes through a second temporary table.

use hvrwasm_sdk::sql::{self, LandedColumn, Layout, SpecialOps, Stage, Upsert};

use crate::{D, DELETES_TABLE, LAST_TABLE};

/// Prefix, in characters, of a TEXT or BLOB key column in the deletes table's index: MariaDB
/// indexes such columns only by a prefix (191 utf8mb4 characters fit Aria's and InnoDB's
/// smallest key limits). The index only finds candidates; the join compares whole values.
const LONG_KEY_PREFIX: u32 = 191;

/// One table's apply: the stage, the target and the key they meet on.
pub struct Apply<'a> {
    pub stage: &'a Stage,
    pub layout: &'a Layout,
    pub keys: &'a [&'a LandedColumn],
    pub target: &'a str,
}

impl Apply<'_> {
    /// Replication copy: the changes apply in their own order, with no reduction to the last
    /// change per key (which cost a grouping of the whole stage and a join back to it, about
    /// a third of the call at 100k changes).
    ///
    /// 1. Every key with a delete in the cycle is deleted (through a table of the deletes'
    ///    keys and sequence numbers, usually a small part of the cycle).
    /// 2. The inserts and updates that no later delete of their key supersedes are upserted in
    ///    (key, sequence) order: `INSERT ... SELECT ... ORDER BY` inserts in that order, so of
    ///    several changes to one key the last is applied last and wins. Key equality is the
    ///    key columns' collation's, as in the target's unique key, because the stage copies
    ///    the target's column types.
    ///
    /// A key whose last change is a delete is gone after step 1 and nothing in step 2 brings
    /// it back; any other key with changes ends with its last insert or update.
    pub fn changes_in_sequence(&self, special: &SpecialOps) -> Vec<String> {
        let (s, target) = (&self.stage.name, self.target);
        let deletes = D.ident(DELETES_TABLE);
        let seq = D.ident(sql::STAGE_SEQ);
        let key_cols = D.ident_list(self.keys.iter().map(|k| k.name.as_str()));
        let indexed = self
            .keys
            .iter()
            .map(|k| indexed_column(k))
            .chain([seq.clone()])
            .collect::<Vec<_>>()
            .join(", ");
        let upsert_order = self.by_key("s") + &format!(", s.{seq}");
        vec![
            format!(
                "CREATE TEMPORARY TABLE {deletes} (INDEX ({indexed})) \
                 SELECT {key_cols}, {seq} FROM {s} s WHERE {}",
                self.stage.deleted_condition(&D, "s")
            ),
            format!(
                "DELETE t FROM {target} t JOIN {deletes} d ON {}",
                sql::key_join(&D, self.keys, "t", "d")
            ),
            format!(
                "INSERT INTO {target} ({}) SELECT {} FROM {s} s \
                 WHERE {} AND NOT ({}) AND NOT EXISTS \
                 (SELECT 1 FROM {deletes} d WHERE {} AND d.{seq} > s.{seq}) \
                 ORDER BY {upsert_order} {}",
                D.ident_list(self.layout.target_names()),
                self.landed_from("s"),
                self.stage.candidate_condition(&D, "s", special),
                self.stage.deleted_condition(&D, "s"),
                sql::key_join(&D, self.keys, "d", "s"),
                self.upsert_clause(),
            ),
        ]
    }

    /// SoftDelete: the stage is reduced to the last change per key first, because a delete
    /// marks only a row the target already has (a key inserted and deleted in one cycle
    /// leaves nothing), which an in-order apply would not reproduce.
    pub fn last_change_per_key(&self, special: &SpecialOps) -> Vec<String> {
        let (s, target) = (&self.stage.name, self.target);
        let last = D.ident(LAST_TABLE);
        let seq = D.ident(sql::STAGE_SEQ);
        let key_cols = D.ident_list(self.keys.iter().map(|k| k.name.as_str()));
        let deleted = self.stage.deleted_condition(&D, "s");
        // SQL_BIG_RESULT groups by sorting: the default in-memory grouping table overflows
        // `tmp_table_size` at about a million keys and goes to disk (15.7 s of 47 s at 1M
        // changes). Inserted in sequence order, the (key, last seq) table fills its primary
        // key in order; keyed by seq, the apply's joins start from the stage's few deletes.
        vec![
            format!(
                "CREATE TEMPORARY TABLE {last} (PRIMARY KEY ({seq})) SELECT * FROM \
                 (SELECT SQL_BIG_RESULT {key_cols}, MAX({seq}) AS {seq} FROM {s} WHERE {} GROUP BY {key_cols}) g \
                 ORDER BY {seq}",
                self.stage.candidate_condition(&D, s, special)
            ),
            format!(
                "DELETE l FROM {last} l JOIN {s} s ON s.{seq} = l.{seq} \
                 WHERE {deleted} AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {})",
                sql::key_join(&D, self.keys, "t", "l")
            ),
            // One row per key, so the order between rows does not matter for the result; key
            // order walks the target's primary key in sequence instead of at random.
            format!(
                "INSERT INTO {target} ({}) SELECT {} FROM {s} s JOIN {last} l ON s.{seq} = l.{seq} \
                 ORDER BY {} {}",
                D.ident_list(self.layout.target_names()),
                self.landed_from("s"),
                self.by_key("s"),
                self.upsert_clause(),
            ),
        ]
    }

    fn landed_from(&self, alias: &str) -> String {
        self.layout
            .target_names()
            .iter()
            .map(|c| format!("{alias}.{}", D.ident(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn by_key(&self, alias: &str) -> String {
        self.keys
            .iter()
            .map(|k| format!("{alias}.{}", D.ident(&k.name)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn upsert_clause(&self) -> String {
        sql::upsert_clause(&D, Upsert::OnDuplicateKey, self.layout, self.keys)
    }
}

/// A key column as the deletes table's index names it: TEXT and BLOB columns by a prefix.
fn indexed_column(key: &LandedColumn) -> String {
    let name = D.ident(&key.name);
    let type_name = key.type_name.as_deref().unwrap_or("").to_ascii_lowercase();
    if ["text", "blob", "json"]
        .iter()
        .any(|t| type_name.contains(t))
    {
        format!("{name}({LONG_KEY_PREFIX})")
    } else {
        name
    }
}
