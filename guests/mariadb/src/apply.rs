//! How a cycle's staged changes reach the target, after the truncates and multi-deletes.
//!
//! MariaDB cannot name a temporary table twice in one statement, so any per-key question about
//! the stage goes through a second temporary table.

use hvrwasm_sdk::sql::{self, LandedColumn, Layout, SpecialOps, Stage, Upsert};

use crate::{D, DELETES_TABLE, INNODB, LAST_TABLE};

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
    /// 1. Every key with a delete in the cycle is deleted, through a table of each such key's
    ///    last delete (usually a small part of the cycle).
    /// 2. The inserts and updates that come after their key's last delete (all of them, for a
    ///    key without one) are upserted in (key, sequence) order: `INSERT ... SELECT ... ORDER
    ///    BY` inserts in that order, so of several changes to one key the last is applied last
    ///    and wins. Key equality is the key columns' collation's, as in the target's unique
    ///    key, because the stage copies the target's column types. (The host refuses a
    ///    change with a NULL key part: it would match no row.)
    ///
    /// A key whose last change is a delete is gone after step 1 and nothing in step 2 brings
    /// it back; any other key with changes ends with its last insert or update.
    pub fn changes_in_sequence(&self, special: &SpecialOps) -> Vec<String> {
        let (s, target) = (&self.stage.name, self.target);
        let deletes = D.ident(DELETES_TABLE);
        let seq = D.ident(sql::STAGE_SEQ);
        let key_cols = D.ident_list(self.keys.iter().map(|k| k.name.as_str()));
        let (index, mut where_deleted) = self.deletes_index();
        where_deleted.insert(0, self.stage.deleted_condition(&D, "s"));
        vec![
            // SQL_BIG_RESULT groups by sorting, which stays in memory for a cycle of many
            // deletes where the default grouping table would go to disk.
            format!(
                "CREATE TEMPORARY TABLE {deletes} ({index}) {INNODB}SELECT SQL_BIG_RESULT {key_cols}, \
                 MAX({seq}) AS {seq} FROM {s} s WHERE {} GROUP BY {key_cols}",
                where_deleted.join(" AND ")
            ),
            format!(
                "DELETE t FROM {target} t JOIN {deletes} d ON {}",
                sql::key_join(&D, self.keys, "t", "d")
            ),
            // The deletes go through a derived table: MariaDB copies them into an internal
            // temporary table with its own key (in memory while it fits), and a lookup there
            // per change measured 0.049-0.054 s against 0.082-0.109 s for a probe of the
            // InnoDB deletes table (100k changes). One statement over all keys measured as fast
            // as two over disjoint keys (a `NOT IN` for the keys without a delete, a join for
            // the others) at 100k changes and 0.5-0.8 s of 12.4 s faster at 1M: one scan of
            // the stage instead of two.
            self.upsert(
                &format!(
                    "FROM {s} s LEFT JOIN (SELECT {key_cols}, {seq} FROM {deletes} GROUP BY {key_cols}) d \
                     ON {} WHERE (d.{seq} IS NULL OR d.{seq} < s.{seq}) AND",
                    sql::key_join(&D, self.keys, "d", "s")
                ),
                special,
            ),
        ]
    }

    /// Replication copy of a cycle the host proved to change each key once, with inserts,
    /// updates and deletes only (contract 0.4.2's `each-key-once`): no change supersedes
    /// another, so there is no truncate point, no table of the deletes and no lookup among
    /// them per change. The deleted keys go first, straight through a join with the stage (so
    /// a unique value a deleted row held is free for the upsert), then the other changes are
    /// upserted in key order. At 1M changes the lookup and the deletes table were about 0.5 s
    /// of a 6-7 s call (docs/benchmarks.md).
    pub fn changes_once(&self) -> Vec<String> {
        let (s, target) = (&self.stage.name, self.target);
        let deleted = self.stage.deleted_condition(&D, "s");
        let mut sql = Vec::new();
        if self.stage.has_op || self.stage.has_soft_delete {
            sql.push(format!(
                "DELETE t FROM {target} t JOIN {s} s ON {} WHERE {deleted}",
                sql::key_join(&D, self.keys, "t", "s")
            ));
        }
        sql.push(self.upsert_rows(
            &format!("FROM {s} s WHERE NOT ({deleted})"),
            &self.by_key("s"),
        ));
        sql
    }

    /// `INSERT ... SELECT` of the live candidate changes `from_where` selects (it ends in a
    /// `WHERE ... AND`), in (key, sequence) order.
    fn upsert(&self, from_where: &str, special: &SpecialOps) -> String {
        self.upsert_rows(
            &format!(
                "{from_where} {} AND NOT ({})",
                self.stage.candidate_condition(&D, "s", special),
                self.stage.deleted_condition(&D, "s"),
            ),
            &format!("{}, s.{}", self.by_key("s"), D.ident(sql::STAGE_SEQ)),
        )
    }

    /// `INSERT INTO target (...) SELECT <the stage's landed columns> {from} ORDER BY {order}`
    /// with the guarded `ON DUPLICATE KEY UPDATE`: every apply's upsert (`from` reads the
    /// stage as `s`).
    fn upsert_rows(&self, from: &str, order: &str) -> String {
        format!(
            "INSERT INTO {} ({}) SELECT {} {from} ORDER BY {order} {}",
            self.target,
            D.ident_list(self.layout.target_names()),
            self.landed_from("s"),
            self.upsert_clause(),
        )
    }

    /// The deletes table's index, and the conditions its rows need. A delete with a NULL key
    /// part is left out: no target row or change equals it. Keys of ordinary types make the
    /// table's primary key (one row per key); TEXT and BLOB keys can only be indexed by a
    /// prefix, which is not unique, so they get a plain index.
    fn deletes_index(&self) -> (String, Vec<String>) {
        let not_null = self
            .keys
            .iter()
            .map(|k| format!("s.{} IS NOT NULL", D.ident(&k.name)))
            .collect();
        if self.keys.iter().any(|k| is_long(k)) {
            let indexed = self
                .keys
                .iter()
                .map(|k| indexed_column(k))
                .collect::<Vec<_>>()
                .join(", ");
            return (format!("INDEX ({indexed})"), not_null);
        }
        let key_cols = D.ident_list(self.keys.iter().map(|k| k.name.as_str()));
        (format!("PRIMARY KEY ({key_cols})"), not_null)
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
                "CREATE TEMPORARY TABLE {last} (PRIMARY KEY ({seq})) {INNODB}SELECT * FROM \
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
            self.upsert_rows(
                &format!("FROM {s} s JOIN {last} l ON s.{seq} = l.{seq}"),
                &self.by_key("s"),
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

    /// `ON DUPLICATE KEY UPDATE` fires on a conflict with any unique key of the target. When
    /// the row it meets has another replication key (a secondary unique value the change
    /// takes from a row whose own change is later in key order), updating that row would
    /// overwrite it and drop the change's own row without a word. The first assignment
    /// therefore keeps the key only when the met row's key equals the change's, and otherwise
    /// evaluates a subquery of two rows, named for the reason, which fails the statement
    /// (`Subquery returns more than 1 row`) and so the table's transaction.
    ///
    /// Keys are one key when the target's collation says so (`a`, `A` and `a ` under the
    /// default case-insensitive, PAD SPACE ones), as its primary key sees them: an update of
    /// `A` changes the row of `a`. But an insert of `A` that meets the row of `a` comes from
    /// a source that tells them apart and has both rows (a source comparing as the target
    /// does would have refused it, and a re-applied insert has the row's own bytes): applied,
    /// it would overwrite `a`'s row without a word, so it fails too.
    fn upsert_clause(&self) -> String {
        let clause = sql::upsert_clause(&D, Upsert::OnDuplicateKey, self.layout, self.keys);
        let first = D.ident(&self.keys[0].name);
        let same = |exact: bool| {
            self.keys
                .iter()
                .map(|k| {
                    let name = D.ident(&k.name);
                    if exact && has_collation(k) {
                        format!("BINARY {}.{name} <=> BINARY VALUES({name})", self.target)
                    } else {
                        format!("{}.{name} <=> VALUES({name})", self.target)
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let other_key = failing_subquery(OTHER_UNIQUE_KEY);
        let guard = if self.stage.has_op && self.keys.iter().any(|k| has_collation(k)) {
            // Equal only by the collation: the same key for an update (a source that compares
            // as the target does may change its case), another key for an insert.
            let collation_only = failing_subquery(KEY_EQUAL_ONLY_BY_COLLATION);
            format!(
                "{first} = IF({}, {t}.{first}, IF({}, IF(s.{} = 1, {collation_only}, {t}.{first}), {other_key}))",
                same(true),
                same(false),
                D.ident(sql::STAGE_OP),
                t = self.target,
            )
        } else {
            format!(
                "{first} = IF({}, {}.{first}, {other_key})",
                same(false),
                self.target
            )
        };
        let assignments = clause
            .strip_prefix(ON_DUPLICATE_KEY)
            .expect("the SDK's ON DUPLICATE KEY clause");
        if self.layout.landed.iter().any(|c| !c.is_key) {
            format!("{ON_DUPLICATE_KEY}{guard}, {assignments}")
        } else {
            format!("{ON_DUPLICATE_KEY}{guard}")
        }
    }
}

const ON_DUPLICATE_KEY: &str = "ON DUPLICATE KEY UPDATE ";
/// Alias of the guard's failing subquery: names why it is there when the statement is read.
const OTHER_UNIQUE_KEY: &str = "hvr_another_unique_key_matched";
/// The same for an insert whose key equals a row's only by the column's collation (`A` and
/// `a` under a case-insensitive one, `a ` and `a` under PAD SPACE): see
/// [`Apply::upsert_clause`].
const KEY_EQUAL_ONLY_BY_COLLATION: &str = "hvr_key_equal_only_by_collation";

/// Whether MariaDB compares the column by a collation (character types), not by its bytes or
/// value.
fn has_collation(key: &LandedColumn) -> bool {
    let type_name = key.type_name.as_deref().unwrap_or("").to_ascii_lowercase();
    ["char", "text", "enum", "set"]
        .iter()
        .any(|t| type_name.contains(t))
}

/// A scalar subquery that fails the statement when it is evaluated (`Subquery returns more
/// than 1 row`), for conditions SQL cannot raise an error of its own on: its `alias` says
/// why when the statement is read. Only the branch of an `IF` that is taken is evaluated.
pub(crate) fn failing_subquery(alias: &str) -> String {
    format!("(SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) {alias})")
}

/// Whether MariaDB indexes the column only by a prefix (TEXT, BLOB, JSON).
pub(crate) fn is_long(key: &LandedColumn) -> bool {
    is_long_type(key.type_name.as_deref().unwrap_or(""))
}

/// Whether a MariaDB type is a TEXT, BLOB or JSON (LONGTEXT) type.
pub(crate) fn is_long_type(type_name: &str) -> bool {
    let type_name = type_name.to_ascii_lowercase();
    ["text", "blob", "json"]
        .iter()
        .any(|t| type_name.contains(t))
}

/// A key column as the deletes table's index names it: long columns by a prefix.
fn indexed_column(key: &LandedColumn) -> String {
    let name = D.ident(&key.name);
    if is_long(key) {
        format!("{name}({LONG_KEY_PREFIX})")
    } else {
        name
    }
}
