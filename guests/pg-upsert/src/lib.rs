//! PostgreSQL-protocol targets without `MERGE` (PostgreSQL 9.5–14 and PG-wire engines that
//! lack it): changes apply with `INSERT ... ON CONFLICT` from a temporary stage. Written with
//! the public SDK only, as a third party would.

use hvrwasm_sdk::sql::{
    self, CreatedTypes, Dialect, LandedColumn, Layout, SpecialOps, Stage, Upsert,
};
use hvrwasm_sdk::{Connector, Info, Options, Plan, PlanError, Table, TargetStyle};

const D: Dialect = Dialect::ANSI;
const CREATED: CreatedTypes = CreatedTypes::POSTGRES;
const BATCH_ROWS: u32 = 2_000;

pub struct PgUpsert;

impl Connector for PgUpsert {
    fn describe() -> Info {
        Info::new("pg-upsert", env!("CARGO_PKG_VERSION"), "postgresql")
            .default_schema("public")
            .styles(&TargetStyle::ALL)
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if options.refresh_shadow {
            return Err(PlanError::Unsupported(
                "--refresh-shadow: use the postgres connector".into(),
            ));
        }
        let layout = Layout::new(table, options)?;
        let target = D.table_name(table);
        let mut before = session(&layout);
        before.extend(sql::refresh_preparation(
            &D,
            table,
            &layout,
            options,
            CREATED,
            "TRUNCATE TABLE",
        ));
        let columns = sql::direct_columns(&D, &layout, cast_type);
        Ok(Plan::new(
            before,
            sql::unnest_load(&target, &columns, BATCH_ROWS),
            vec![],
        ))
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        let layout = Layout::new(table, options)?;
        let target = sql::require_target(&D, table)?;
        if options.style == TargetStyle::TimeKey {
            let columns = sql::direct_columns(&D, &layout, cast_type);
            return Ok(Plan::new(
                session(&layout),
                sql::unnest_load(&target, &columns, BATCH_ROWS),
                vec![],
            ));
        }
        let keys = layout.require_keys(table)?;
        let stage = Stage::new(&D, "hvr_stage", &layout, cast_type, "bigint");
        let special = SpecialOps::from_stage(&D, table, &stage, &keys)?;
        let mut before = session(&layout);
        before.push(format!(
            "CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP",
            stage.name,
            stage.column_definitions()
        ));
        let after = sql::upsert_apply(
            &D,
            Upsert::OnConflict,
            &target,
            &stage,
            &layout,
            &keys,
            options.style,
            &special,
        );
        Ok(Plan::new(
            before,
            sql::unnest_load(&stage.name, &stage.columns, BATCH_ROWS),
            after,
        ))
    }
}

/// Arrays are parsed straight into the column's type: the target's, or the one refresh creates.
fn cast_type(c: &LandedColumn) -> String {
    c.type_name.clone().unwrap_or_else(|| CREATED.of(c))
}

/// Instants arrive as UTC wall time: read them in UTC, for this transaction only.
fn session(layout: &Layout) -> Vec<String> {
    if sql::carries_instants(layout) {
        vec!["SET LOCAL TIME ZONE 'UTC'".into()]
    } else {
        vec![]
    }
}

hvrwasm_sdk::export_connector!(PgUpsert);

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::{LoadShape, testing};

    #[test]
    fn refresh_creates_a_missing_table_and_loads_typed_arrays() {
        let plan = PgUpsert::plan_refresh(
            &testing::orders_refresh_table(),
            &testing::options(TargetStyle::ReplicationCopy),
        )
        .unwrap();
        assert!(
            plan.before[0].starts_with(r#"CREATE TABLE "orders""#),
            "{:?}",
            plan.before
        );
        assert!(
            matches!(&plan.load.shape, LoadShape::PostgresTextArrays(s) if s.contains("unnest(?::text[], ?::text[])"))
        );
    }

    #[test]
    fn integrate_stages_then_applies_special_ops_deletes_and_one_upsert() {
        let plan = PgUpsert::plan_integrate(
            &testing::orders_table(),
            &testing::options(TargetStyle::ReplicationCopy),
        )
        .unwrap();
        assert!(plan.before[0].contains("ON COMMIT DROP"));
        assert!(
            plan.after[0].contains("MAX(\"hvr_stage_seq\")"),
            "truncates first: {:?}",
            plan.after
        );
        assert!(
            plan.after
                .last()
                .unwrap()
                .contains(r#"ON CONFLICT ("id") DO UPDATE"#)
        );
    }
}
