use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use super::cache::{CacheStatus, CompileCache};
use super::connector::{self, ConnectorInstance, v0_1, v0_2, v0_3, v0_4};
use super::guest::{GuestState, MemoryCap};
use super::transform::{self, TransformInstance};
use super::version::Version;
use super::worlds::{World, build_linker, exported_interface, served_version};
pub use crate::domain::GuestError as SandboxError;

/// The connector contract: its package and the versions this host serves, newest first (one
/// entry per compatible line, with the newest patch this host knows).
pub const CONTRACT_PACKAGE: &str = "hvrwasm:connector";
pub const CONNECTOR_VERSIONS: [Version; 4] = [
    Version::new(0, 4, 2),
    Version::new(0, 3, 0),
    Version::new(0, 2, 0),
    Version::new(0, 1, 0),
];
/// The transform contract, its own package since connector 0.3; transforms built for
/// `hvrwasm:connector@0.2.0` are still served.
pub const TRANSFORM_PACKAGE: &str = "hvrwasm:transform";
pub const TRANSFORM_VERSIONS: [Version; 1] = [Version::new(0, 1, 0)];
const LEGACY_TRANSFORM: Version = Version::new(0, 2, 0);

/// How often the deadline clock ticks.
pub(super) const TICK: Duration = crate::watchdog::TICK;
/// What a guest's stdout and stderr may hold between two calls.
const OUTPUT_CAPACITY: usize = 1024 * 1024;

/// Limits every guest call runs under.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall-clock time one call may take.
    pub timeout: Duration,
    /// Linear memory a guest may grow to, in bytes.
    pub memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(10),
            memory: 256 * 1024 * 1024,
        }
    }
}

/// One engine per process, with a clock that enforces call deadlines, and one linker per
/// served world, built when a component of that world is first instantiated: a call links
/// one connector (rarely a transform too), so it need not register all of WASI into the
/// linkers of the five worlds it does not use.
pub struct Sandbox {
    pub(super) engine: Engine,
    linkers: [OnceLock<Linker<GuestState>>; 6],
    limits: Limits,
    cache: CompileCache,
    stop_clock: Arc<AtomicBool>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_clock.store(true, Ordering::Relaxed);
    }
}

/// A compiled connector, ready to instantiate.
pub struct Compiled {
    component: Component,
    /// The contract it targets, e.g. `hvrwasm:connector@0.1.0`.
    pub contract: String,
    /// The served version it runs under.
    served: Version,
    pub cache: CacheStatus,
}

