//! The native connection's settings, resolved as libpq resolves them (psqlODBC is built on
//! libpq, so the native session reaches the server ODBC reaches): the keywords given, then
//! libpq's environment variables (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`,
//! `PGSSLMODE`, `PGSSLROOTCERT`, `PGPASSFILE`, `PGAPPNAME`, `PGCONNECT_TIMEOUT`), then the
//! password file, then libpq's defaults. Nothing here is ever printed: the password stays in
//! the `postgres::Config`, and errors name keywords, never values.

use std::path::PathBuf;
use std::time::Duration;

use super::libpq::{self, Keywords};
use super::pgpass;
use super::tls::{TlsMode, TlsSettings};
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum NativeConfigError {
    #[error("the native PostgreSQL setting {keyword} has a value it cannot take: {why}")]
    BadValue { keyword: String, why: String },
    #[error("the native PostgreSQL connection does not support the setting {0}")]
    Unsupported(String),
    #[error("the native PostgreSQL connection string is not readable: {0}")]
    Syntax(String),
    #[error(
        "the DSN {dsn} was not found in {searched} (where the native PostgreSQL connection looks, as unixODBC does); give --native-connect-string"
    )]
    DsnNotFound { dsn: String, searched: String },
    #[error("the TLS root certificate {path}: {why}")]
    RootCert { path: String, why: String },
}

/// Where and as whom the native connection connects, and how it secures the line.
#[derive(Clone)]
pub struct NativeConfig {
    pub(super) config: postgres::Config,
    pub(super) tls: TlsSettings,
}

impl std::fmt::Debug for NativeConfig {
    // The password must never reach a log line through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NativeConfig({:?}@{:?}, {:?})",
            self.config.get_user(),
            self.config.get_hosts(),
            self.tls.mode
        )
    }
}

/// Keywords libpq accepts that change nothing for this connection (the host sets the client
/// encoding itself, and GSSAPI/channel binding are only ever preferred, never required).
const HARMLESS: [&str; 8] = [
    "client_encoding",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "gssencmode",
    "channel_binding",
];

/// Libpq's environment variable for each keyword it fills.
const ENVIRONMENT: [(&str, &str); 10] = [
    ("host", "PGHOST"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("passfile", "PGPASSFILE"),
    ("application_name", "PGAPPNAME"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
];

impl NativeConfig {
    /// The settings for `keywords`, completed from the environment as libpq would.
    pub fn resolve(given: Keywords) -> Result<NativeConfig, NativeConfigError> {
        let mut keywords: Keywords = ENVIRONMENT
            .iter()
            .filter_map(|(k, var)| std::env::var(var).ok().map(|v| (k.to_string(), v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        keywords.extend(given);
        Self::build(&keywords)
    }

    fn build(keywords: &Keywords) -> Result<NativeConfig, NativeConfigError> {
        let get = |k: &str| libpq::get(keywords, k).filter(|v| !v.is_empty());
        for (keyword, _) in keywords {
            if !known(keyword) {
                return Err(NativeConfigError::Unsupported(keyword.clone()));
            }
        }
        let mut config = postgres::Config::new();
        let hosts = get("host").or(get("hostaddr")).unwrap_or(default_host());
        for host in hosts.split(',') {
            config.host(if host.is_empty() {
                default_host()
            } else {
                host
            });
        }
        for port in get("port").unwrap_or("5432").split(',') {
            let port = if port.is_empty() { "5432" } else { port.trim() };
            config.port(port.parse().map_err(|_| bad("port", "not a port number"))?);
        }
        let user = get("user").map(str::to_string).unwrap_or_else(os_user);
        config.user(&user);
        let dbname = get("dbname").unwrap_or(&user).to_string();
        config.dbname(&dbname);
        let password = match get("password") {
            Some(p) => Some(p.to_string()),
            None => pgpass::lookup(pgpass::Wanted {
                file: get("passfile").map(PathBuf::from),
                hosts,
                port: get("port").unwrap_or("5432"),
                dbname: &dbname,
                user: &user,
            }),
        };
        if let Some(password) = password {
            crate::secrets::register(&password);
            config.password(password);
        }
        if let Some(options) = get("options") {
            config.options(options);
        }
        config.application_name(get("application_name").unwrap_or("hvrwasmagent"));
        let timeout = match get("connect_timeout") {
            Some(t) => t
                .trim()
                .parse()
                .map_err(|_| bad("connect_timeout", "not whole seconds"))?,
            None => 30,
        };
        config.connect_timeout(Duration::from_secs(timeout.max(2)));
        // libpq ignores sslmode on a Unix socket: there is nothing to encrypt.
        let sslmode = match hosts.split(',').all(|h| h.starts_with('/')) {
            true => "disable",
            false => get("sslmode").unwrap_or("prefer"),
        };
        let tls = TlsSettings::new(sslmode, get("sslrootcert"))?;
        config.ssl_mode(match tls.mode {
            TlsMode::Disable => postgres::config::SslMode::Disable,
            TlsMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        Ok(NativeConfig { config, tls })
    }
}

fn known(keyword: &str) -> bool {
    let handled = [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "options",
        "application_name",
        "connect_timeout",
        "sslmode",
        "sslrootcert",
    ];
    handled.contains(&keyword) || HARMLESS.contains(&keyword)
}

pub(super) fn bad(keyword: &str, why: &str) -> NativeConfigError {
    NativeConfigError::BadValue {
        keyword: keyword.to_string(),
        why: why.to_string(),
    }
}

/// libpq's default: the Unix socket directory when the server runs here, else `localhost`.
fn default_host() -> &'static str {
    const SOCKET_DIR: &str = "/var/run/postgresql";
    if std::path::Path::new(SOCKET_DIR).is_dir() {
        SOCKET_DIR
    } else {
        "localhost"
    }
}

/// libpq's default user: the operating system's user name.
fn os_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "postgres".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<NativeConfig, NativeConfigError> {
        NativeConfig::build(&libpq::parse(text).unwrap())
    }

    #[test]
    fn keywords_become_the_native_settings() {
        let c = build(
            "host=db.local port=5433 dbname=sales user=loader password='p;w}d' sslmode=disable",
        )
        .unwrap();
        assert_eq!(
            c.config.get_hosts(),
            &[postgres::config::Host::Tcp("db.local".into())]
        );
        assert_eq!(c.config.get_ports(), &[5433]);
        assert_eq!(c.config.get_dbname(), Some("sales"));
        assert_eq!(c.config.get_user(), Some("loader"));
        assert_eq!(c.config.get_password(), Some(&b"p;w}d"[..]));
        assert_eq!(c.tls.mode, TlsMode::Disable);
    }

    #[test]
    fn the_database_defaults_to_the_user_as_in_libpq() {
        let c = build("host=h user=alice password=x").unwrap();
        assert_eq!(c.config.get_dbname(), Some("alice"));
        assert_eq!(c.tls.mode, TlsMode::Prefer);
    }

    #[test]
    fn unknown_or_unsupported_keywords_are_named() {
        let e = build("host=h sslcert=/client.pem").err().unwrap();
        assert_eq!(e, NativeConfigError::Unsupported("sslcert".into()));
        assert!(build("host=h keepalives=1 gssencmode=prefer").is_ok());
        let port = build("port=x password=hunter2").err().unwrap().to_string();
        assert!(port.contains("port") && !port.contains("hunter2"), "{port}");
    }

    #[test]
    fn the_password_is_never_shown() {
        let ok = build("user=a password=hunter2").unwrap();
        assert!(!format!("{ok:?}").contains("hunter2"));
    }
}
