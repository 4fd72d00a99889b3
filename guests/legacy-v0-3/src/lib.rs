//! A SQLite connector built against `wit/archive/0.3.0` with plain wit-bindgen, as a third party
//! built one with SDK 0.3 before the contract moved to 0.4 (which added the COPY load shape).
//! The suite runs a refresh and integrate cycles through it to prove the host keeps serving
//! 0.3.0. Not shipped.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ world: "connector-guest", path: "../../wit/archive/0.3.0" });
    const NAME: &str = "legacy-v0-3";
    const VERSION: &str = "0.0.3";
    include!("planner.rs");
}