impl Sandbox {
    pub fn new(limits: Limits, cache: CompileCache) -> Result<Sandbox, SandboxError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| SandboxError::Compile {
            kind: "engine",
            name: "(engine)".into(),
            reason: format!("{e:#}"),
        })?;
        let stop_clock = Arc::new(AtomicBool::new(false));
        let (clock_engine, stop) = (engine.clone(), stop_clock.clone());
        // The deadline clock: on the watchdog's thread when it runs (a call), else its own.
        let tick = move || {
            let running = !stop.load(Ordering::Relaxed);
            if running {
                clock_engine.increment_epoch();
            }
            running
        };
        if !crate::watchdog::tick_with(Box::new(tick.clone())) {
            std::thread::spawn(move || {
                while tick() {
                    std::thread::sleep(TICK);
                }
            });
        }
        Ok(Sandbox {
            engine,
            linkers: Default::default(),
            limits,
            cache,
            stop_clock,
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn linker(&self, world: World) -> Result<&Linker<GuestState>, SandboxError> {
        let cell = &self.linkers[world as usize];
        if let Some(linker) = cell.get() {
            return Ok(linker);
        }
        let built = build_linker(&self.engine, world)?;
        // Another thread may have built it meanwhile; either is the same linker.
        Ok(cell.get_or_init(|| built))
    }

    /// Compiles a connector (or loads its cached compilation) and checks which contract
    /// version it targets before anything of it runs.
    pub fn compile(&self, name: &str, wasm: &[u8]) -> Result<Compiled, SandboxError> {
        let (component, cache) = self.load(name, wasm, "connector")?;
        let interface = format!("{CONTRACT_PACKAGE}/connector");
        let (_, wanted) =
            exported_interface(&self.engine, name, &component, "connector", &[&interface])?;
        let served = served_version(
            name,
            "connector",
            &wanted,
            CONTRACT_PACKAGE,
            &CONNECTOR_VERSIONS,
        )?;
        Ok(Compiled {
            component,
            contract: format!("{CONTRACT_PACKAGE}@{wanted}"),
            served,
            cache,
        })
    }

    /// Compiles a transform: one exporting `hvrwasm:transform/transform`, or one built for
    /// `hvrwasm:connector@0.2.0`.
    pub fn compile_transform(&self, name: &str, wasm: &[u8]) -> Result<Compiled, SandboxError> {
        let (component, cache) = self.load(name, wasm, "transform")?;
        let current = format!("{TRANSFORM_PACKAGE}/transform");
        let legacy = format!("{CONTRACT_PACKAGE}/transform");
        let (interface, wanted) = exported_interface(
            &self.engine,
            name,
            &component,
            "transform",
            &[&current, &legacy],
        )?;
        let served = if interface == legacy {
            served_version(
                name,
                "transform",
                &wanted,
                CONTRACT_PACKAGE,
                &[LEGACY_TRANSFORM],
            )?;
            LEGACY_TRANSFORM
        } else {
            served_version(
                name,
                "transform",
                &wanted,
                TRANSFORM_PACKAGE,
                &TRANSFORM_VERSIONS,
            )?
        };
        let package = interface.split('/').next().unwrap_or_default();
        Ok(Compiled {
            component,
            contract: format!("{package}@{wanted}"),
            served,
            cache,
        })
    }

    fn load(
        &self,
        name: &str,
        wasm: &[u8],
        kind: &'static str,
    ) -> Result<(Component, CacheStatus), SandboxError> {
        self.cache
            .load_or_compile(&self.engine, name, wasm)
            .map_err(|e| SandboxError::Compile {
                kind,
                name: name.to_string(),
                reason: what_it_is(wasm).unwrap_or_else(|| {
                    let reason = format!("{e:#}");
                    reason.lines().next().unwrap_or_default().to_string()
                }),
            })
    }

    /// A fresh instance with its own store. The guest gets no files, no network, no
    /// environment, no arguments; its stdout and stderr go to the job log.
    pub fn instantiate(
        &self,
        name: &str,
        compiled: &Compiled,
    ) -> Result<ConnectorInstance, SandboxError> {
        let mut store = self.new_store(name, "connector");
        let instantiate_error = |e: wasmtime::Error| SandboxError::Instantiate {
            kind: "connector",
            name: name.to_string(),
            reason: format!("{e:#}"),
        };
        let (component, minor) = (&compiled.component, compiled.served.minor);
        let instance = match minor {
            4 => connector::Guest::V0_4(
                v0_4::ConnectorGuest::instantiate(
                    &mut store,
                    component,
                    self.linker(World::ConnectorV0_4)?,
                )
                .map_err(instantiate_error)?,
            ),
            3 => connector::Guest::V0_3(
                v0_3::ConnectorGuest::instantiate(
                    &mut store,
                    component,
                    self.linker(World::ConnectorV0_3)?,
                )
                .map_err(instantiate_error)?,
            ),
            2 => connector::Guest::V0_2(
                v0_2::ConnectorGuest::instantiate(
                    &mut store,
                    component,
                    self.linker(World::ConnectorV0_2)?,
                )
                .map_err(instantiate_error)?,
            ),
            _ => connector::Guest::V0_1(
                v0_1::ConnectorGuest::instantiate(
                    &mut store,
                    component,
                    self.linker(World::ConnectorV0_1)?,
                )
                .map_err(instantiate_error)?,
            ),
        };
        let mut connector = ConnectorInstance {
            store,
            instance,
            name: name.to_string(),
            info: None,
            ticks: self.deadline_ticks(),
        };
        let info = connector.describe()?;
        // From here on messages name the connector as it describes itself, as `inspect` and
        // `check` do, not by its file name.
        if !info.name.is_empty() {
            connector.name = info.name.clone();
            connector.store.data_mut().name = info.name.clone();
        }
        connector.info = Some(info);
        Ok(connector)
    }

    /// A fresh transform instance, under the same sandbox and limits as connectors.
    pub fn instantiate_transform(
        &self,
        name: &str,
        compiled: &Compiled,
    ) -> Result<TransformInstance, SandboxError> {
        let mut store = self.new_store(name, "transform");
        let instantiate_error = |e: wasmtime::Error| SandboxError::Instantiate {
            kind: "transform",
            name: name.to_string(),
            reason: format!("{e:#}"),
        };
        let instance = if compiled.served == LEGACY_TRANSFORM {
            transform::Guest::Legacy(
                transform::legacy::TransformGuest::instantiate(
                    &mut store,
                    &compiled.component,
                    self.linker(World::TransformLegacy)?,
                )
                .map_err(instantiate_error)?,
            )
        } else {
            transform::Guest::Current(
                transform::current::TransformGuest::instantiate(
                    &mut store,
                    &compiled.component,
                    self.linker(World::Transform)?,
                )
                .map_err(instantiate_error)?,
            )
        };
        let mut transform = TransformInstance {
            store,
            instance,
            name: name.to_string(),
            ticks: self.deadline_ticks(),
            info: None,
        };
        transform.info = Some(transform.describe()?);
        Ok(transform)
    }

    pub(super) fn new_store(&self, name: &str, kind: &'static str) -> Store<GuestState> {
        let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let state = GuestState {
            wasi: WasiCtx::builder()
                .stdout(stdout.clone())
                .stderr(stderr.clone())
                .build(),
            table: ResourceTable::new(),
            cap: MemoryCap {
                max: self.limits.memory,
                exceeded: false,
            },
            name: name.to_string(),
            kind,
            stdout,
            stderr,
            printed: (0, 0),
            sets_aside_rejected_rows: false,
            each_key_once: false,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.cap);
        store.set_epoch_deadline(self.deadline_ticks());
        store
    }

    fn deadline_ticks(&self) -> u64 {
        (self.limits.timeout.as_millis() / TICK.as_millis()).max(1) as u64
    }
}

/// What a file that does not compile as a component is, when its first bytes tell: another
/// kind of file, or a core module (built for the wrong target). `None` for a component.
fn what_it_is(bytes: &[u8]) -> Option<String> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.is_empty() {
        return Some("the file is empty".into());
    }
    if !bytes.starts_with(MAGIC) {
        let kind = match bytes {
            [0x7f, b'E', b'L', b'F', ..] => "an ELF executable or library",
            [0x1f, 0x8b, ..] => "a gzip file",
            [b'P', b'K', ..] => "a zip archive",
            [b'#', b'!', ..] => "a script",
            b if std::str::from_utf8(&b[..b.len().min(64)]).is_ok() => "a text file",
            _ => "not WebAssembly",
        };
        return Some(format!(
            "it is {kind}, not WebAssembly; a connector is the .wasm component `hvrwasmagent build` makes"
        ));
    }
    // Bytes 4..8: version 1 is a core module; a component has layer 1 there.
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Some(
            "it is a core WebAssembly module, not a component: build the crate for --target wasm32-wasip2 (`hvrwasmagent build DIR` does)".into(),
        );
    }
    None
}

#[cfg(test)]
mod what_it_is_tests {
    use super::what_it_is;

    #[test]
    fn files_that_are_not_components_are_named() {
        assert!(what_it_is(b"hello\n").unwrap().contains("a text file"));
        assert!(what_it_is(b"\x7fELF\x02").unwrap().contains("ELF"));
        assert!(
            what_it_is(b"\0asm\x01\0\0\0")
                .unwrap()
                .contains("core WebAssembly module")
        );
        assert!(what_it_is(b"").unwrap().contains("empty"));
        assert_eq!(what_it_is(b"\0asm\x0d\0\x01\0"), None);
    }
}
