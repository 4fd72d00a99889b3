//! MariaDB connector (10.6+, MariaDB Connector/ODBC).
//!
//! Changes apply with MariaDB's own statements from a temporary staging table: a multi-table
//! `DELETE ... JOIN` for every key the cycle deletes, then `INSERT ... ON DUPLICATE KEY UPDATE`
//! of the inserts and updates after their key's last delete, in (key, sequence) order so that
//! the last change to a key is applied last (see `apply`). MariaDB cannot name one temporary
//! table twice in a statement, so per-key questions go through a second temporary table. The
//! target needs a primary or unique key on HVR's key columns for the upsert.
//!
//! TRUNCATE and non-temporary DDL commit implicitly in MariaDB, so refresh empties with
//! `DELETE` and staging uses temporary tables only: everything stays in the table's transaction.
//!
//! Rows load with `LOAD DATA LOCAL INFILE`, which the host feeds over a pipe (as fast as the
//! `mariadb` CLI's own); `--connector-option load=parameter-arrays` loads with parameter arrays
//! instead, for servers that refuse LOCAL INFILE (`local_infile=OFF`).

mod apply;
mod bulk;
mod catalog;

use apply::Apply;
use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, Layout, SpecialOps, Stage};
use hvrwasm_sdk::{
    Connector, Info, Load, OptionKind, OptionSpec, Options, Plan, PlanError, Table, TargetStyle,
};

const D: Dialect = Dialect::BACKTICK;
/// Types of the tables refresh creates: LONGTEXT, keys VARCHAR(255) (indexable), or the
/// files' own.
const CREATED: CreatedTypes = CreatedTypes::MARIADB;
const BATCH_ROWS: u32 = 10_000;
/// Rows per batch of a LOAD DATA load. The host streams a file's batches through one
/// statement, so this only bounds memory.
const LOAD_DATA_BATCH_ROWS: u32 = 10_000;
/// The stage: a temporary table, in Aria unless rejected rows are set aside (see
/// [`stage_engine`]).
const STAGE_TABLE: &str = "hvr_stage";
/// SoftDelete's (key, last sequence) table.
const LAST_TABLE: &str = "hvr_stage_last";
/// Replication copy's table of the cycle's deletes: (key, sequence).
const DELETES_TABLE: &str = "hvr_stage_deletes";
const MULTI_TABLE: &str = "hvr_stage_multi";
/// The engine clause of the tables built from the stage after the load, and of the stage
/// when it must roll back to savepoints: named, because a server (or session) whose
/// `default_storage_engine` is MyISAM would otherwise give them MyISAM's 1000-byte key limit
/// and, for the stage, no savepoints. MySQL names InnoDB the same.
const INNODB: &str = "ENGINE=InnoDB ";

pub struct MariaDb;

impl Connector for MariaDb {
    fn describe() -> Info {
        Info::new("mariadb", env!("CARGO_PKG_VERSION"), "mariadb")
            .qualifier_is_catalog()
            .styles(&[
                TargetStyle::ReplicationCopy,
                TargetStyle::SoftDelete,
                TargetStyle::TimeKey,
            ])
            .option(
                OptionSpec::new(
                    "load",
                    OptionKind::Text,
                    "load-data (LOAD DATA LOCAL INFILE over a pipe) or parameter-arrays",
                )
                .default_value("load-data"),
            )
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if options.refresh_shadow {
            return Err(PlanError::Unsupported(
                "--refresh-shadow: MariaDB's RENAME TABLE commits on its own, which would break the exactly-once fence; readers already see the old rows until the refresh commits".into(),
            ));
        }
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        let empties = table.target_columns.is_some() && !options.preserve_on_refresh;
        let before = if empties && !options.sets_aside_rejected_rows {
            bulk::emptying(&target, table)
        } else {
            transactional(sql::refresh_preparation(
                &D,
                table,
                &layout,
                options,
                CREATED,
                "DELETE FROM",
            ))
        };
        Ok(Plan::new(
            [bulk::RESTORE_CHECKS.to_string()]
                .into_iter()
                .chain(before)
                .collect(),
            load(
                &target,
                &sql::direct_columns(&D, &layout, |_| String::new()),
                options,
            )?,
            vec![bulk::RESTORE_CHECKS.into()],
        ))
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let mut plan = integrate_plan(table, options)?;
        plan.before.insert(0, bulk::RESTORE_CHECKS.into());
        Ok(plan)
    }
}

