//! The other half of the version policy, which the shipped host cannot show until it knows a
//! later patch: a guest built for 0.4.2 runs on a host built for 0.4.3. The host side here is
//! generated from `guests/newer-patch/wit` (the current contract at 0.4.3) and instantiates the
//! embedded SQLite connector (built for 0.4.2): wasmtime matches both its imports and its
//! exports by semver.

mod at_0_4_3 {
    wasmtime::component::bindgen!({
        world: "connector-guest",
        path: "../guests/newer-patch/wit",
    });
}

use at_0_4_3::hvrwasm::connector::{log, planning_context, types};
use wasmtime::component::{Component, HasSelf, Linker};

use super::guest::GuestState;
use super::{CompileCache, Limits, Sandbox};

impl types::Host for GuestState {}
impl planning_context::Host for GuestState {
    fn sets_aside_rejected_rows(&mut self) -> bool {
        false
    }
    fn each_key_once(&mut self) -> bool {
        false
    }
}
impl log::Host for GuestState {
    fn log(&mut self, _level: log::Level, _message: String) {}
}

#[test]
fn a_guest_for_0_4_2_runs_on_a_host_for_0_4_3() {
    let sandbox = Sandbox::new(Limits::default(), CompileCache::disabled()).unwrap();
    let wasm = std::fs::read(concat!(env!("OUT_DIR"), "/guests/sqlite.wasm")).unwrap();
    let component = Component::new(&sandbox.engine, &wasm).unwrap();
    let mut linker = Linker::new(&sandbox.engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    at_0_4_3::ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).unwrap();
    let mut store = sandbox.new_store("sqlite", "connector");
    let guest = at_0_4_3::ConnectorGuest::instantiate(&mut store, &component, &linker)
        .expect("a 0.4.3 host instantiates a 0.4.2 guest");
    let info = guest
        .hvrwasm_connector_connector()
        .call_describe(&mut store)
        .unwrap();
    assert_eq!(info.name, "sqlite");
}

/// The 0.4.3 copy is the current contract with only its version changed, so the test above
/// says something about the contract this host serves.
#[test]
fn the_newer_patch_copy_matches_the_contract() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let current = std::fs::read_to_string(format!("{root}/wit/connector.wit")).unwrap();
    let copy =
        std::fs::read_to_string(format!("{root}/guests/newer-patch/wit/connector.wit")).unwrap();
    assert_eq!(
        copy,
        current.replace(
            "package hvrwasm:connector@0.4.2;",
            "package hvrwasm:connector@0.4.3;"
        ),
        "refresh guests/newer-patch/wit from wit/connector.wit"
    );
}
