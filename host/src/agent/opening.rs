//! The call's first connection, opened on a thread of its own while the connector loads.
//!
//! HVR starts the program once per call, so a small cycle's time is mostly start-up, and its
//! two largest parts do not depend on each other: loading the connector (the WebAssembly
//! engine, its cached compilation, an instance) and connecting (the driver manager loads the
//! driver, which opens its session). On two cores they overlap. Only the connect itself runs
//! on the thread: the settings that run SQL come after, on the caller's thread, so verbose
//! output keeps its order (the connector's line, then the statements).

use std::thread::JoinHandle;

use crate::odbc::{OdbcError, Session};
use crate::options::Options;

pub(super) struct Opening {
    connecting: Option<JoinHandle<Result<Session, OdbcError>>>,
}

impl Opening {
    /// Starts connecting. When no thread can be started, [`Opening::finish`] connects instead.
    pub(super) fn start(options: &Options) -> Opening {
        let (connect_string, dsn, verbose, native) = (
            options.connect_string.clone(),
            options.dsn.clone(),
            options.verbose,
            options.native_sqlite(),
        );
        let connecting = std::thread::Builder::new()
            .name("connect".into())
            .spawn(move || {
                Session::connect(connect_string.as_deref(), dsn.as_deref(), verbose, native)
            })
            .ok();
        Opening { connecting }
    }

    /// Waits for the connection and applies the call's settings to it. Not called when the
    /// connector failed to load: that error is the call's, at once, whatever the target does
    /// (the thread ends with the process; a half-made connection holds nothing).
    pub(super) fn finish(self, options: &Options) -> Result<Session, OdbcError> {
        let Some(thread) = self.connecting else {
            return connect(options);
        };
        let target = thread.join().unwrap_or_else(|panic| {
            Err(OdbcError::ConnectPanicked(crate::table::panic_message(
                &*panic,
            )))
        })?;
        configure(target, options)
    }
}

/// One connection with the call's settings, for the lanes after the first.
pub(super) fn connect(options: &Options) -> Result<Session, OdbcError> {
    let target = Session::connect(
        options.connect_string.as_deref(),
        options.dsn.as_deref(),
        options.verbose,
        options.native_sqlite(),
    )?;
    configure(target, options)
}

fn configure(mut target: Session, options: &Options) -> Result<Session, OdbcError> {
    if let Some(conninfo) = &options.native_connect_string {
        target.use_native_settings(conninfo);
    }
    target.set_lock_timeout(options.lock_timeout)?;
    target.require_exact_values()?;
    Ok(target)
}
