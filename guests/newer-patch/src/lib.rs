//! Built against `hvrwasm:connector@0.4.3` (the current contract with a newer patch than this
//! host knows), as a connector built with a newer SDK would be, so the suite can check that the
//! host refuses it with a sentence before running any of it. Not shipped.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ world: "connector-guest", path: "wit" });

    use exports::hvrwasm::connector::connector::Guest;
    use hvrwasm::connector::types::{Info, Options, Plan, PlanError, Table};

    struct NewerPatch;

    impl Guest for NewerPatch {
        fn describe() -> Info {
            unreachable!("the host must refuse this component before calling it")
        }
        fn plan_refresh(_: Table, _: Options) -> Result<Plan, PlanError> {
            unreachable!("the host must refuse this component before calling it")
        }
        fn plan_integrate(_: Table, _: Options) -> Result<Plan, PlanError> {
            unreachable!("the host must refuse this component before calling it")
        }
    }

    export!(NewerPatch);
}
