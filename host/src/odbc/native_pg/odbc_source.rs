//! The native connection's settings taken from what the user gave ODBC: a psqlODBC connect
//! string, a DSN (looked up in `odbc.ini` as unixODBC does), or a connect string naming a DSN.
//! psqlODBC's keys become libpq keywords; its `pqopt={...}` key holds libpq keywords written
//! out, which psqlODBC hands to libpq after its own and so win over them.

use super::NativeConfigError;
use super::libpq::{self, Keywords};
#[cfg(test)]
use crate::odbc::odbc_ini::pairs;
use crate::odbc::odbc_ini::{self, value};

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
    let given = odbc_ini::given(connect_string, dsn);
    if let Some((dsn, searched)) = given.dsn_missing {
        let e = NativeConfigError::DsnNotFound { dsn, searched };
        return is_postgres_driver(&given.keys).then_some(Err(e));
    }
    let all = given.keys;
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

/// A driver named like PostgreSQL's (`PostgreSQL Unicode`) or given as psqlODBC's library.
fn is_postgres_driver(pairs: &[(String, String)]) -> bool {
    let driver = value(pairs, "driver").unwrap_or("").to_ascii_lowercase();
    driver.contains("postgres") || driver.contains("psqlodbc")
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
        let section = odbc_ini::ini_section(ini, "sales").unwrap();
        let mut all = section;
        all.extend(pairs("DSN=Sales;Port=6000"));
        assert!(is_postgres_driver(&all));
        let k = to_libpq(&all).unwrap();
        assert_eq!(libpq::get(&k, "host"), Some("db"));
        assert_eq!(libpq::get(&k, "port"), Some("6000"));
        assert!(odbc_ini::ini_section(ini, "missing").is_none());
    }
}
