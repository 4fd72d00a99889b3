//! What every guest instance runs with: its store state (WASI context without preopens,
//! environment or arguments; captured stdout/stderr; the memory cap), the `log` imports of every
//! served world, and the call wrapper that enforces the deadline and names the limit that
//! stopped a guest.

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::connector::{v0_1, v0_2, v0_3, v0_4};
use super::sandbox::{SandboxError, TICK};
use super::transform::{current, legacy};

/// Denies memory growth past the cap and remembers that it did, to name the limit in the error.
pub(super) struct MemoryCap {
    pub(super) max: usize,
    pub(super) exceeded: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

pub struct GuestState {
    pub(super) wasi: WasiCtx,
    pub(super) table: ResourceTable,
    pub(super) cap: MemoryCap,
    pub(super) name: String,
    /// `connector` or `transform`, for messages.
    pub(super) kind: &'static str,
    pub(super) stdout: MemoryOutputPipe,
    pub(super) stderr: MemoryOutputPipe,
    /// Bytes of stdout/stderr already copied to the job log.
    pub(super) printed: (usize, usize),
    /// What `planning-context` answers during the plan call in progress (set before each).
    pub(super) sets_aside_rejected_rows: bool,
    /// The same for `each-key-once` (contract 0.4.2).
    pub(super) each_key_once: bool,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl v0_4::hvrwasm::connector::types::Host for GuestState {}
impl v0_4::hvrwasm::connector::planning_context::Host for GuestState {
    fn sets_aside_rejected_rows(&mut self) -> bool {
        self.sets_aside_rejected_rows
    }
    fn each_key_once(&mut self) -> bool {
        self.each_key_once
    }
}
impl v0_3::hvrwasm::connector::types::Host for GuestState {}
impl v0_2::hvrwasm::connector::types::Host for GuestState {}
impl v0_1::hvrwasm::connector::types::Host for GuestState {}
impl current::hvrwasm::transform::types::Host for GuestState {}
impl legacy::hvrwasm::connector::batch::Host for GuestState {}

impl GuestState {
    fn log_line(&self, tag: &str, message: &str) {
        say!("[{}] {tag}{message}", self.name);
    }
}

/// Every served world imports its own copy of the `log` interface (same shape, distinct
/// generated types); all of them write the same job-log line.
macro_rules! log_host {
    ($( $($module:ident)::+ );+ $(;)?) => {$(
        impl $($module)::+::Host for GuestState {
            fn log(&mut self, level: $($module)::+::Level, message: String) {
                use $($module)::+::Level as L;
                let tag = match level {
                    L::Trace | L::Debug => return,
                    L::Info => "",
                    L::Warn => "warning: ",
                    L::Error => "error: ",
                };
                self.log_line(tag, &message);
            }
        }
    )+};
}

log_host!(
    v0_4::hvrwasm::connector::log;
    v0_3::hvrwasm::connector::log;
    v0_2::hvrwasm::connector::log;
    v0_1::hvrwasm::connector::log;
    current::hvrwasm::transform::log;
    legacy::hvrwasm::connector::log;
);

impl GuestState {
    /// Copies what the guest wrote to stdout/stderr since the last call to the job log, one
    /// prefixed line at a time.
    fn flush_output(&mut self) {
        for (pipe, printed, stream) in [
            (&self.stdout, &mut self.printed.0, "stdout"),
            (&self.stderr, &mut self.printed.1, "stderr"),
        ] {
            let contents = pipe.contents();
            if contents.len() > *printed {
                for line in String::from_utf8_lossy(&contents[*printed..]).lines() {
                    say!("[{} {stream}] {line}", self.name);
                }
                *printed = contents.len();
            }
        }
    }
}

/// Runs one guest call under the deadline, copies its output to the job log, and names the
/// limit when one stopped it.
pub(super) fn call_guest<T>(
    store: &mut Store<GuestState>,
    ticks: u64,
    name: &str,
    call: &'static str,
    f: impl FnOnce(&mut Store<GuestState>) -> wasmtime::Result<T>,
) -> Result<T, SandboxError> {
    store.set_epoch_deadline(ticks);
    let stderr_before = store.data().printed.1;
    let result = f(store);
    // Read back only when the call failed: stderr's contents are a copy.
    let panic = result.is_err().then(|| {
        let stderr = store.data().stderr.contents();
        panic_report(&String::from_utf8_lossy(
            &stderr[stderr_before.min(stderr.len())..],
        ))
    });
    store.data_mut().flush_output();
    result.map_err(|e| {
        let name = name.to_string();
        let state = store.data();
        let kind = state.kind;
        if state.cap.exceeded {
            SandboxError::Memory {
                kind,
                name,
                call,
                limit_mb: state.cap.max / (1024 * 1024),
            }
        } else if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            SandboxError::Timeout {
                kind,
                name,
                call,
                limit_ms: ticks * TICK.as_millis() as u64,
            }
        } else if let Some((location, message)) = panic.flatten() {
            SandboxError::Panic {
                kind,
                name,
                call,
                location,
                message,
            }
        } else {
            // The first line says what trapped; the wasm backtrace after it helps nobody in
            // an F_J line.
            let reason = format!("{e:#}");
            SandboxError::Trap {
                kind,
                name,
                call,
                reason: reason.lines().next().unwrap_or_default().to_string(),
            }
        }
    })
}

/// A Rust panic in what the guest wrote to stderr during the call: the SDK's hook writes
/// `hvrwasm-panic: at FILE:LINE:COL: MESSAGE` on one line; Rust's default hook writes
/// `thread '...' panicked at FILE:LINE:COL:` and the message on the next lines.
/// Returns (location, message).
fn panic_report(stderr: &str) -> Option<(String, String)> {
    if let Some(line) = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("hvrwasm-panic: at "))
    {
        let (location, message) = split_location(line)?;
        return Some((location, message.replace("\\n", " ")));
    }
    let at = stderr.rfind("panicked at ")?;
    let rest = &stderr[at + "panicked at ".len()..];
    let (first, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let location = first.trim_end_matches(':').to_string();
    let message: Vec<&str> = after
        .lines()
        .take_while(|l| !l.starts_with("note: ") && !l.starts_with("stack backtrace"))
        .collect();
    Some((location, message.join(" ").trim().to_string()))
}

/// `src/lib.rs:12:5: message` → (`src/lib.rs:12:5`, `message`).
fn split_location(line: &str) -> Option<(String, String)> {
    let mut parts = line.splitn(4, ':');
    let (file, row, col) = (parts.next()?, parts.next()?, parts.next()?);
    let message = parts.next().unwrap_or("").trim();
    Some((format!("{file}:{row}:{col}"), message.to_string()))
}

#[cfg(test)]
mod tests {
    use super::panic_report;

    #[test]
    fn the_sdk_hook_line_wins() {
        let err = "thread '<unnamed>' panicked at src/lib.rs:9:5:\nboom\nhvrwasm-panic: at src/lib.rs:9:5: boom\n";
        assert_eq!(
            panic_report(err),
            Some(("src/lib.rs:9:5".into(), "boom".into()))
        );
    }

    #[test]
    fn the_default_hook_is_read_too() {
        let err = "thread '<unnamed>' panicked at src/lib.rs:90:25:\nthe connector panicked\non purpose\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            panic_report(err),
            Some((
                "src/lib.rs:90:25".into(),
                "the connector panicked on purpose".into()
            ))
        );
        assert_eq!(panic_report("plain output\n"), None);
    }
}
