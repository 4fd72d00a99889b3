//! PostgreSQL connector (15+): changes apply with one `MERGE` from a temporary staging table.
//!
//! Rows load with `COPY ... FROM STDIN` on the host's native PostgreSQL connection, which is
//! as fast as `psql \copy` (docs/benchmarks.md). `--connector-option load=unnest` loads over
//! ODBC instead, with one text array per column and `INSERT ... SELECT ... FROM unnest(...)`
//! (psqlODBC emulates parameter arrays by sending one INSERT per row, so a single statement
//! per batch is several times faster than those): for targets the native connection cannot
//! reach (GSSAPI/SSPI authentication, client certificates).

use hvrwasm_sdk::column_types;
use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, LandedColumn, Layout, SpecialOps, Stage};
use hvrwasm_sdk::{
    Connector, Info, Load, OptionKind, OptionSpec, Options, Plan, PlanError, Source, Table,
    TargetStyle,
};

mod shadow;

const D: Dialect = Dialect::ANSI;
/// Types of the tables refresh creates: the files' own, text where they declare none.
const CREATED: CreatedTypes = CreatedTypes {
    text: "text",
    key: "text",
    typed: column_types::postgres,
};
const BATCH_ROWS: u32 = 2_000;
/// Rows per COPY: a batch is one COPY inside a savepoint, and the server waits while the
/// next is encoded. Measured on the 1M-row bench (hyperfine, one run): 10,000 rows took 1.07x
/// `psql \copy`'s time, 25,000 0.89x, 50,000 1.00x; 25,000 rows of 10 columns is about
/// 3.3 MB of text and the refresh peaks at 73 MB RSS (41 MB at 10,000).
const COPY_BATCH_ROWS: u32 = 25_000;
const STAGE_TABLE: &str = "hvr_stage";

pub struct Postgres;

impl Connector for Postgres {
    fn describe() -> Info {
        Info::new("postgres", env!("CARGO_PKG_VERSION"), "postgresql")
            .default_schema("public")
            .styles(&[
                TargetStyle::ReplicationCopy,
                TargetStyle::SoftDelete,
                TargetStyle::TimeKey,
            ])
            .option(shadow::wait_option())
            .option(
                OptionSpec::new(
                    "load",
                    OptionKind::Text,
                    "copy (COPY on the native PostgreSQL connection) or unnest (arrays over ODBC)",
                )
                .default_value("copy"),
            )
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if options.refresh_shadow && options.preserve_on_refresh {
            return Err(PlanError::Unsupported(
                "--refresh-shadow replaces the table, so it cannot preserve its rows (-p)".into(),
            ));
        }
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        let mut load_into = target.clone();
        let mut after = vec![];
        let before = if options.refresh_shadow && table.target_columns.is_some() {
            let copy = shadow::plan(&D, table, &target, shadow::swap_wait(options));
            after = copy.after;
            load_into = copy.name;
            copy.before
        } else {
            sql::refresh_preparation(&D, table, &layout, options, CREATED, "TRUNCATE TABLE")
        };
        let mut before = before;
        before.splice(0..0, utc_for_instants(&layout));
        Ok(Plan::new(
            before,
            load(&load_into, &direct_columns(&layout), options)?,
            after,
        ))
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = sql::require_target(&D, table)?;
        if options.style == TargetStyle::TimeKey {
            return Ok(Plan::new(
                utc_for_instants(&layout),
                load(&target, &direct_columns(&layout), options)?,
                vec![],
            ));
        }
        let keys = layout.require_keys(table)?;
        let stage = Stage::new(&D, STAGE_TABLE, &layout, cast_type, "bigint");
        let key_cols = D.ident_list(keys.iter().map(|k| k.name.as_str()));
        // Statistics for the stage (temporary tables are never auto-analyzed): without them
        // the planner guesses 200 keys out of the DISTINCT ON below and probes the target's
        // index once per key. At 1M changes into 1M rows that took 4.9 s where a merge join
        // takes 3.5 s (EXPLAIN ANALYZE). The join needs row counts and distinct keys, not
        // histograms: the smallest sample (3,000 rows) took 14 ms at 100k changes against
        // 81 ms for the default, and gave the same plans.
        let mut after = vec![
            "SET LOCAL default_statistics_target = 10".to_string(),
            format!("ANALYZE {}", stage.name),
        ];
        let last_per_key = if options.each_key_once {
            // The host proved the cycle changes each key once, with inserts, updates and
            // deletes only: no truncate point to read, nothing to reduce, and the MERGE reads
            // the stage sorted by key, as hand-written SQL over such a cycle does.
            format!("SELECT * FROM {} ORDER BY {key_cols}", stage.name)
        } else {
            general_changes(table, &layout, &keys, &stage, &target, options, &mut after)?
        };
        // With statistics, a large cycle makes the planner hash the stage and scan the whole
        // target (5.5 s in the same measurement); the rows come sorted by key, so the merge
        // join along the target's key index is the fast large-cycle plan, and a small cycle
        // still probes the index (estimates decide between those two). Only this statement
        // is affected: the special operations above run before it.
        after.push("SET LOCAL enable_hashjoin = off".to_string());
        after.push(sql::merge_apply(
            &D,
            &target,
            &last_per_key,
            &stage,
            &layout,
            &keys,
            options.style,
        ));
        let mut before = utc_for_instants(&layout);
        // The host runs the plan again in one transaction when the apply fails on a
        // constraint (a cycle applied in ranges of its changes), after the stage was
        // created; `pg_temp.` so that no permanent table of the same name is touched.
        before.push(format!("DROP TABLE IF EXISTS pg_temp.{}", stage.name));
        before.push(create_stage(&stage, &target, layout.landed.len()));
        Ok(Plan::new(
            before,
            load(&stage.name, &stage.columns, options)?,
            after,
        ))
    }
}

