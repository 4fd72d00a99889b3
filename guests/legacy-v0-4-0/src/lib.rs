//! A SQLite connector built for contract 0.4.0 with plain wit-bindgen, as a third party built
//! one with SDK 0.4.0 before 0.4.1 added the `planning-context` import: it imports only `log`.
//! The suite runs a refresh and integrate cycles through it to prove a later 0.4 host runs it.
//! Patches are not archived (`wit/README.md`), so it carries its own copy of the 0.4.0 WIT.
//! Not shipped.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ world: "connector-guest", path: "wit" });
    const NAME: &str = "legacy-v0-4-0";
    const VERSION: &str = "0.0.4";
    include!("../../legacy-v0-3/src/planner.rs");
}
