//! A running connector, called through the bindings of the contract version it targets.

use wasmtime::Store;

use super::bindings::ConnectorGuest;
use super::bindings::types::{FenceSql, Info, Options, Plan, PlanError, Table};
use super::guest::{GuestState, call_guest};
use super::sandbox::SandboxError;
use super::v0_1;

/// The bindings a connector instance is called through, by contract version.
pub(super) enum Guest {
    Current(ConnectorGuest),
    V0_1(v0_1::ConnectorGuest),
}

/// A running connector.
pub struct ConnectorInstance {
    pub(super) store: Store<GuestState>,
    pub(super) instance: Guest,
    pub(super) name: String,
    pub(super) info: Option<Info>,
    pub(super) ticks: u64,
}

impl ConnectorInstance {
    pub fn info(&self) -> &Info {
        self.info.as_ref().expect("described at instantiation")
    }

    /// The name the host knows the connector by (built-in name or file stem), used in every
    /// message about it.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn call<T>(
        &mut self,
        call: &'static str,
        f: impl FnOnce(&Guest, &mut Store<GuestState>) -> wasmtime::Result<T>,
    ) -> Result<T, SandboxError> {
        let instance = &self.instance;
        call_guest(&mut self.store, self.ticks, &self.name, call, |s| {
            f(instance, s)
        })
    }

    /// A plan request the connector's contract cannot express, refused in a sentence.
    fn refuse(message: String) -> Result<Result<Plan, PlanError>, SandboxError> {
        Ok(Err(PlanError::Unsupported(message)))
    }

    pub(super) fn describe(&mut self) -> Result<Info, SandboxError> {
        self.call("describe", |g, s| match g {
            Guest::Current(i) => i.hvrwasm_connector_connector().call_describe(s),
            Guest::V0_1(i) => i
                .hvrwasm_connector_connector()
                .call_describe(s)
                .map(v0_1::info),
        })
    }

    pub fn fence(&mut self, state_table: &str) -> Result<FenceSql, SandboxError> {
        if let Guest::V0_1(_) = self.instance {
            return Ok(v0_1::standard_fence(state_table));
        }
        self.call("fence", |g, s| match g {
            Guest::Current(i) => i.hvrwasm_connector_connector().call_fence(s, state_table),
            Guest::V0_1(_) => unreachable!("handled above"),
        })
    }

    pub fn plan_refresh(
        &mut self,
        table: &Table,
        options: &Options,
    ) -> Result<Result<Plan, PlanError>, SandboxError> {
        self.plan(true, table, options)
    }

    pub fn plan_integrate(
        &mut self,
        table: &Table,
        options: &Options,
    ) -> Result<Result<Plan, PlanError>, SandboxError> {
        self.plan(false, table, options)
    }

    /// One planning call, converted for a 0.1.0 guest where needed.
    fn plan(
        &mut self,
        refresh: bool,
        table: &Table,
        options: &Options,
    ) -> Result<Result<Plan, PlanError>, SandboxError> {
        let call = if refresh {
            "plan-refresh"
        } else {
            "plan-integrate"
        };
        let old = match self.instance {
            Guest::V0_1(_) => match (v0_1::table(table), v0_1::options(options)) {
                (Ok(t), Ok(o)) => Some((t, o)),
                (Err(m), _) | (_, Err(m)) => return Self::refuse(m),
            },
            Guest::Current(_) => None,
        };
        self.call(call, |g, s| match (g, &old) {
            (Guest::Current(i), _) => {
                let c = i.hvrwasm_connector_connector();
                if refresh {
                    c.call_plan_refresh(s, table, options)
                } else {
                    c.call_plan_integrate(s, table, options)
                }
            }
            (Guest::V0_1(i), Some((t, o))) => {
                let c = i.hvrwasm_connector_connector();
                if refresh {
                    c.call_plan_refresh(s, t, o).map(v0_1::plan)
                } else {
                    c.call_plan_integrate(s, t, o).map(v0_1::plan)
                }
            }
            (Guest::V0_1(_), None) => unreachable!("converted above"),
        })
    }
}