/// The integrate plan; [`MariaDb::plan_integrate`] adds the checks a failed refresh may have
/// left off in front.
fn integrate_plan(table: &Table, options: &Options) -> Result<Plan, PlanError> {
    let layout = Layout::new(table, options)?;
    let target = sql::require_target(&D, table)?;
    if options.style == TargetStyle::TimeKey {
        return Ok(Plan::new(
            vec![],
            load(
                &target,
                &sql::direct_columns(&D, &layout, |_| String::new()),
                options,
            )?,
            vec![],
        ));
    }
    let keys = layout.require_keys(table)?;
    let unique_key = catalog::require_unique_key(table, &keys);
    // Types are not needed: the stage copies the target's column types below.
    let stage = Stage::new(&D, STAGE_TABLE, &layout, |_| String::new(), "BIGINT");
    let s = stage.name.clone();
    let seq = D.ident(sql::STAGE_SEQ);
    let mut control = vec![format!("{seq} BIGINT")];
    if stage.has_op {
        control.push(format!("{} BIGINT", D.ident(sql::STAGE_OP)));
    }
    if stage.has_soft_delete {
        control.push(format!("{} BIGINT", D.ident(sql::STAGE_SOFT_DELETE)));
    }
    let apply = Apply {
        stage: &stage,
        layout: &layout,
        keys: &keys,
        target: &target,
    };
    let mut after = exact_key_sorting(&stage.name, &keys);
    if options.each_key_once && options.style == TargetStyle::ReplicationCopy {
        // The host proved the cycle changes each key once, with no truncate or multi-delete.
        after.extend(apply.changes_once());
    } else {
        after.extend(general_apply(&apply, table, options)?);
    }
    for temporary in [LAST_TABLE, DELETES_TABLE, MULTI_TABLE, STAGE_TABLE] {
        after.push(format!(
            "DROP TEMPORARY TABLE IF EXISTS {}",
            D.ident(temporary)
        ));
    }
    let (engine_setting, engine_clause) = stage_engine(options);
    Ok(Plan::new(
        [LAST_TABLE, DELETES_TABLE, MULTI_TABLE, STAGE_TABLE]
            .iter()
            .map(|t| format!("DROP TEMPORARY TABLE IF EXISTS {}", D.ident(t)))
            .chain(engine_setting.map(String::from))
            .chain([
                unique_key,
                // Control columns first, then the landed columns with the target's exact types;
                // the outer join makes them nullable (truncate rows carry no key). LIMIT 0: the
                // stage starts empty (the join's one NULL row once broke loads without an op
                // column) and the target is not scanned.
                format!(
                    "CREATE TEMPORARY TABLE {s} ({}) {}SELECT {} FROM (SELECT 1 AS one) AS one \
                 LEFT JOIN {target} t ON 1 = 0 LIMIT 0",
                    control.join(", "),
                    engine_clause,
                    layout
                        .target_names()
                        .iter()
                        .map(|c| format!("t.{}", D.ident(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ])
            .collect(),
        load(&s, &stage.columns, options)?,
        after,
    ))
}

/// The apply of any cycle: truncates and multi-deletes first, then the per-key changes in the
/// style's way (see `apply`).
fn general_apply(
    apply: &Apply,
    table: &Table,
    options: &Options,
) -> Result<Vec<String>, PlanError> {
    let (stage, keys, layout, target) = (apply.stage, apply.keys, apply.layout, apply.target);
    let multi = D.ident(MULTI_TABLE);
    let partial = SpecialOps::partial_key(table, keys)?;
    let mut after = Vec::new();
    let truncated_at = if stage.has_op {
        // MariaDB cannot name a temporary table twice in one statement, so the truncate
        // point goes through a session variable and op-8 rows through their own table.
        after.push(format!(
            "SET @hvr_truncated_at = {}",
            stage.truncated_at_query(&D)
        ));
        if partial.is_some() {
            after.push(format!(
                "CREATE TEMPORARY TABLE {multi} {INNODB}SELECT * FROM {} WHERE {} = 8",
                stage.name,
                D.ident(sql::STAGE_OP)
            ));
        }
        "@hvr_truncated_at"
    } else {
        "0"
    };
    let special = SpecialOps {
        truncated_at: truncated_at.into(),
        multi_delete: partial.map(|p| (multi.clone(), p)),
    };
    after.extend(stage.special_ops_to_target(&D, target, layout, options.style, &special));
    match options.style {
        TargetStyle::SoftDelete => after.extend(apply.last_change_per_key(&special)),
        _ => after.extend(apply.changes_in_sequence(&special)),
    }
    Ok(after)
}

/// A table refresh creates is InnoDB whatever the server's `default_storage_engine`: the
/// fence needs a target that rolls back with it (the host refuses tables in engines without
/// transactions, but only once they exist, so a MyISAM default would have made the created
/// table unusable from the next call on). MySQL names its transactional engine the same.
fn transactional(mut before: Vec<String>) -> Vec<String> {
    for sql in &mut before {
        if sql.starts_with("CREATE TABLE ") {
            sql.push_str(" ENGINE=InnoDB");
        }
    }
    before
}

/// The stage's engine: a statement to run before it is created, if any, and the clause of its
/// `CREATE`. Aria loads faster than InnoDB (no undo per row: LOAD DATA of the bench's 100k
/// changes measured 0.22-0.23 s against 0.32-0.42 s, and the stage's scans drop too: the
/// plan's statements about 13% shorter, by the `mariadb` CLI) and is safe here because the
/// stage is temporary: a failed call's rows die with the connection or are dropped by the next
/// plan's `before`. But setting rejected rows aside (`--error-table`) rolls the load back to a
/// savepoint, and an Aria stage would keep the rejected batch's rows, so the stage is InnoDB
/// then. And a server that writes a binary log of statements with
/// `binlog_direct_non_transactional_updates` logs the load into an Aria stage at once but the
/// stage's creation with the transaction, so a replica would load a table it has not created
/// yet and stop: the stage is InnoDB there too. The engine is chosen by the server, through
/// the session's `default_tmp_storage_engine` (the plan's other tables name theirs, so it is
/// not set back). `/*M! */` is read by MariaDB only: MySQL, which has no Aria, keeps its
/// default. The tables built from the stage after the load are InnoDB: their keys can be
/// longer than Aria's limit (2300 bytes), and Aria measured no faster for them.
fn stage_engine(options: &Options) -> (Option<&'static str>, &'static str) {
    if options.sets_aside_rejected_rows {
        (None, INNODB)
    } else {
        (Some(STAGE_ENGINE_BY_BINLOG), "")
    }
}

/// Aria for the stage unless the binary log would put its load before its creation (see
/// [`stage_engine`]); `SET @hvr_stage_engine` alone is what MySQL reads.
const STAGE_ENGINE_BY_BINLOG: &str = "SET @hvr_stage_engine = 0 /*M! , SESSION \
    default_tmp_storage_engine = IF(@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND \
    @@SESSION.binlog_format <> 'ROW' AND @@SESSION.binlog_direct_non_transactional_updates, \
    'InnoDB', 'Aria') */";

/// MariaDB sorts (and so groups, with `SQL_BIG_RESULT`) string values by their first
/// `max_sort_length` bytes of collation weights, 1024 by default: two long keys that share
/// that much would be one group, and one of them would lose its delete or last change without
/// a word. 128 KiB covers every VARCHAR key (at most 16,383 characters at up to 8 weight bytes
/// each) and fits the default 2 MB sort buffer, which is kept at least that big (a larger
/// `max_sort_length`, 256 KiB, measured "Out of sort memory" there). A TEXT or BLOB key longer
/// than 16,384 characters fails the table instead, through a subquery of two rows named for
/// the reason.
fn exact_key_sorting(stage: &str, keys: &[&sql::LandedColumn]) -> Vec<String> {
    let mut sql = vec![format!(
        "SET SESSION max_sort_length = {MAX_SORT_LENGTH}, \
         sort_buffer_size = GREATEST(@@SESSION.sort_buffer_size, 2097152)"
    )];
    let long: Vec<String> = keys
        .iter()
        .filter(|k| apply::is_long(k))
        .map(|k| format!("COALESCE(CHAR_LENGTH({}), 0)", D.ident(&k.name)))
        .collect();
    if !long.is_empty() {
        let longest = if long.len() == 1 {
            long[0].clone()
        } else {
            format!("GREATEST({})", long.join(", "))
        };
        sql.push(format!(
            "SET @hvr_longest_key = (SELECT IF(MAX({longest}) > {LONGEST_KEY_CHARS}, {}, 0) FROM {stage})",
            apply::failing_subquery("hvr_key_longer_than_16384_characters")
        ));
    }
    sql
}

/// Bytes of collation weights MariaDB sorts string keys by (see [`exact_key_sorting`]).
const MAX_SORT_LENGTH: u32 = 131_072;
/// Longest TEXT or BLOB key the sort can still tell apart at 8 weight bytes per character.
const LONGEST_KEY_CHARS: u32 = 16_384;

/// LOAD DATA by default; parameter arrays with `--connector-option load=parameter-arrays`.
fn load(table: &str, columns: &[sql::LoadColumn], options: &Options) -> Result<Load, PlanError> {
    match options.option("load").unwrap_or("load-data") {
        "load-data" => Ok(sql::load_data_load(table, columns, LOAD_DATA_BATCH_ROWS)),
        "parameter-arrays" => {
            let names: Vec<&str> = columns.iter().map(|(n, _, _)| n.as_str()).collect();
            let sources = columns.iter().map(|(_, _, s)| *s).collect();
            Ok(sql::parameter_array_load(
                table,
                &names.join(", "),
                sources,
                BATCH_ROWS,
            ))
        }
        other => Err(PlanError::Unsupported(format!(
            "--connector-option load={other}: the mariadb connector loads with load-data or parameter-arrays"
        ))),
    }
}

hvrwasm_sdk::export_connector!(MariaDb);

#[cfg(test)]
mod tests;
