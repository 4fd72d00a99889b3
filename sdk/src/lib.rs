//! SDK for hvrwasmagent connector guests.
//!
//! A connector is a *planner*: for one table of one HVR call it receives the table's file
//! columns, key flags, extra-column roles, the target's current columns and the user's options,
//! and returns the SQL to run and how file columns feed the load. It does no I/O; the host owns
//! files, CSV decoding, ODBC, transactions and clean-up.
//!
//! Write a connector by implementing [`Connector`] and calling [`export_connector!`] once:
//!
//! ```ignore
//! use hvrwasm_sdk::{Connector, Info, Options, Plan, PlanError, Table};
//! struct MyDb;
//! impl Connector for MyDb {
//!     fn describe() -> Info { /* ... */ }
//!     fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> { /* ... */ }
//!     fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> { /* ... */ }
//! }
//! hvrwasm_sdk::export_connector!(MyDb);
//! ```
//!
//! Build with `cargo build --release --target wasm32-wasip2`; the output `.wasm` is a component.
//! Planning logic is plain Rust over plain data, so it unit-tests natively with `cargo test`.
//! The [`sql`] module holds the building blocks the shipped connectors use: identifier quoting,
//! the column layout of a table in a given style, staging, MERGE and delete-then-insert apply.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "connector-guest",
        path: "wit",
        pub_export_macro: true,
        default_bindings_module: "hvrwasm_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

pub mod log;
pub mod sql;
pub mod transform;

pub use bindings::hvrwasm::connector::types::{
    Column, ColumnRole, FenceParam, FenceSql, FenceStatement, Info, Load, LoadShape,
    MultiRowValues, Options, Plan, PlanError, Source, Table, TargetColumn, TargetStyle,
};

/// What a connector implements. Each function is called once per table and call; keep them
/// deterministic.
pub trait Connector {
    /// Name, version, dialect and supported styles, for `hvrwasmagent inspect` and checks.
    fn describe() -> Info;
    /// Plan `refr_write_end` for one table.
    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError>;
    /// Plan `integ_end` for one table.
    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError>;
    /// SQL of the exactly-once fence's state table. The default is standard SQL with `"`
    /// quoting and `VARCHAR(255)` text; override it where the dialect differs.
    fn fence(state_table: &str) -> FenceSql {
        sql::standard_fence(&sql::Dialect::ANSI, state_table, "VARCHAR(255)")
    }
}

/// Exports a type implementing [`Connector`] as the component's `connector` interface.
#[macro_export]
macro_rules! export_connector {
    ($ty:ty) => {
        // Only a wasm build exports; natively the connector is a plain library whose planning
        // functions unit-test like any Rust code.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct HvrwasmExport;
            impl $crate::bindings::exports::hvrwasm::connector::connector::Guest for HvrwasmExport {
                fn describe() -> $crate::Info {
                    <$ty as $crate::Connector>::describe()
                }
                fn fence(state_table: ::std::string::String) -> $crate::FenceSql {
                    <$ty as $crate::Connector>::fence(&state_table)
                }
                fn plan_refresh(
                    table: $crate::Table,
                    options: $crate::Options,
                ) -> ::core::result::Result<$crate::Plan, $crate::PlanError> {
                    <$ty as $crate::Connector>::plan_refresh(&table, &options)
                }
                fn plan_integrate(
                    table: $crate::Table,
                    options: $crate::Options,
                ) -> ::core::result::Result<$crate::Plan, $crate::PlanError> {
                    <$ty as $crate::Connector>::plan_integrate(&table, &options)
                }
            }
    $crate::bindings::export!(HvrwasmExport with_types_in $crate::bindings);
        };
    };
}
