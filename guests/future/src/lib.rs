//! Built against `hvrwasm:connector@0.9.0` (a copy of the contract with another version), so the
//! suite can check that the host refuses it before running any of it. Not shipped.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ world: "connector-guest", path: "wit" });

    use exports::hvrwasm::connector::connector::Guest;
    use hvrwasm::connector::types::{FenceSql, Info, Options, Plan, PlanError, Table};

    struct Future;

    impl Guest for Future {
        fn describe() -> Info {
            unreachable!("the host must refuse this component before calling it")
        }
        fn fence(_: String) -> FenceSql {
            unreachable!("the host must refuse this component before calling it")
        }
        fn plan_refresh(_: Table, _: Options) -> Result<Plan, PlanError> {
            unreachable!("the host must refuse this component before calling it")
        }
        fn plan_integrate(_: Table, _: Options) -> Result<Plan, PlanError> {
            unreachable!("the host must refuse this component before calling it")
        }
    }

    export!(Future);
}
