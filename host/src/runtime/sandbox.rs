use thiserror::Error;
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::hvrwasm::connector::log::{self as wit_log, Level};
use super::bindings::types::{FenceSql, Info, Options, Plan, PlanError, Table};
use super::bindings::{ConnectorGuest, hvrwasm};

/// Memory a guest may grow to. Planning needs little; the cap keeps a broken guest from
/// taking the host's memory.
const MEMORY_LIMIT: usize = 256 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum SandboxError {
    #[error("connector {name}: not a valid WebAssembly component: {reason}")]
    Compile { name: String, reason: String },
    #[error(
        "connector {name} does not implement the hvrwasm:connector@0.1.0 contract this host serves: {reason}"
    )]
    Instantiate { name: String, reason: String },
    #[error("connector {name} failed in {call}: {reason}")]
    Trap {
        name: String,
        call: &'static str,
        reason: String,
    },
}

pub struct GuestState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    name: String,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl hvrwasm::connector::types::Host for GuestState {}

impl wit_log::Host for GuestState {
    fn log(&mut self, level: Level, message: String) {
        let tag = match level {
            Level::Trace | Level::Debug => return,
            Level::Info => "",
            Level::Warn => "warning: ",
            Level::Error => "error: ",
        };
        say!("[{}] {tag}{message}", self.name);
    }
}

/// A compiled connector, ready to instantiate.
pub struct Compiled(Component);

/// One engine and linker per process.
pub struct Sandbox {
    engine: Engine,
    linker: Linker<GuestState>,
}

impl Sandbox {
    pub fn new() -> Result<Sandbox, SandboxError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| SandboxError::Compile {
            name: "(engine)".into(),
            reason: format!("{e:#}"),
        })?;
        let mut linker = Linker::new(&engine);
        let link = |e: wasmtime::Error| SandboxError::Compile {
            name: "(linker)".into(),
            reason: format!("{e:#}"),
        };
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link)?;
        ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link)?;
        Ok(Sandbox { engine, linker })
    }

    /// Compiles a connector once; instantiate it as often as needed.
    pub fn compile(&self, name: &str, wasm: &[u8]) -> Result<Compiled, SandboxError> {
        Component::from_binary(&self.engine, wasm)
            .map(Compiled)
            .map_err(|e| SandboxError::Compile {
                name: name.to_string(),
                reason: format!("{e:#}"),
            })
    }

    /// A fresh instance with its own store. The guest gets no files, no network, no
    /// environment and no arguments.
    pub fn instantiate(
        &self,
        name: &str,
        component: &Compiled,
    ) -> Result<ConnectorInstance, SandboxError> {
        let state = GuestState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).build(),
            name: name.to_string(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let instance = ConnectorGuest::instantiate(&mut store, &component.0, &self.linker)
            .map_err(|e| SandboxError::Instantiate {
                name: name.to_string(),
                reason: format!("{e:#}"),
            })?;
        let mut connector = ConnectorInstance {
            store,
            instance,
            name: name.to_string(),
            info: None,
        };
        connector.info = Some(connector.describe()?);
        Ok(connector)
    }
}

/// A running connector.
pub struct ConnectorInstance {
    store: Store<GuestState>,
    instance: ConnectorGuest,
    name: String,
    info: Option<Info>,
}

impl ConnectorInstance {
    pub fn info(&self) -> &Info {
        self.info.as_ref().expect("described at instantiation")
    }

    fn trap(&self, call: &'static str, e: wasmtime::Error) -> SandboxError {
        SandboxError::Trap {
            name: self.name.clone(),
            call,
            reason: format!("{e:#}"),
        }
    }

    fn describe(&mut self) -> Result<Info, SandboxError> {
        self.instance
            .hvrwasm_connector_connector()
            .call_describe(&mut self.store)
            .map_err(|e| self.trap("describe", e))
    }

    pub fn fence(&mut self, state_table: &str) -> Result<FenceSql, SandboxError> {
        self.instance
            .hvrwasm_connector_connector()
            .call_fence(&mut self.store, state_table)
            .map_err(|e| self.trap("fence", e))
    }

    pub fn plan_refresh(
        &mut self,
        table: &Table,
        options: &Options,
    ) -> Result<Result<Plan, PlanError>, SandboxError> {
        self.instance
            .hvrwasm_connector_connector()
            .call_plan_refresh(&mut self.store, table, options)
            .map_err(|e| self.trap("plan-refresh", e))
    }

    pub fn plan_integrate(
        &mut self,
        table: &Table,
        options: &Options,
    ) -> Result<Result<Plan, PlanError>, SandboxError> {
        self.instance
            .hvrwasm_connector_connector()
            .call_plan_integrate(&mut self.store, table, options)
            .map_err(|e| self.trap("plan-integrate", e))
    }
}
