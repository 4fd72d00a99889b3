//! Contract 0.3.0 (`wit/archive/0.3.0`), served beside the current one: its bindings and the
//! conversions between its types and the domain's. 0.4.0 only added a load shape, so both
//! versions share every conversion (`since_0_3_conversions!`).

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.3.0",
});

use crate::domain::{
    ConnectorInfo, FileColumn, LogicalType, OptionKind, OptionSpec, PlanOptions, PlanRequest,
    TargetColumn,
};
use hvrwasm::connector::types as wit;

shared_conversions!();
since_0_3_conversions!();
