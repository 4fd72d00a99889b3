//! Bounded waits and signals for one call. Every wait on the target (connecting, a statement,
//! a commit) is registered here with what it waits for; a monitor thread prints progress for
//! long waits, ends the call with an `F_J` line naming the table and the wait when a wait
//! outlasts its bound (a frozen server, a connection that never answers), and does the same
//! on SIGTERM or SIGINT. Ending the process is safe at any moment: the fence decides on the
//! re-run, and the target rolls back whatever was not committed when the connection drops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// How long one kind of wait may last before the call gives up.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub connect: Duration,
    /// One statement or commit; `None`: no bound.
    pub statement: Option<Duration>,
    /// Progress is printed after a wait has lasted this long, then again at each multiple.
    pub progress_every: Duration,
}

struct Wait {
    table: Option<String>,
    what: String,
    since: Instant,
    bound: Option<Duration>,
    reported: u64,
}

static WAITS: Mutex<Option<HashMap<ThreadId, Wait>>> = Mutex::new(None);
static TABLES: Mutex<Option<HashMap<ThreadId, String>>> = Mutex::new(None);
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
static STARTED: AtomicBool = AtomicBool::new(false);
static COMMITTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Clocks driven by the monitor thread; each says whether it still runs.
type Ticker = Box<dyn FnMut() -> bool + Send>;
static TICKERS: Mutex<Vec<Ticker>> = Mutex::new(Vec::new());

/// How often the monitor thread runs the tickers; waits and signals are looked at every
/// tenth tick.
pub const TICK: Duration = Duration::from_millis(10);

/// Runs `tick` on the monitor thread every [`TICK`] until it returns false, so that a
/// clock needs no thread of its own (each costs a small call about 0.1 ms). Returns false,
/// and runs nothing, when the monitor is not running: the caller then keeps its own clock.
pub fn tick_with(tick: Ticker) -> bool {
    if !STARTED.load(Ordering::SeqCst) {
        return false;
    }
    lock(&TICKERS).push(tick);
    true
}

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The table this thread works on, named in progress lines and in a timeout's `F_J` line.
pub fn set_table(table: Option<&str>) {
    let mut tables = lock(&TABLES);
    let map = tables.get_or_insert_with(HashMap::new);
    let id = std::thread::current().id();
    match table {
        Some(t) => map.insert(id, t.to_string()),
        None => map.remove(&id),
    };
}

/// Remembers a table whose transaction committed, for the message on a signal.
pub fn committed(table: &str) {
    lock(&COMMITTED).push(table.to_string());
}

/// A registered wait; it ends when dropped.
pub struct Waiting(());

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(map) = lock(&WAITS).as_mut() {
            map.remove(&std::thread::current().id());
        }
    }
}

#[derive(Clone, Copy)]
pub enum Kind {
    Connect,
    Statement,
}

static BOUNDS: Mutex<Option<Bounds>> = Mutex::new(None);

/// Registers that this thread now waits for `what`.
pub fn waiting(kind: Kind, what: &str) -> Waiting {
    let bounds = *lock(&BOUNDS);
    let bound = bounds.and_then(|b| match kind {
        Kind::Connect => Some(b.connect),
        Kind::Statement => b.statement,
    });
    let id = std::thread::current().id();
    let table = lock(&TABLES).as_ref().and_then(|m| m.get(&id).cloned());
    lock(&WAITS).get_or_insert_with(HashMap::new).insert(
        id,
        Wait {
            table,
            what: what.to_string(),
            since: Instant::now(),
            bound,
            reported: 0,
        },
    );
    Waiting(())
}

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: nothing else is safe inside a signal handler.
    SIGNALLED.store(signal, Ordering::SeqCst);
}

/// Starts the monitor thread (once per process) and installs the SIGTERM/SIGINT handler.
pub fn start(bounds: Bounds) {
    *lock(&BOUNDS) = Some(bounds);
    if STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGINT, handler);
    }
    std::thread::spawn(move || {
        for tick in 1u64.. {
            std::thread::sleep(TICK);
            lock(&TICKERS).retain_mut(|ticker| ticker());
            if tick % 10 != 0 {
                continue;
            }
            let signal = SIGNALLED.load(Ordering::SeqCst);
            if signal != 0 {
                end(&signalled_message(signal));
            }
            if let Some(message) = check_waits(bounds) {
                end(&message);
            }
        }
    });
}

fn describe(w: &Wait) -> String {
    match &w.table {
        Some(t) => format!("table {t}: {}", w.what),
        None => w.what.clone(),
    }
}

/// Prints progress for long waits; returns the message to end with when one outlasted its bound.
fn check_waits(bounds: Bounds) -> Option<String> {
    let mut waits = lock(&WAITS);
    let map = waits.as_mut()?;
    for w in map.values_mut() {
        let elapsed = w.since.elapsed();
        if let Some(bound) = w.bound
            && elapsed > bound
        {
            return Some(format!(
                "{} did not finish within {} s (the target does not answer, or a statement runs longer than --statement-timeout / --connect-timeout allow); the call was ended, and the target rolls back what it had not committed",
                describe(w),
                bound.as_secs()
            ));
        }
        let every = bounds.progress_every.as_secs().max(1);
        let marks = elapsed.as_secs() / every;
        if marks > w.reported {
            w.reported = marks;
            say!(
                "{}: still waiting after {} s",
                describe(w),
                elapsed.as_secs()
            );
        }
    }
    None
}

fn signalled_message(signal: i32) -> String {
    let name = if signal == libc::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    let waits = lock(&WAITS);
    let doing: Vec<String> = waits
        .as_ref()
        .map(|m| m.values().map(describe).collect())
        .unwrap_or_default();
    let committed = lock(&COMMITTED).join(", ");
    format!(
        "stopped by {name}{}; tables not yet committed are rolled back by the target and their files kept{}; a re-run applies what is left",
        if doing.is_empty() {
            String::new()
        } else {
            format!(" while {}", doing.join("; "))
        },
        if committed.is_empty() {
            String::new()
        } else {
            format!(" (committed before: {committed})")
        }
    )
}

fn end(message: &str) -> ! {
    say_err!("F_JX0D03: {message}");
    std::process::exit(1)
}
