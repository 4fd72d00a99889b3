//! PostgreSQL connector (15+): changes apply with one `MERGE` from a temporary staging table.
//!
//! Rows load with one text array per column and `INSERT ... SELECT ... FROM unnest(...)`:
//! psqlODBC emulates parameter arrays by sending one INSERT per row, so a single statement per
//! batch is several times faster (measured: ~170k rows/s against ~27k for parameter arrays).

use hvrwasm_sdk::sql::{self, Dialect, LandedColumn, Layout, Stage};
use hvrwasm_sdk::{
    Connector, Info, Load, LoadShape, Options, Plan, PlanError, Source, Table, TargetStyle,
};

const D: Dialect = Dialect::ANSI;
const BATCH_ROWS: u32 = 2_000;
const STAGE_TABLE: &str = "hvr_stage";

pub struct Postgres;

impl Connector for Postgres {
    fn describe() -> Info {
        Info {
            name: "postgres".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            dialect: "postgresql".into(),
            default_schema: Some("public".into()),
            styles: vec![
                TargetStyle::ReplicationCopy,
                TargetStyle::SoftDelete,
                TargetStyle::TimeKey,
            ],
        }
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        let before = if table.target_columns.is_none() {
            hvrwasm_sdk::log::warn(&format!(
                "target table {target} does not exist; creating it with text columns"
            ));
            vec![sql::create_text_table(
                &D,
                &target,
                &layout,
                "text",
                sql::applies_by_key(options),
            )]
        } else if options.preserve_on_refresh {
            vec![]
        } else {
            vec![format!("TRUNCATE TABLE {target}")]
        };
        let columns: Vec<(String, String, Source)> = layout
            .landed
            .iter()
            .map(|c| (D.ident(&c.name), cast_type(c), Source::Column(c.file_index)))
            .collect();
        Ok(Plan {
            before,
            load: unnest_load(&target, &columns),
            after: vec![],
        })
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        if table.target_columns.is_none() {
            return Err(PlanError::InvalidTable(format!(
                "target table {target} does not exist; run a refresh first"
            )));
        }
        if options.style == TargetStyle::TimeKey {
            let columns: Vec<(String, String, Source)> = layout
                .landed
                .iter()
                .map(|c| (D.ident(&c.name), cast_type(c), Source::Column(c.file_index)))
                .collect();
            return Ok(Plan {
                before: vec![],
                load: unnest_load(&target, &columns),
                after: vec![],
            });
        }
        let keys = layout.require_keys(table)?;
        let stage = Stage::new(&D, STAGE_TABLE, &layout, cast_type, "bigint");
        let key_cols = D.ident_list(keys.iter().map(|k| k.name.as_str()));
        let last_per_key = format!(
            "SELECT DISTINCT ON ({key_cols}) * FROM {s} WHERE {changes} ORDER BY {key_cols}, {seq} DESC",
            s = stage.name,
            changes = stage.row_change_condition(&D, &stage.name),
            seq = D.ident(sql::STAGE_SEQ),
        );
        Ok(Plan {
            before: vec![format!(
                "CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP",
                stage.name,
                stage.column_definitions()
            )],
            load: unnest_load(&stage.name, &stage.columns),
            after: vec![sql::merge_apply(
                &D,
                &target,
                &last_per_key,
                &stage,
                &layout,
                &keys,
                options.style,
            )],
        })
    }
}

/// The type values are cast to: the target's own type, or text for tables created as text.
fn cast_type(c: &LandedColumn) -> String {
    c.type_name.clone().unwrap_or_else(|| "text".into())
}

/// `INSERT INTO t (a, b) SELECT * FROM unnest(?::int4[], ?::text[])`
///
/// Each array is parsed straight into the column's type: measured on 1M rows that is faster
/// than `text[]` plus a cast per value, because no intermediate text values are built.
fn unnest_load(table: &str, columns: &[(String, String, Source)]) -> Load {
    let names: Vec<&str> = columns.iter().map(|(n, _, _)| n.as_str()).collect();
    let arrays: Vec<String> = columns
        .iter()
        .map(|(_, t, _)| format!("?::{t}[]"))
        .collect();
    Load {
        shape: LoadShape::PostgresTextArrays(format!(
            "INSERT INTO {table} ({}) SELECT * FROM unnest({})",
            names.join(", "),
            arrays.join(", ")
        )),
        sources: columns.iter().map(|(_, _, s)| *s).collect(),
        batch_rows: BATCH_ROWS,
    }
}

hvrwasm_sdk::export_connector!(Postgres);
