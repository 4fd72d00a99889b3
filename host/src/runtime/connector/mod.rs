//! A running connector, called through the bindings of the contract version it targets. This
//! is where the [`Planner`] seam meets WebAssembly: every conversion between the domain and a
//! served contract version happens in this module's children, once in each direction.

/// The conversions every served connector contract shares (its styles, roles and plan have
/// the same shape in each version, as distinct generated types): expanded in each version's
/// module, where `wit` names that version's `types` interface.
macro_rules! shared_conversions {
    // Load shapes a version adds after the first three, as `pattern => domain shape`.
    ($($shape:pat => $domain:expr),* $(,)?) => {
        fn style(s: crate::domain::Style) -> wit::TargetStyle {
            match s {
                crate::domain::Style::ReplicationCopy => wit::TargetStyle::ReplicationCopy,
                crate::domain::Style::SoftDelete => wit::TargetStyle::SoftDelete,
                crate::domain::Style::TimeKey => wit::TargetStyle::TimeKey,
            }
        }

        fn domain_style(s: wit::TargetStyle) -> crate::domain::Style {
            match s {
                wit::TargetStyle::ReplicationCopy => crate::domain::Style::ReplicationCopy,
                wit::TargetStyle::SoftDelete => crate::domain::Style::SoftDelete,
                wit::TargetStyle::TimeKey => crate::domain::Style::TimeKey,
            }
        }

        fn role(r: crate::domain::Role) -> wit::ColumnRole {
            match r {
                crate::domain::Role::Data => wit::ColumnRole::Data,
                crate::domain::Role::Op => wit::ColumnRole::Op,
                crate::domain::Role::SoftDelete => wit::ColumnRole::SoftDelete,
            }
        }

        pub fn plan(
            p: Result<wit::Plan, wit::PlanError>,
        ) -> Result<crate::domain::Plan, crate::domain::PlanRefusal> {
            use crate::domain::{LoadShape, PlanRefusal, Source};
            let p = p.map_err(|e| match e {
                wit::PlanError::Unsupported(m) => PlanRefusal::Unsupported(m),
                wit::PlanError::InvalidTable(m) => PlanRefusal::InvalidTable(m),
            })?;
            Ok(crate::domain::Plan {
                before: p.before,
                sources: p
                    .load
                    .sources
                    .into_iter()
                    .map(|s| match s {
                        wit::Source::Column(i) => Source::Column(i as usize),
                        wit::Source::RowNumber => Source::RowNumber,
                    })
                    .collect(),
                shape: match p.load.shape {
                    wit::LoadShape::ParameterArray(sql) => LoadShape::ParameterArray(sql),
                    wit::LoadShape::MultiRowValues(m) => LoadShape::MultiRowValues {
                        prefix: m.prefix,
                        row: m.row,
                        rows_per_statement: m.rows_per_statement as usize,
                    },
                    wit::LoadShape::PostgresTextArrays(sql) => LoadShape::PostgresTextArrays(sql),
                    $($shape => $domain,)*
                },
                batch_rows: p.load.batch_rows as usize,
                after: p.after,
                after_each_key_once: None,
            })
        }
    };
}

#[macro_use]
mod since_0_3;

pub mod v0_1;
pub mod v0_2;
pub mod v0_3;
pub mod v0_4;

use wasmtime::Store;

use super::guest::{GuestState, call_guest};
use crate::domain::{
    ConnectorInfo, GuestError, Plan, PlanFailure, PlanKind, PlanOptions, PlanRefusal, PlanRequest,
    Planner,
};

/// The bindings a connector instance is called through, by contract version.
pub(super) enum Guest {
    V0_4(v0_4::ConnectorGuest),
    V0_3(v0_3::ConnectorGuest),
    V0_2(v0_2::ConnectorGuest),
    V0_1(v0_1::ConnectorGuest),
}

/// A running connector.
pub struct ConnectorInstance {
    pub(super) store: Store<GuestState>,
    pub(super) instance: Guest,
    pub(super) name: String,
    pub(super) info: Option<ConnectorInfo>,
    pub(super) ticks: u64,
}

