//! Contract 0.4 (`wit/connector.wit`), the current one: its bindings and the conversions
//! between its types and the domain's. It adds the `postgres-copy` load shape to 0.3.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit",
});

use crate::domain::{
    ConnectorInfo, FileColumn, LogicalType, OptionKind, OptionSpec, PlanOptions, PlanRequest,
    TargetColumn,
};
use hvrwasm::connector::types as wit;

shared_conversions!(wit::LoadShape::PostgresCopy(sql) => LoadShape::PostgresCopy(sql));
since_0_3_conversions!();
