#![warn(missing_docs)]
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

pub mod column_types;
#[doc(hidden)]
pub mod convert;
pub mod log;
#[doc(hidden)]
pub mod panic;
pub mod sql;
pub mod testing;
pub mod transform;
mod types;

pub use types::{
    Column, ColumnRole, Info, Load, LoadShape, LogicalType, MultiRowValues, OptionKind, OptionSpec,
    Options, Plan, PlanError, Source, Table, TargetColumn, TargetStyle,
};

/// This SDK's version.
///
/// ```
/// assert!(hvrwasm_sdk::SDK_VERSION.starts_with("0.4."));
/// ```
/// SDK 0.4.2 builds for contract 0.4.2, 0.4.1 for 0.4.1, 0.4.0 for 0.4.0 (the table is in the SDK's
/// README); a new contract line gets a new SDK minor.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The contract this SDK builds connectors for: a connector built with this SDK runs on any
/// host serving this contract version or a later patch of it (`wit/README.md`).
///
/// ```
/// assert_eq!(hvrwasm_sdk::CONTRACT_VERSION, "0.4.2");
/// ```
pub const CONTRACT_VERSION: &str = "0.4.2";

/// What a connector implements. Each function is called once per table and call; keep them
/// deterministic.
///
/// ```
/// use hvrwasm_sdk::sql::{parameter_array_refresh, CreatedTypes, Dialect};
/// use hvrwasm_sdk::{testing, Connector, Info, Options, Plan, PlanError, Table, TargetStyle};
/// struct MyDb;
/// impl Connector for MyDb {
///     fn describe() -> Info {
///         Info::new("my-db", "0.1.0", "sqlite")
///     }
///     fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
///         parameter_array_refresh(&Dialect::ANSI, table, options, CreatedTypes::SQLITE, 1000)
///     }
///     fn plan_integrate(_: &Table, _: &Options) -> Result<Plan, PlanError> {
///         Err(PlanError::Unsupported("refresh only".into()))
///     }
/// }
/// hvrwasm_sdk::export_connector!(MyDb);
/// // Plans are plain data: test them natively.
/// let plan = MyDb::plan_refresh(&testing::orders_refresh_table(), &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// assert!(plan.before[0].starts_with("CREATE TABLE"));
/// ```
pub trait Connector {
    /// Name, version, dialect, supported styles and declared options, for checks and
    /// `hvrwasmagent inspect`.
    fn describe() -> Info;
    /// Plan `refr_write_end` for one table.
    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError>;
    /// Plan `integ_end` for one table.
    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError>;
}

/// Exports a type implementing [`Connector`] as the component's `connector` interface,
/// converting between the contract's generated types and the SDK's own.
#[macro_export]
macro_rules! export_connector {
    ($ty:ty) => {
        // Only a wasm build exports; natively the connector is a plain library whose planning
        // functions unit-test like any Rust code.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::bindings::hvrwasm::connector::types as wit;
            struct HvrwasmExport;
            impl $crate::bindings::exports::hvrwasm::connector::connector::Guest for HvrwasmExport {
                fn describe() -> wit::Info {
                    $crate::panic::install_hook();
                    $crate::convert::info(<$ty as $crate::Connector>::describe())
                }
                fn plan_refresh(
                    table: wit::Table,
                    options: wit::Options,
                ) -> ::core::result::Result<wit::Plan, wit::PlanError> {
                    $crate::panic::install_hook();
                    $crate::convert::plan(<$ty as $crate::Connector>::plan_refresh(
                        &$crate::convert::table(table),
                        &$crate::convert::options(options),
                    ))
                }
                fn plan_integrate(
                    table: wit::Table,
                    options: wit::Options,
                ) -> ::core::result::Result<wit::Plan, wit::PlanError> {
                    $crate::panic::install_hook();
                    $crate::convert::plan(<$ty as $crate::Connector>::plan_integrate(
                        &$crate::convert::table(table),
                        &$crate::convert::options(options),
                    ))
                }
            }
    $crate::bindings::export!(HvrwasmExport with_types_in $crate::bindings);
        };
    };
}
