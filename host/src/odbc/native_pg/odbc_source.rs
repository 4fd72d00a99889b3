//! The native connection's settings taken from what the user gave ODBC: a psqlODBC connect
//! string, a DSN (looked up in `odbc.ini` as unixODBC does), or a connect string naming a DSN.
//! psqlODBC's keys become libpq keywords; its `pqopt={...}` key holds libpq keywords written
//! out, which psqlODBC hands to libpq after its own and so win over them.

use std::path::PathBuf;

use super::NativeConfigError;
use super::libpq::{self, Keywords};

/// psqlODBC's keys (any case) and the libpq keyword each one sets.
const KEY_MAP: [(&str, &str); 9] = [
    ("server", "host"),
    ("servername", "host"),
    ("port", "port"),
    ("database", "dbname"),
    ("uid", "user"),
    ("username", "user"),
    ("pwd", "password"),
    ("password", "password"),
    ("sslmode", "sslmode"),
];

/// libpq keywords for the target ODBC reaches; `None` when its driver is not psqlODBC.
pub fn keywords(
    connect_string: Option<&str>,
    dsn: Option<&str>,
) -> Option<Result<Keywords, NativeConfigError>> {
    let given = connect_string.map(pairs).unwrap_or_default();
    let dsn_name = connect_string
        .and_then(|_| value(&given, "dsn").map(str::to_string))
        .or_else(|| {
            connect_string
                .is_none()
                .then(|| dsn.map(str::to_string))
                .flatten()
        });
    // The DSN's keys first, then the connect string's: ODBC's rule is that the string wins.
    let mut all = match &dsn_name {
        Some(name) => match dsn_section(name) {
            Ok(section) => section,
            Err(e) => return is_postgres_driver(&given).then_some(Err(e)),
        },
        None => Vec::new(),
    };
    all.extend(given);
    if !is_postgres_driver(&all) {
        return None;
    }
    Some(to_libpq(&all))
}

fn to_libpq(pairs: &[(String, String)]) -> Result<Keywords, NativeConfigError> {
    // psqlODBC's own default, passed to libpq explicitly (so `PGSSLMODE` does not apply).
    let mut out = vec![("sslmode".to_string(), "disable".to_string())];
    for (key, val) in pairs {
        if let Some((_, keyword)) = KEY_MAP.iter().find(|(k, _)| key.eq_ignore_ascii_case(k))
            && !val.is_empty()
        {
            out.push((keyword.to_string(), val.clone()));
        }
    }
    if let Some(pqopt) = value(pairs, "pqopt") {
        out.extend(libpq::parse(pqopt)?);
    }
    Ok(out)
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// A driver named like PostgreSQL's (`PostgreSQL Unicode`) or given as psqlODBC's library.
fn is_postgres_driver(pairs: &[(String, String)]) -> bool {
    let driver = value(pairs, "driver").unwrap_or("").to_ascii_lowercase();
    driver.contains("postgres") || driver.contains("psqlodbc")
}

/// The keys of DSN `name`: the user's `odbc.ini` first (`$ODBCINI`, else `~/.odbc.ini`), then
/// the system's (`$ODBCSYSINI/odbc.ini`, else `/etc/odbc.ini`), the order unixODBC searches.
fn dsn_section(name: &str) -> Result<Vec<(String, String)>, NativeConfigError> {
    let files = odbc_ini_files();
    for file in &files {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Some(section) = ini_section(&text, name)
        {
            return Ok(section);
        }
    }
    Err(NativeConfigError::DsnNotFound {
        dsn: name.to_string(),
        searched: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn odbc_ini_files() -> Vec<PathBuf> {
    let user = std::env::var_os("ODBCINI")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".odbc.ini")));
    let system = std::env::var_os("ODBCSYSINI")
        .map(|d| PathBuf::from(d).join("odbc.ini"))
        .unwrap_or_else(|| PathBuf::from("/etc/odbc.ini"));
    user.into_iter().chain([system]).collect()
}

/// The `key = value` lines of `[name]` (section names compared without case, `;`/`#` lines
/// are comments), or `None` when there is no such section.
fn ini_section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut inside = None::<Vec<(String, String)>>;
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if inside.is_some() {
                break;
            }
            if header.trim().eq_ignore_ascii_case(name) {
                inside = Some(Vec::new());
            }
        } else if let Some(keys) = inside.as_mut()
            && !line.starts_with([';', '#'])
            && let Some((k, v)) = line.split_once('=')
        {
            keys.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    inside
}

/// `key=value;` pairs; a value in braces may hold `;` and `}}` stands for `}` (ODBC's rule).
pub fn pairs(connect_string: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = connect_string;
    while !rest.trim().is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = match after.strip_prefix('{') {
            Some(braced) => {
                let (value, end) = unbrace(braced);
                let tail = &braced[end..];
                (value, tail.find(';').map_or("", |i| &tail[i + 1..]))
            }
            None => match after.find(';') {
                Some(i) => (after[..i].trim().to_string(), &after[i + 1..]),
                None => (after.trim().to_string(), ""),
            },
        };
        out.push((key, value));
        rest = next;
    }
    out
}

/// The value up to the closing `}` (with `}}` for `}`), and where the text after it starts.
fn unbrace(braced: &str) -> (String, usize) {
    let mut value = String::new();
    let mut chars = braced.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '}' {
            if chars.peek().map(|(_, c)| *c) == Some('}') {
                value.push('}');
                chars.next();
                continue;
            }
            return (value, i + 1);
        }
        value.push(c);
    }
    (value, braced.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psqlodbc_keys_and_pqopt_become_libpq_keywords() {
        let k = keywords(
            Some("Driver={PostgreSQL Unicode};Servername=db;Port=5433;Database=s;Uid=u;Pwd={p;w}}d};pqopt={sslmode=verify-ca sslrootcert=/ca.pem};SSLmode=require"),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(libpq::get(&k, "host"), Some("db"));
        assert_eq!(libpq::get(&k, "password"), Some("p;w}d"));
        // pqopt is applied after psqlODBC's own keys.
        assert_eq!(libpq::get(&k, "sslmode"), Some("verify-ca"));
        assert_eq!(libpq::get(&k, "sslrootcert"), Some("/ca.pem"));
    }

    #[test]
    fn other_drivers_have_no_native_connection() {
        assert!(keywords(Some("Driver={MariaDB Unicode};Server=x;"), None).is_none());
        assert!(keywords(Some("Driver={SQLite3};Database=/tmp/x;"), None).is_none());
    }

    #[test]
    fn a_dsn_section_is_read_and_the_connect_string_wins() {
        let ini = "[other]\nDriver=MariaDB\n\n[Sales]\n; comment\nDriver = /usr/lib/odbc/psqlodbcw.so\nServername = db\nPort=5433\n[next]\nPort=1\n";
        let section = ini_section(ini, "sales").unwrap();
        let mut all = section;
        all.extend(pairs("DSN=Sales;Port=6000"));
        assert!(is_postgres_driver(&all));
        let k = to_libpq(&all).unwrap();
        assert_eq!(libpq::get(&k, "host"), Some("db"));
        assert_eq!(libpq::get(&k, "port"), Some("6000"));
        assert!(ini_section(ini, "missing").is_none());
    }
}
