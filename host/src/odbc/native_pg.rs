//! The native PostgreSQL connection beside ODBC, for plans that load with COPY
//! (`LoadShape::PostgresCopy`): psqlODBC has no COPY, and a COPY load through the native wire
//! protocol runs at the speed of `psql \copy` where `INSERT ... SELECT FROM unnest(...)` took
//! about twice as long (docs/benchmarks.md).
//!
//! A table whose plan loads with COPY runs its whole transaction here — `before`, the load,
//! `after` and the exactly-once fence — so nothing of it is split between two connections.
//! Reading the catalog and planning stay on ODBC. The connection is opened on first use, once
//! per lane, from what ODBC was given (the psqlODBC connect string's keys, its `pqopt`, or the
//! DSN's keys in `odbc.ini`) or from `--native-connect-string` (a libpq URI or keyword/value
//! string), completed as libpq completes it (`PG*` variables, `~/.pgpass`).
//!
//! Why rust-postgres and not libpq: it needs no C library at build or run time (the binary
//! stays one file), it reuses the tokio runtime already linked for cloud stores, it speaks the
//! password, MD5 and SCRAM-SHA-256 methods PostgreSQL servers use, and TLS comes from the
//! rustls stack already linked for cloud stores. It lacks GSSAPI/SSPI and client certificates:
//! settings asking for them are refused with a sentence that says how to load over ODBC.

mod config;
mod copy;
mod libpq;
mod odbc_source;
mod pgpass;
mod session;
mod tls;

pub use config::{NativeConfig, NativeConfigError};
pub use session::{Companion, NativePg};

/// The message of a native error: the server's own words (severity, message, SQLSTATE,
/// detail, hint) when the server sent them, else the client's.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!(
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            );
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            // Where the server was: for a COPY, the row (its `line`) and column it refused.
            if let Some(place) = db.where_() {
                text.push_str(&format!("; server context: {place}"));
            }
            text
        }
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

/// The SQLSTATE of a native error, when the server sent one.
pub fn sqlstate(e: &postgres::Error) -> Option<&str> {
    e.code().map(|c| c.code())
}

/// The row (from 1) of a COPY's input the server refused, from its context (`COPY t, line 3,
/// column n: "x"`); `None` for other errors, or when the server writes its context in another
/// language.
pub fn copy_row(e: &postgres::Error) -> Option<u64> {
    let place = e.as_db_error()?.where_()?;
    super::error::leading_row_number(place.strip_prefix("COPY ")?.split_once(", line ")?.1)
}