/// The general cycle's changes, one per key (the last), for the MERGE; the truncate point
/// and the truncates' and multi-deletes' statements go to `after` first.
fn general_changes(
    table: &Table,
    layout: &Layout,
    keys: &[&sql::LandedColumn],
    stage: &Stage,
    target: &str,
    options: &Options,
    after: &mut Vec<String>,
) -> Result<String, PlanError> {
    let key_cols = D.ident_list(keys.iter().map(|k| k.name.as_str()));
    let truncated_at = if stage.has_op {
        // The cycle's last truncate, read from the stage once (it was read twice, by the
        // truncate and by the per-key filter). A setting local to the transaction is a
        // stable value, so with no truncate the DELETE below is a one-time filter that
        // never scans the target.
        after.push(format!(
            "SELECT set_config('hvrwasm.truncated_at', ({})::text, true)",
            stage.truncated_at_query(&D)
        ));
        "current_setting('hvrwasm.truncated_at')::bigint".to_string()
    } else {
        stage.truncated_at_query(&D)
    };
    let special = SpecialOps {
        truncated_at,
        multi_delete: SpecialOps::partial_key(table, keys)?
            .map(|partial| (stage.name.clone(), partial)),
    };
    let last_per_key = format!(
        "SELECT DISTINCT ON ({key_cols}) * FROM {s} WHERE {changes} ORDER BY {key_cols}, {seq} DESC",
        s = stage.name,
        changes = stage.candidate_condition(&D, &stage.name, &special),
        seq = D.ident(sql::STAGE_SEQ),
    );
    after.extend(stage.special_ops_to_target(&D, target, layout, options.style, &special));
    Ok(last_per_key)
}

