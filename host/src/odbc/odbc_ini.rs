//! What the user gave ODBC, read as unixODBC reads it: a connect string's `key=value;` pairs,
//! a DSN's section of `odbc.ini`, a driver's section of `odbcinst.ini`. The native sessions
//! (PostgreSQL for COPY, SQLite) take their settings from here, so that they reach what the
//! driver would have reached. Nothing here is printed: values may hold passwords.

use std::path::PathBuf;

/// The keys ODBC is given for a connection, and a DSN that could not be found.
pub struct Given {
    /// The DSN's section first, then the connect string's keys, which win (ODBC's rule).
    pub keys: Vec<(String, String)>,
    /// The DSN named and the files searched, when its section was not found (`keys` then
    /// holds the connect string's alone).
    pub dsn_missing: Option<(String, String)>,
}

/// What ODBC is given: the connect string, the DSN it names (its `DSN` key), or `dsn` when
/// there is no connect string.
pub fn given(connect_string: Option<&str>, dsn: Option<&str>) -> Given {
    let own = connect_string.map(pairs).unwrap_or_default();
    let dsn_name = match connect_string {
        Some(_) => value(&own, "dsn").map(str::to_string),
        None => dsn.map(str::to_string),
    };
    let Some(name) = dsn_name else {
        return Given {
            keys: own,
            dsn_missing: None,
        };
    };
    match dsn_section(&name) {
        Ok(mut keys) => {
            keys.extend(own);
            Given {
                keys,
                dsn_missing: None,
            }
        }
        Err(searched) => Given {
            keys: own,
            dsn_missing: Some((name, searched)),
        },
    }
}

/// The library of the driver named `name` in `odbcinst.ini` (`$ODBCSYSINI/odbcinst.ini`, else
/// `/etc/odbcinst.ini`, as unixODBC reads it), or `name` itself when it is a library path.
pub fn driver_library(name: &str) -> Option<String> {
    if name.contains('/') || name.ends_with(".so") {
        return Some(name.to_string());
    }
    let file = std::env::var_os("ODBCSYSINI")
        .map(|d| {
            let file = std::env::var_os("ODBCINSTINI").unwrap_or_else(|| "odbcinst.ini".into());
            PathBuf::from(d).join(file)
        })
        .unwrap_or_else(|| PathBuf::from("/etc/odbcinst.ini"));
    let text = std::fs::read_to_string(file).ok()?;
    let section = ini_section(&text, name)?;
    value(&section, "driver").map(str::to_string)
}

/// The last value of `key` (any case): in a connect string, the last one wins.
pub fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// The keys of DSN `name`: the user's `odbc.ini` first (`$ODBCINI`, else `~/.odbc.ini`), then
/// the system's (`$ODBCSYSINI/odbc.ini`, else `/etc/odbc.ini`), the order unixODBC searches.
/// On failure, the files searched, for the error.
pub fn dsn_section(name: &str) -> Result<Vec<(String, String)>, String> {
    let files = odbc_ini_files();
    for file in &files {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Some(section) = ini_section(&text, name)
        {
            return Ok(section);
        }
    }
    Err(files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", "))
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
pub fn ini_section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
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
