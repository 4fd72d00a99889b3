//! libpq's own ways of writing connection settings, read as libpq reads them: a keyword/value
//! string (`host=db port=5433 sslmode='verify-full'`) or a URI
//! (`postgresql://user:secret@db:5433/sales?sslmode=require`). Both give the same list of
//! `(keyword, value)` pairs; a later pair overrides an earlier one, as in libpq.
//!
//! Errors name the keyword or the position, never a value: a value may be a password.

use super::NativeConfigError;

/// `(keyword, value)` pairs in the order written.
pub type Keywords = Vec<(String, String)>;

/// The value set last for `keyword`, if any.
pub fn get<'a>(keywords: &'a Keywords, keyword: &str) -> Option<&'a str> {
    keywords
        .iter()
        .rev()
        .find(|(k, _)| k == keyword)
        .map(|(_, v)| v.as_str())
}

/// Reads a libpq connection string: a URI when it starts with `postgres://` or
/// `postgresql://`, else keyword/value pairs.
pub fn parse(conninfo: &str) -> Result<Keywords, NativeConfigError> {
    let trimmed = conninfo.trim();
    for scheme in ["postgresql://", "postgres://"] {
        if let Some(rest) = trimmed.strip_prefix(scheme) {
            return parse_uri(rest);
        }
    }
    parse_pairs(trimmed)
}

fn syntax(at: usize, what: &str) -> NativeConfigError {
    NativeConfigError::Syntax(format!("{what} at character {}", at + 1))
}

/// `keyword = value` pairs separated by white space; a value may be single-quoted, and `\`
/// escapes the next character (libpq's rules).
fn parse_pairs(text: &str) -> Result<Keywords, NativeConfigError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Keywords::new();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        if i >= chars.len() {
            return Ok(out);
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let keyword: String = chars[start..i].iter().collect();
        skip_space(&mut i);
        if i >= chars.len() || chars[i] != '=' || keyword.is_empty() {
            return Err(syntax(start, "a keyword without \"=value\""));
        }
        i += 1;
        skip_space(&mut i);
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(syntax(i, "an unterminated quoted value")),
                    Some('\'') => break,
                    Some('\\') if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 1;
                    }
                    Some(c) => value.push(*c),
                }
                i += 1;
            }
            i += 1;
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
        }
        out.push((keyword.to_ascii_lowercase(), value));
    }
}

/// `[user[:password]@][host][:port][/dbname][?keyword=value&...]`, percent-decoded. A host in
/// brackets is an IPv6 address; several `host:port` separated by commas are kept as lists.
fn parse_uri(rest: &str) -> Result<Keywords, NativeConfigError> {
    let mut out = Keywords::new();
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = main.split_once('/').unwrap_or((main, ""));
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            if !user.is_empty() {
                out.push(("user".into(), decode(user)?));
            }
            if userinfo.contains(':') {
                out.push(("password".into(), decode(password)?));
            }
            hosts
        }
        None => authority,
    };
    let (mut host_list, mut port_list) = (Vec::new(), Vec::new());
    for spec in hosts.split(',').filter(|s| !s.is_empty()) {
        let (host, port) = split_host_port(spec)?;
        host_list.push(decode(host)?);
        port_list.push(port.to_string());
    }
    if host_list.iter().any(|h| !h.is_empty()) {
        out.push(("host".into(), host_list.join(",")));
    }
    if port_list.iter().any(|p| !p.is_empty()) {
        out.push(("port".into(), port_list.join(",")));
    }
    if !path.is_empty() {
        out.push(("dbname".into(), decode(path)?));
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(NativeConfigError::Syntax(
                "a URI parameter without \"=value\"".into(),
            ));
        };
        out.push((decode(k)?.to_ascii_lowercase(), decode(v)?));
    }
    Ok(out)
}

fn split_host_port(spec: &str) -> Result<(&str, &str), NativeConfigError> {
    if let Some(v6) = spec.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(NativeConfigError::Syntax(
                "an IPv6 host without its closing \"]\"".into(),
            ));
        };
        return Ok((host, after.strip_prefix(':').unwrap_or("")));
    }
    Ok(spec.split_once(':').unwrap_or((spec, "")))
}

fn decode(text: &str) -> Result<String, NativeConfigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).unwrap_or("");
            let byte = u8::from_str_radix(hex, 16).map_err(|_| {
                NativeConfigError::Syntax("a \"%\" not followed by two hex digits".into())
            })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| NativeConfigError::Syntax("percent-encoding that is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Keywords {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keyword_strings_follow_libpqs_quoting() {
        let k = parse(r"host=db  Port = 5433 password='it\'s a secret' sslrootcert=C:\\ca.pem")
            .unwrap();
        assert_eq!(
            k,
            pairs(&[
                ("host", "db"),
                ("port", "5433"),
                ("password", "it's a secret"),
                ("sslrootcert", r"C:\ca.pem"),
            ])
        );
        assert!(matches!(parse("host"), Err(NativeConfigError::Syntax(_))));
        let unterminated = parse("password='hunter2").unwrap_err().to_string();
        assert!(!unterminated.contains("hunter2"), "{unterminated}");
    }

    #[test]
    fn uris_give_the_same_keywords() {
        let k = parse(
            "postgresql://loader:p%40ss@db.local:5433/sales?sslmode=verify-full&application_name=x",
        )
        .unwrap();
        assert_eq!(get(&k, "user"), Some("loader"));
        assert_eq!(get(&k, "password"), Some("p@ss"));
        assert_eq!(get(&k, "host"), Some("db.local"));
        assert_eq!(get(&k, "port"), Some("5433"));
        assert_eq!(get(&k, "dbname"), Some("sales"));
        assert_eq!(get(&k, "sslmode"), Some("verify-full"));
        let v6 = parse("postgres://[::1]:5432,h2/d").unwrap();
        assert_eq!(get(&v6, "host"), Some("::1,h2"));
        assert_eq!(get(&v6, "port"), Some("5432,"));
        assert_eq!(parse("postgres://").unwrap(), Keywords::new());
        assert!(parse("postgres://h/d?%zz=1").is_err());
    }

    #[test]
    fn the_last_value_of_a_keyword_wins() {
        let k = parse("host=a host=b").unwrap();
        assert_eq!(get(&k, "host"), Some("b"));
    }
}
