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
        Ok(Plan::new(
            transactional(sql::refresh_preparation(
                &D,
                table,
                &layout,
                options,
                CREATED,
                "DELETE FROM",
            )),
            load(
                &target,
                &sql::direct_columns(&D, &layout, |_| String::new()),
                options,
            )?,
            vec![],
        ))
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
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
        let multi = D.ident(MULTI_TABLE);
        let partial = SpecialOps::partial_key(table, &keys)?;
        let apply = Apply {
            stage: &stage,
            layout: &layout,
            keys: &keys,
            target: &target,
        };
        let mut after = exact_key_sorting(&stage.name, &keys);
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
        after.extend(stage.special_ops_to_target(&D, &target, &layout, options.style, &special));
        match options.style {
            TargetStyle::SoftDelete => after.extend(apply.last_change_per_key(&special)),
            _ => after.extend(apply.changes_in_sequence(&special)),
        }
        for temporary in [LAST_TABLE, DELETES_TABLE, MULTI_TABLE, STAGE_TABLE] {
            after.push(format!(
                "DROP TEMPORARY TABLE IF EXISTS {}",
                D.ident(temporary)
            ));
        }
        Ok(Plan::new(
            [LAST_TABLE, DELETES_TABLE, MULTI_TABLE, STAGE_TABLE]
                .iter()
                .map(|t| format!("DROP TEMPORARY TABLE IF EXISTS {}", D.ident(t)))
                .chain([
                    // Control columns first, then the landed columns with the target's exact types;
                    // the outer join makes them nullable (truncate rows carry no key). LIMIT 0: the
                    // stage starts empty (the join's one NULL row once broke loads without an op
                    // column) and the target is not scanned.
                    format!(
                        "CREATE TEMPORARY TABLE {s} ({}) {}SELECT {} FROM (SELECT 1 AS one) AS one \
                     LEFT JOIN {target} t ON 1 = 0 LIMIT 0",
                        control.join(", "),
                        stage_engine(options),
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

/// The stage's engine clause. Aria loads faster than InnoDB (no undo per row: LOAD DATA of
/// the bench's 100k changes measured 0.22-0.23 s against 0.32-0.42 s, and the stage's scans
/// drop too: the plan's statements about 13% shorter, by the `mariadb` CLI) and is safe here
/// because the stage is temporary: a failed call's rows die with the connection or are
/// dropped by the next plan's `before`. But setting rejected rows aside (`--error-table`)
/// rolls the load back to a savepoint, and an Aria stage would keep the rejected batch's
/// rows, so the stage is InnoDB then. `/*M! */` is read by MariaDB only: MySQL, which has no
/// Aria, keeps its default. The tables built from the stage after the load are InnoDB: their
/// keys can be longer than Aria's limit (2300 bytes), and Aria measured no faster for them.
fn stage_engine(options: &Options) -> &'static str {
    if options.sets_aside_rejected_rows {
        INNODB
    } else {
        "/*M! ENGINE=Aria */ "
    }
}

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
mod tests {
    use super::*;
    use hvrwasm_sdk::{LoadShape, testing};

    #[test]
    fn loads_with_load_data_by_default_and_parameter_arrays_on_request() {
        let options = testing::options(TargetStyle::ReplicationCopy);
        let refresh = MariaDb::plan_refresh(&testing::orders_refresh_table(), &options).unwrap();
        assert_eq!(
            refresh.load.shape,
            LoadShape::MariadbLoadData {
                table: "`orders`".into(),
                columns: vec!["`id`".into(), "`amount`".into()]
            }
        );
        let integrate = MariaDb::plan_integrate(&testing::orders_table(), &options).unwrap();
        assert!(matches!(
            &integrate.load.shape,
            LoadShape::MariadbLoadData { table, columns } if table == "`hvr_stage`" && columns.len() == 5
        ));
        let arrays = options.clone().extra("load", "parameter-arrays");
        let refresh = MariaDb::plan_refresh(&testing::orders_refresh_table(), &arrays).unwrap();
        assert!(matches!(refresh.load.shape, LoadShape::ParameterArray(_)));
        let unknown = options.extra("load", "bulk");
        assert!(MariaDb::plan_refresh(&testing::orders_refresh_table(), &unknown).is_err());
    }

    fn after(table: &hvrwasm_sdk::Table, style: TargetStyle) -> String {
        let plan = MariaDb::plan_integrate(table, &testing::options(style)).unwrap();
        plan.after.join(";\n")
    }

    #[test]
    fn a_replication_copy_applies_changes_in_key_and_sequence_order_without_reducing() {
        let after = after(&testing::orders_table(), TargetStyle::ReplicationCopy);
        assert!(
            !after.contains("CREATE TEMPORARY TABLE `hvr_stage_last`"),
            "{after}"
        );
        assert!(
            after.contains("CREATE TEMPORARY TABLE `hvr_stage_deletes` (PRIMARY KEY (`id`))"),
            "{after}"
        );
        assert!(
            after.contains("s.`id` IS NOT NULL GROUP BY `id`"),
            "{after}"
        );
        assert!(
            after.contains("ORDER BY s.`id`, s.`hvr_stage_seq` ON DUPLICATE KEY UPDATE"),
            "{after}"
        );
        assert!(
            after.contains(
                "LEFT JOIN (SELECT `id`, `hvr_stage_seq` FROM `hvr_stage_deletes` GROUP BY `id`) d ON d.`id` = s.`id` \
                 WHERE (d.`hvr_stage_seq` IS NULL OR d.`hvr_stage_seq` < s.`hvr_stage_seq`) AND"
            ),
            "{after}"
        );
        assert_eq!(after.matches("ON DUPLICATE KEY UPDATE").count(), 1);
        // The upsert fails rather than update a row another unique key matched.
        assert!(
            after.contains(
                "ON DUPLICATE KEY UPDATE `id` = IF(`orders`.`id` <=> VALUES(`id`), `orders`.`id`, \
                 (SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) hvr_another_unique_key_matched)), "
            ),
            "{after}"
        );
    }

    #[test]
    fn soft_delete_still_reduces_to_the_last_change_per_key() {
        let after = after(&testing::orders_table(), TargetStyle::SoftDelete);
        assert!(
            after.contains("CREATE TEMPORARY TABLE `hvr_stage_last`"),
            "{after}"
        );
        assert!(
            !after.contains("CREATE TEMPORARY TABLE `hvr_stage_deletes`"),
            "{after}"
        );
    }

    #[test]
    fn the_stage_is_in_aria_unless_rejected_rows_are_set_aside() {
        let table = testing::orders_table();
        let stage = |options: &Options| {
            let plan = MariaDb::plan_integrate(&table, options).unwrap();
            plan.before
                .into_iter()
                .find(|s| s.starts_with("CREATE TEMPORARY TABLE `hvr_stage`"))
                .unwrap()
        };
        let options = testing::options(TargetStyle::ReplicationCopy);
        assert!(stage(&options).contains(") /*M! ENGINE=Aria */ SELECT "));
        let setting_aside = options.setting_aside_rejected_rows();
        let transactional = stage(&setting_aside);
        assert!(
            transactional.contains(") ENGINE=InnoDB SELECT "),
            "{transactional}"
        );
        // The tables built after the load are InnoDB whatever the server's default.
        for style in [TargetStyle::SoftDelete, TargetStyle::ReplicationCopy] {
            let plan = MariaDb::plan_integrate(&table, &testing::options(style)).unwrap();
            for create in plan
                .after
                .iter()
                .filter(|s| s.starts_with("CREATE TEMPORARY TABLE"))
            {
                assert!(create.contains(" ENGINE=InnoDB SELECT "), "{create}");
            }
        }
    }

    #[test]
    fn a_table_refresh_creates_is_innodb_and_an_existing_one_is_emptied() {
        use hvrwasm_sdk::TargetColumn;
        let options = testing::options(TargetStyle::ReplicationCopy);
        let plan = MariaDb::plan_refresh(&testing::orders_refresh_table(), &options).unwrap();
        assert!(
            plan.before[0].starts_with("CREATE TABLE `orders` (")
                && plan.before[0].ends_with(") ENGINE=InnoDB"),
            "{:?}",
            plan.before
        );
        let table = testing::orders_refresh_table().target_columns(vec![
            TargetColumn::new("id", "bigint").not_null(),
            TargetColumn::new("amount", "text"),
        ]);
        let existing = MariaDb::plan_refresh(&table, &options).unwrap();
        assert_eq!(existing.before, ["DELETE FROM `orders`"]);
    }

    #[test]
    fn a_text_key_is_indexed_by_a_prefix_in_the_deletes_table() {
        use hvrwasm_sdk::{Column, TargetColumn};
        let table = hvrwasm_sdk::Table::new("notes")
            .column(Column::data("code").key())
            .column(Column::data("body"))
            .column(Column::op("op_type"))
            .target_columns(vec![
                TargetColumn::new("code", "mediumtext").not_null(),
                TargetColumn::new("body", "text"),
            ]);
        let after = after(&table, TargetStyle::ReplicationCopy);
        assert!(after.contains("(INDEX (`code`(191)))"), "{after}");
        // Long keys are sorted whole, and one too long to be is refused.
        assert!(
            after.starts_with("SET SESSION max_sort_length = 131072"),
            "{after}"
        );
        assert!(
            after.contains("IF(MAX(COALESCE(CHAR_LENGTH(`code`), 0)) > 16384"),
            "{after}"
        );
        // A NULL among the deletes' keys would make NOT IN unknown for every other change.
        assert!(
            after.contains("s.`code` IS NOT NULL GROUP BY `code`"),
            "{after}"
        );
    }
}
