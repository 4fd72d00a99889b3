//! The domain core: plain types every layer speaks, and the seams between them.
//!
//! Nothing here knows WebAssembly, ODBC or HVR's environment. The sandbox converts the
//! contract's WIT types to and from these (`runtime`), the target speaks them (`odbc`), and the
//! table orchestration (`table`) works only through them, which is what lets it be unit-tested
//! with fakes.
//!
//! - [`columns`]: file columns with their roles and key flags, target columns, logical types;
//! - [`plan`]: styles, what a connector is asked ([`PlanRequest`]) and what it returns
//!   ([`Plan`]: load shape, sources), and the host's checks of a plan;
//! - [`connector`]: what a connector is ([`ConnectorInfo`], declared options) and the
//!   [`Planner`] seam;
//! - [`transform`]: the [`Transformer`] seam, the phase, and what a transform declares;
//! - [`guest`]: how a guest call can fail ([`GuestError`]), whatever the contract version.

pub mod columns;
pub mod connector;
pub mod guest;
pub mod plan;
pub mod transform;
mod type_name;

pub use columns::{FileColumn, LogicalType, Role, TargetColumn};
pub use connector::{ConnectorInfo, OptionError, OptionKind, OptionSpec, PlanFailure, Planner};
pub use guest::GuestError;
pub use plan::{
    LoadShape, Plan, PlanCheckError, PlanKind, PlanOptions, PlanRefusal, PlanRequest, Source, Style,
};
pub use transform::{
    Phase, TableTransform, TransformContext, TransformFailure, TransformInfo, Transformer,
};