/// `CREATE TEMPORARY TABLE stage ON COMMIT DROP AS SELECT t."id", ..., NULL::bigint AS
/// "hvr_stage_seq" FROM target AS t WITH NO DATA`: the stage's data columns are the target's
/// columns as declared, with their lengths, precisions, domains and collations, so a value
/// the target would refuse (too long for its `varchar(3)`, too many digits for its
/// `numeric(6,2)`) is refused while loading, naming its file and row (and set aside with
/// `--error-table`), not by the apply, which cannot say which change it was. The catalog's
/// type names lack those modifiers; the target itself has them. No row is read, and no NOT
/// NULL is copied (a delete's image may lack values the target requires).
fn create_stage(stage: &Stage, target: &str, data_columns: usize) -> String {
    let select = stage
        .columns
        .iter()
        .enumerate()
        .map(|(i, (name, ty, _))| {
            if i < data_columns {
                format!("t.{name}")
            } else {
                format!("NULL::{ty} AS {name}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {select} FROM {target} AS t WITH NO DATA",
        stage.name
    )
}

/// The landed columns fed straight from the files: (quoted name, type, source).
fn direct_columns(layout: &Layout) -> Vec<(String, String, Source)> {
    layout
        .landed
        .iter()
        .map(|c| (D.ident(&c.name), cast_type(c), Source::Column(c.file_index)))
        .collect()
}

/// The type values are cast to: the target's own type, or the type refresh creates it with.
fn cast_type(c: &LandedColumn) -> String {
    c.type_name.clone().unwrap_or_else(|| CREATED.of(c))
}

/// Instants arrive as UTC wall time (MariaDB cannot parse an offset), so a load of columns
/// holding instants reads them in UTC, for this transaction only. Other loads keep the
/// session's zone, as before.
fn utc_for_instants(layout: &Layout) -> Vec<String> {
    if sql::carries_instants(layout) {
        vec!["SET LOCAL TIME ZONE 'UTC'".to_string()]
    } else {
        vec![]
    }
}

/// `INSERT INTO t (a, b) SELECT * FROM unnest(?::int4[], ?::text[])`: each array is parsed
/// straight into the column's type; measured on 1M rows that is faster than `text[]` plus a
/// cast per value, because no intermediate text values are built.
fn unnest_load(table: &str, columns: &[(String, String, Source)]) -> Load {
    sql::unnest_load(table, columns, BATCH_ROWS)
}

/// COPY by default; the unnest arrays with `--connector-option load=unnest`.
fn load(
    table: &str,
    columns: &[(String, String, Source)],
    options: &Options,
) -> Result<Load, PlanError> {
    match options.option("load").unwrap_or("copy") {
        "copy" => Ok(sql::copy_load(table, columns, COPY_BATCH_ROWS)),
        "unnest" => Ok(unnest_load(table, columns)),
        other => Err(PlanError::Unsupported(format!(
            "--connector-option load={other}: the postgres connector loads with copy or unnest"
        ))),
    }
}

hvrwasm_sdk::export_connector!(Postgres);

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::{Column, LoadShape, TargetColumn};

    fn table() -> Table {
        Table::new("orders")
            .schema("sales")
            .column(Column::data("id").key())
            .column(Column::data("amount"))
            .column(Column::op("op_type"))
            .target_columns(vec![
                TargetColumn::new("id", "int4"),
                TargetColumn::new("amount", "numeric"),
            ])
    }

    fn options(style: TargetStyle) -> Options {
        let mut o = Options::new(style);
        o.keep_op_column = false;
        o.keep_soft_delete_column = false;
        o
    }

    #[test]
    fn refresh_truncates_and_loads_with_copy() {
        let plan =
            Postgres::plan_refresh(&table(), &options(TargetStyle::ReplicationCopy)).unwrap();
        assert_eq!(plan.before, vec![r#"TRUNCATE TABLE "sales"."orders""#]);
        assert_eq!(
            plan.load.shape,
            LoadShape::PostgresCopy(r#"COPY "sales"."orders" ("id", "amount") FROM STDIN"#.into())
        );
    }

    #[test]
    fn an_unknown_load_is_refused() {
        let o = options(TargetStyle::ReplicationCopy).extra("load", "bulk");
        assert!(matches!(
            Postgres::plan_refresh(&table(), &o),
            Err(PlanError::Unsupported(m)) if m.contains("load=bulk")
        ));
    }

    #[test]
    fn load_unnest_loads_typed_arrays_over_odbc() {
        let o = options(TargetStyle::ReplicationCopy).extra("load", "unnest");
        let plan = Postgres::plan_refresh(&table(), &o).unwrap();
        let LoadShape::PostgresTextArrays(sql) = &plan.load.shape else {
            panic!("wrong shape")
        };
        assert_eq!(
            sql,
            r#"INSERT INTO "sales"."orders" ("id", "amount") SELECT * FROM unnest(?::int4[], ?::numeric[])"#
        );
        assert_eq!(
            plan.load.sources,
            vec![Source::Column(0), Source::Column(1)]
        );
    }

    #[test]
    fn a_cycle_that_changes_each_key_once_merges_the_stage_unreduced() {
        let general = options(TargetStyle::ReplicationCopy);
        let plain = Postgres::plan_integrate(&table(), &general).unwrap();
        let once = Postgres::plan_integrate(&table(), &general.each_key_once()).unwrap();
        assert_eq!((&once.before, &once.load), (&plain.before, &plain.load));
        let after = once.after.join(";\n");
        assert!(!after.contains("DISTINCT ON"), "{after}");
        assert!(!after.contains("truncated_at"), "{after}");
        assert!(
            after.contains(r#"USING (SELECT * FROM "hvr_stage" ORDER BY "id") AS s ON"#),
            "{after}"
        );
        assert!(plain.after.join(";").contains("DISTINCT ON"));
    }

    #[test]
    fn integrate_stages_with_control_columns_and_merges() {
        let plan =
            Postgres::plan_integrate(&table(), &options(TargetStyle::ReplicationCopy)).unwrap();
        assert_eq!(
            plan.before[0],
            r#"DROP TABLE IF EXISTS pg_temp."hvr_stage""#
        );
        // The stage's data columns are the target's own, modifiers included.
        assert_eq!(
            plan.before[1],
            r#"CREATE TEMPORARY TABLE "hvr_stage" ON COMMIT DROP AS SELECT t."id", t."amount", NULL::bigint AS "hvr_stage_op", NULL::bigint AS "hvr_stage_seq" FROM "sales"."orders" AS t WITH NO DATA"#
        );
        assert_eq!(
            plan.load.sources,
            vec![
                Source::Column(0),
                Source::Column(1),
                Source::Column(2),
                Source::RowNumber
            ]
        );
        // The stage gets statistics before anything reads it.
        assert_eq!(
            plan.after[..2],
            [
                "SET LOCAL default_statistics_target = 10".to_string(),
                r#"ANALYZE "hvr_stage""#.to_string()
            ]
        );
        assert!(plan.after[2].starts_with(
            r#"SELECT set_config('hvrwasm.truncated_at', ((SELECT COALESCE(MAX("hvr_stage_seq"), 0)"#
        ));
        assert_eq!(
            plan.after[3],
            r#"DELETE FROM "sales"."orders" WHERE current_setting('hvrwasm.truncated_at')::bigint > 0"#
        );
        // Hash joins are off for the MERGE only: the special operations run before it.
        assert_eq!(plan.after[4], "SET LOCAL enable_hashjoin = off");
        assert!(
            plan.after[5].starts_with(
                r#"MERGE INTO "sales"."orders" AS t USING (SELECT DISTINCT ON ("id")"#
            )
        );
        assert_eq!(plan.after.len(), 6);
    }

    #[test]
    fn integrate_into_missing_table_is_refused() {
        let mut t = table();
        t.target_columns = None;
        assert!(Postgres::plan_integrate(&t, &options(TargetStyle::ReplicationCopy)).is_err());
    }
}
