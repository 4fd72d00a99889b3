//! SQLite connector: the embedded default target, no server needed.
//!
//! SQLite has no MERGE, so changes apply as "delete the touched keys, insert the survivors"
//! from a temporary staging table. SQLite's ODBC driver executes parameter arrays natively
//! inside one transaction, which is its fastest load shape.

use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, Layout, SpecialOps, Stage};
use hvrwasm_sdk::{Connector, Info, Load, Options, Plan, PlanError, Table, TargetStyle};

const D: Dialect = Dialect::ANSI;
const BATCH_ROWS: u32 = 10_000;
const STAGE_TABLE: &str = "hvr_stage";
const CREATED: CreatedTypes = CreatedTypes::SQLITE;

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
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        let columns = sql::direct_columns(&D, &layout, |_| String::new());
        Ok(Plan::new(
            sql::refresh_preparation(&D, table, &layout, options, CREATED, "DELETE FROM"),
            multi_row_load(&target, &columns),
            vec![],
        ))
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = sql::require_target(&D, table)?;
        if options.style == TargetStyle::TimeKey {
            return Ok(Plan::new(
                vec![],
                multi_row_load(
                    &target,
                    &sql::direct_columns(&D, &layout, |_| String::new()),
                ),
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
            multi_row_load(&stage.name, &stage.columns),
            after,
        ))
    }
}

/// Multi-row `INSERT ... VALUES`: the SQLite ODBC driver compiles a statement again for every
/// row of a parameter array, which was half the load's time (measured in the SQLite parser);
/// 100 rows per statement compile once per 100 rows. SQLite binds at most 999 parameters per
/// statement in builds before 3.32, so wide tables get fewer rows per statement.
fn multi_row_load(table: &str, columns: &[sql::LoadColumn]) -> Load {
    let per_statement = (999 / columns.len().max(1)).clamp(1, 100) as u32;
    sql::multi_row_values_load(table, columns, per_statement, BATCH_ROWS)
}

hvrwasm_sdk::export_connector!(Sqlite);

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::{Column, LoadShape, testing};

    fn rows_per_statement(plan: &Plan) -> u32 {
        let LoadShape::MultiRowValues(shape) = &plan.load.shape else {
            panic!("not a multi-row load: {:?}", plan.load.shape)
        };
        shape.rows_per_statement
    }

    #[test]
    fn loads_100_rows_per_statement_and_fewer_for_wide_tables() {
        let options = testing::options(TargetStyle::ReplicationCopy);
        let refresh = Sqlite::plan_refresh(&testing::orders_refresh_table(), &options).unwrap();
        assert_eq!(rows_per_statement(&refresh), 100);
        let integrate = Sqlite::plan_integrate(&testing::orders_table(), &options).unwrap();
        assert_eq!(rows_per_statement(&integrate), 100);
        let wide = (0..50).fold(testing::orders_refresh_table(), |t, i| {
            t.column(Column::data(&format!("c{i}")))
        });
        // 52 columns: 19 rows keep a statement within SQLite's 999 parameters.
        assert_eq!(
            rows_per_statement(&Sqlite::plan_refresh(&wide, &options).unwrap()),
            19
        );
    }
}
