//! The SDK's panic hook: a panic in a guest becomes one line on stderr,
//! `hvrwasm-panic: at FILE:LINE:COL: MESSAGE`, which the host puts in the `F_J` line as
//! "connector NAME panicked in CALL at FILE:LINE:COL: MESSAGE" instead of a wasm backtrace.
//! The export macros install it before the first call; nothing to do in a connector.

use std::io::Write as _;
use std::sync::Once;

#[doc(hidden)]
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_else(|| "an unknown place".into());
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            let _ = writeln!(
                std::io::stderr(),
                "hvrwasm-panic: at {location}: {}",
                message.replace('\n', "\\n")
            );
        }));
    });
}
