//! The native connection's settings, read from the psqlODBC connect string the user already
//! configures: `Server`/`Servername`, `Port`, `Database`, `Uid`/`Username`, `Pwd`/`Password`
//! and `SSLmode` (keys in any case; the driver's other keys do not concern the native
//! connection). Nothing here is ever printed: the password stays in the `postgres::Config`.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum NativeConfigError {
    #[error(
        "the connect string asks for SSLmode={0}, and the native PostgreSQL connection has no TLS; load over ODBC instead with --connector-option load=unnest"
    )]
    TlsRequired(String),
    #[error("the connect string's Port is not a port number")]
    BadPort,
}

/// Where and as whom the native connection connects.
#[derive(Clone)]
pub struct NativeConfig {
    pub(super) config: postgres::Config,
}

impl std::fmt::Debug for NativeConfig {
    // The password must never reach a log line through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NativeConfig({:?}@{:?})",
            self.config.get_user(),
            self.config.get_hosts()
        )
    }
}

impl NativeConfig {
    /// The settings of a psqlODBC connect string; `None` when it is not one (another
    /// driver, or no `Driver`/`Server` key naming PostgreSQL).
    pub fn from_odbc(connect_string: &str) -> Option<Result<NativeConfig, NativeConfigError>> {
        let pairs = pairs(connect_string);
        let get = |keys: &[&str]| {
            pairs
                .iter()
                .find(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
                .map(|(_, v)| v.as_str())
        };
        let driver = get(&["driver"]).unwrap_or("");
        if !driver.to_ascii_lowercase().contains("postgres") {
            return None;
        }
        Some(Self::build(&get))
    }

    fn build<'a>(
        get: &impl Fn(&[&str]) -> Option<&'a str>,
    ) -> Result<NativeConfig, NativeConfigError> {
        if let Some(mode) = get(&["sslmode"])
            && !matches!(
                mode.to_ascii_lowercase().as_str(),
                "" | "disable" | "allow" | "prefer"
            )
        {
            return Err(NativeConfigError::TlsRequired(mode.to_string()));
        }
        let mut config = postgres::Config::new();
        config.host(get(&["server", "servername"]).unwrap_or("localhost"));
        if let Some(port) = get(&["port"]) {
            config.port(
                port.trim()
                    .parse()
                    .map_err(|_| NativeConfigError::BadPort)?,
            );
        }
        if let Some(db) = get(&["database"]) {
            config.dbname(db);
        }
        if let Some(user) = get(&["uid", "username", "user"]) {
            config.user(user);
        }
        if let Some(password) = get(&["pwd", "password"]) {
            config.password(password);
        }
        config.application_name("hvrwasmagent");
        config.connect_timeout(std::time::Duration::from_secs(30));
        Ok(NativeConfig { config })
    }
}

/// `key=value;` pairs; a value in braces may hold `;` and `}}` stands for `}` (ODBC's rule).
fn pairs(connect_string: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = connect_string;
    while !rest.trim().is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = if let Some(braced) = after.strip_prefix('{') {
            let mut value = String::new();
            let mut chars = braced.char_indices().peekable();
            let mut end = braced.len();
            while let Some((i, c)) = chars.next() {
                if c == '}' {
                    if chars.peek().map(|(_, c)| *c) == Some('}') {
                        value.push('}');
                        chars.next();
                        continue;
                    }
                    end = i + 1;
                    break;
                }
                value.push(c);
            }
            let tail = &braced[end.min(braced.len())..];
            (value, tail.find(';').map_or("", |i| &tail[i + 1..]))
        } else {
            match after.find(';') {
                Some(i) => (after[..i].trim().to_string(), &after[i + 1..]),
                None => (after.trim().to_string(), ""),
            }
        };
        out.push((key, value));
        rest = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(s: &str) -> postgres::Config {
        NativeConfig::from_odbc(s)
            .expect("postgres")
            .expect("valid")
            .config
    }

    #[test]
    fn psqlodbc_keys_become_the_native_settings() {
        let c = config(
            "Driver={PostgreSQL Unicode};Server=db.local;Port=5433;Database=sales;Uid=loader;Pwd={p;w}}d};CommLog=0;",
        );
        assert_eq!(
            c.get_hosts(),
            &[postgres::config::Host::Tcp("db.local".into())]
        );
        assert_eq!(c.get_ports(), &[5433]);
        assert_eq!(c.get_dbname(), Some("sales"));
        assert_eq!(c.get_user(), Some("loader"));
        assert_eq!(c.get_password(), Some(&b"p;w}d"[..]));
    }

    #[test]
    fn other_drivers_have_no_native_connection() {
        assert!(NativeConfig::from_odbc("Driver={MariaDB Unicode};Server=x;").is_none());
        assert!(NativeConfig::from_odbc("Driver={SQLite3};Database=/tmp/x;").is_none());
    }

    #[test]
    fn tls_demands_are_refused_and_the_password_is_never_shown() {
        let e = NativeConfig::from_odbc("Driver={PostgreSQL Unicode};SSLmode=require;Pwd=hunter2;")
            .unwrap()
            .unwrap_err();
        assert_eq!(e, NativeConfigError::TlsRequired("require".into()));
        let ok = NativeConfig::from_odbc("Driver={PostgreSQL Unicode};Uid=a;Pwd=hunter2;")
            .unwrap()
            .unwrap();
        assert!(!format!("{ok:?}").contains("hunter2"));
    }
}
