//! The SDK's own types for what a connector receives and returns. They mirror the contract
//! (`wit/connector.wit`) but belong to the SDK: records a connector *builds* (`Info`, `Plan`,
//! `Load`, `OptionSpec`) are made with constructors and builder methods, and records it
//! *receives* (`Table`, `Column`, `Options`) are `#[non_exhaustive]`, so a field added by a
//! later contract does not break a connector's source. The export macro converts to and from
//! the generated bindings.

mod plan;
mod received;

pub use plan::{
    Info, Load, LoadShape, MultiRowValues, OptionKind, OptionSpec, Plan, PlanError, Source,
};
pub use received::{Column, ColumnRole, LogicalType, Options, Table, TargetColumn, TargetStyle};
