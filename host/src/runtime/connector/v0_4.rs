//! Contract 0.4 (`wit/connector.wit`), the current one: its bindings and the conversions
//! between its types and the domain's. It adds the `postgres-copy` and `mariadb-load-data` load
//! shapes to 0.3.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit",
});

use crate::domain::{
    ConnectorInfo, FileColumn, LogicalType, OptionKind, OptionSpec, PlanOptions, PlanRequest,
    TargetColumn,
};
use hvrwasm::connector::types as wit;

shared_conversions!(
    wit::LoadShape::PostgresCopy(sql) => LoadShape::PostgresCopy(sql),
    wit::LoadShape::MariadbLoadData(t) => LoadShape::MariadbLoadData {
        table: t.table,
        columns: t.columns,
    },
);
since_0_3_conversions!();
