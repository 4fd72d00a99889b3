//! SQLite connector: the embedded default target, no server needed.
//!
//! SQLite has no MERGE, so changes apply as "delete the touched keys, insert the survivors"
//! from a temporary staging table. SQLite's ODBC driver executes parameter arrays natively
//! inside one transaction, which is its fastest load shape.

use hvrwasm_sdk::column_types;
use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, Layout, SpecialOps, Stage};
use hvrwasm_sdk::{Connector, Info, Load, Options, Plan, PlanError, Source, Table, TargetStyle};

const D: Dialect = Dialect::ANSI;
const BATCH_ROWS: u32 = 10_000;
const STAGE_TABLE: &str = "hvr_stage";

pub struct Sqlite;

impl Connector for Sqlite {
    fn describe() -> Info {
        Info::new("sqlite", env!("CARGO_PKG_VERSION"), "sqlite")
            .max_parallel_tables(1)
            .styles(&[
                TargetStyle::ReplicationCopy,
                TargetStyle::SoftDelete,
                TargetStyle::TimeKey,
            ])
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if options.refresh_shadow {
            return Err(PlanError::Unsupported(
                "--refresh-shadow: SQLite readers already see the old rows until the refresh commits, and a copied table would lose its constraints".into(),
            ));
        }
        let types = CreatedTypes {
            text: "TEXT",
            key: "TEXT",
            typed: column_types::sqlite,
        };
        sql::parameter_array_refresh(&D, table, options, types, BATCH_ROWS)
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = sql::require_target(&D, table)?;
        if options.style == TargetStyle::TimeKey {
            return Ok(Plan::new(
                vec![],
                layout.parameter_array_load(&D, &target, BATCH_ROWS),
                vec![],
            ));
        }
        let keys = layout.require_keys(table)?;
        let stage = Stage::new(
            &D,
            STAGE_TABLE,
            &layout,
            |c| c.type_name.clone().unwrap_or_default(),
            "INTEGER",
        );
        let stage_name = format!("temp.{}", stage.name);
        let key_cols = D.ident_list(keys.iter().map(|k| k.name.as_str()));
        let mut after = vec![format!(
            "CREATE INDEX temp.hvr_stage_key ON {} ({key_cols}, {})",
            stage.name,
            D.ident(sql::STAGE_SEQ)
        )];
        let special = SpecialOps {
            truncated_at: stage.truncated_at_query(&D),
            multi_delete: SpecialOps::partial_key(table, &keys)?
                .map(|partial| (stage.name.clone(), partial)),
        };
        after.extend(sql::delete_insert_apply(
            &D,
            &target,
            &stage,
            &layout,
            &keys,
            options.style,
            &special,
        ));
        after.push(format!("DROP TABLE {stage_name}"));
        Ok(Plan::new(
            vec![
                format!("DROP TABLE IF EXISTS {stage_name}"),
                format!(
                    "CREATE TEMP TABLE {} ({})",
                    stage.name,
                    stage.column_definitions()
                ),
            ],
            insert_load(&stage.name, &stage.column_list(), stage.sources()),
            after,
        ))
    }
}

fn insert_load(table: &str, columns: &str, sources: Vec<Source>) -> Load {
    sql::parameter_array_load(table, columns, sources, BATCH_ROWS)
}

hvrwasm_sdk::export_connector!(Sqlite);