impl ConnectorInstance {
    fn call<T>(
        &mut self,
        call: &'static str,
        f: impl FnOnce(&Guest, &mut Store<GuestState>) -> wasmtime::Result<T>,
    ) -> Result<T, GuestError> {
        let instance = &self.instance;
        call_guest(&mut self.store, self.ticks, &self.name, call, |s| {
            f(instance, s)
        })
    }

    pub(super) fn describe(&mut self) -> Result<ConnectorInfo, GuestError> {
        self.call("describe", |g, s| match g {
            Guest::V0_4(i) => i
                .hvrwasm_connector_connector()
                .call_describe(s)
                .map(v0_4::info),
            Guest::V0_3(i) => i
                .hvrwasm_connector_connector()
                .call_describe(s)
                .map(v0_3::info),
            Guest::V0_2(i) => i
                .hvrwasm_connector_connector()
                .call_describe(s)
                .map(v0_2::info),
            Guest::V0_1(i) => i
                .hvrwasm_connector_connector()
                .call_describe(s)
                .map(v0_1::info),
        })
    }

    /// One planning call in the guest's own contract version.
    fn call_plan(
        &mut self,
        kind: PlanKind,
        table: &PlanRequest,
        options: &PlanOptions,
    ) -> Result<Result<Plan, PlanRefusal>, GuestError> {
        let refresh = kind == PlanKind::Refresh;
        let call = if refresh {
            "plan-refresh"
        } else {
            "plan-integrate"
        };
        if let Guest::V0_1(_) = self.instance {
            // What 0.1.0 cannot express is refused in a sentence, not dropped.
            let (t, o) = match (v0_1::table(table), v0_1::options(options)) {
                (Ok(t), Ok(o)) => (t, o),
                (Err(m), _) | (_, Err(m)) => return Ok(Err(PlanRefusal::Unsupported(m))),
            };
            return self.call(call, |g, s| {
                let Guest::V0_1(i) = g else {
                    unreachable!("matched above")
                };
                let c = i.hvrwasm_connector_connector();
                let planned = if refresh {
                    c.call_plan_refresh(s, &t, &o)
                } else {
                    c.call_plan_integrate(s, &t, &o)
                };
                planned.map(v0_1::plan)
            });
        }
        self.call(call, |g, s| match g {
            Guest::V0_4(i) => {
                let (t, o) = (v0_4::table(table), v0_4::options(options));
                // Answered by the `planning-context` import while the guest plans.
                s.data_mut().sets_aside_rejected_rows = options.sets_aside_rejected_rows;
                s.data_mut().each_key_once = options.each_key_once;
                let c = i.hvrwasm_connector_connector();
                let planned = if refresh {
                    c.call_plan_refresh(s, &t, &o)
                } else {
                    c.call_plan_integrate(s, &t, &o)
                };
                planned.map(v0_4::plan)
            }
            Guest::V0_3(i) => {
                let (t, o) = (v0_3::table(table), v0_3::options(options));
                let c = i.hvrwasm_connector_connector();
                let planned = if refresh {
                    c.call_plan_refresh(s, &t, &o)
                } else {
                    c.call_plan_integrate(s, &t, &o)
                };
                planned.map(v0_3::plan)
            }
            Guest::V0_2(i) => {
                let (t, o) = (v0_2::table(table), v0_2::options(options));
                let c = i.hvrwasm_connector_connector();
                let planned = if refresh {
                    c.call_plan_refresh(s, &t, &o)
                } else {
                    c.call_plan_integrate(s, &t, &o)
                };
                planned.map(v0_2::plan)
            }
            Guest::V0_1(_) => unreachable!("handled above"),
        })
    }
}

impl Planner for ConnectorInstance {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> &ConnectorInfo {
        self.info.as_ref().expect("described at instantiation")
    }

    fn plan(
        &mut self,
        kind: PlanKind,
        table: &PlanRequest,
        options: &PlanOptions,
    ) -> Result<Plan, PlanFailure> {
        let connector = self.name.clone();
        let plan =
            self.call_plan(kind, table, options)?
                .map_err(|refusal| PlanFailure::Refused {
                    connector: connector.clone(),
                    refusal,
                })?;
        plan.checked(table.columns.len())
            .map_err(|error| PlanFailure::Invalid { connector, error })
    }
}
