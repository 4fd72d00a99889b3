//! {{name}}: plans the SQL for one table of one HVR call. The host reads the files, loads the
//! rows with the statement and sources this returns, runs everything in one transaction with
//! its exactly-once fence, and deletes the files after the commit.
//!
//! As generated it targets SQLite (3.24 or later: `INSERT ... ON CONFLICT`); change the
//! dialect, the created types and the apply for your database.

use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, Layout, SpecialOps, Stage, Upsert};
use hvrwasm_sdk::{Connector, Info, Options, Plan, PlanError, Table, TargetStyle};

const D: Dialect = Dialect::ANSI;
/// Types of a table refresh creates when it is missing.
const CREATED: CreatedTypes = CreatedTypes::SQLITE;
/// Rows per parameter array.
const BATCH_ROWS: u32 = 5_000;
const STAGE: &str = "hvr_stage";

pub struct {{type_name}};

impl Connector for {{type_name}} {
    fn describe() -> Info {
        Info::new("{{name}}", env!("CARGO_PKG_VERSION"), "sqlite")
            .styles(&TargetStyle::ALL)
            // SQLite has one writer at a time.
            .max_parallel_tables(1)
    }

    /// Create or empty the target, then insert the files' rows straight into it.
    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if options.refresh_shadow {
            return Err(PlanError::Unsupported("--refresh-shadow is not supported".into()));
        }
        sql::parameter_array_refresh(&D, table, options, CREATED, BATCH_ROWS)
    }

    /// Load the cycle into a stage, then apply: truncates and multi-deletes first, then the
    /// last change per key (deletes, then one upsert). TimeKey targets append every row.
    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = sql::require_target(&D, table)?;
        if options.style == TargetStyle::TimeKey {
            let load = layout.parameter_array_load(&D, &target, BATCH_ROWS);
            return Ok(Plan::new(vec![], load, vec![]));
        }
        let keys = layout.require_keys(table)?;
        let stage = Stage::new(&D, STAGE, &layout, |c| c.type_name.clone().unwrap_or_default(), "INTEGER");
        let special = SpecialOps::from_stage(&D, table, &stage, &keys)?;
        let before = vec![
            format!("DROP TABLE IF EXISTS temp.{}", stage.name),
            format!("CREATE TEMP TABLE {} ({})", stage.name, stage.column_definitions()),
        ];
        let load = sql::parameter_array_load(&stage.name, &stage.column_list(), stage.sources(), BATCH_ROWS);
        let mut after = sql::upsert_apply(&D, Upsert::OnConflict, &target, &stage, &layout, &keys, options.style, &special);
        after.push(format!("DROP TABLE {}", stage.name));
        Ok(Plan::new(before, load, after))
    }
}

hvrwasm_sdk::export_connector!({{type_name}});

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::testing;

    #[test]
    fn refresh_creates_a_missing_table() {
        let plan = {{type_name}}::plan_refresh(&testing::orders_refresh_table(), &testing::options(TargetStyle::ReplicationCopy)).unwrap();
        assert!(plan.before[0].starts_with(r#"CREATE TABLE "orders""#), "{:?}", plan.before);
    }

    #[test]
    fn integrate_applies_truncates_before_the_upsert() {
        let plan = {{type_name}}::plan_integrate(&testing::orders_table(), &testing::options(TargetStyle::ReplicationCopy)).unwrap();
        assert!(plan.after[0].contains("= 5)"), "{:?}", plan.after);
        assert!(plan.after.iter().any(|s| s.contains(r#"ON CONFLICT ("id") DO UPDATE"#)));
    }
}
