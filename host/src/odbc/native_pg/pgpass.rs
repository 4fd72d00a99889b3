//! The password file libpq reads when no password is given (`passfile`, `PGPASSFILE`, else
//! `~/.pgpass`): lines `host:port:database:user:password`, `*` matching anything, `\:` and
//! `\\` standing for `:` and `\`. As in libpq, a file others may read is ignored, and a host
//! that is a Unix socket directory matches as `localhost`.

use std::path::PathBuf;

/// What the connection needs a password for.
pub struct Wanted<'a> {
    pub file: Option<PathBuf>,
    pub hosts: &'a str,
    pub port: &'a str,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password of the first matching line, if any.
pub fn lookup(wanted: Wanted<'_>) -> Option<String> {
    let file = wanted
        .file
        .clone()
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    if !private(&file) {
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    find(&text, &wanted)
}

#[cfg(unix)]
fn private(file: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o077 == 0)
}

#[cfg(not(unix))]
fn private(file: &std::path::Path) -> bool {
    file.is_file()
}

fn find(text: &str, wanted: &Wanted<'_>) -> Option<String> {
    let host = wanted.hosts.split(',').next().unwrap_or("");
    let host = if host.starts_with('/') || host.is_empty() {
        "localhost"
    } else {
        host
    };
    let port = wanted.port.split(',').next().filter(|p| !p.is_empty());
    let want = [host, port.unwrap_or("5432"), wanted.dbname, wanted.user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(fields)
        .filter(|f| f.len() == 5)
        .find(|f| (0..4).all(|i| f[i] == "*" || f[i] == want[i]))
        .map(|f| f[4].clone())
}

/// The line's fields split at unescaped `:`, with the escapes removed.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.last_mut().unwrap().extend(chars.next()),
            ':' if out.len() < 5 => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted<'a>(hosts: &'a str, dbname: &'a str) -> Wanted<'a> {
        Wanted {
            file: None,
            hosts,
            port: "5432",
            dbname,
            user: "loader",
        }
    }

    #[test]
    fn the_first_matching_line_gives_the_password() {
        let text =
            "# comment\nother:5432:*:loader:no\ndb:*:sales:loader:p\\:w\\\\d\n*:*:*:*:fallback\n";
        assert_eq!(
            find(text, &wanted("db", "sales")).as_deref(),
            Some("p:w\\d")
        );
        assert_eq!(find(text, &wanted("db", "hr")).as_deref(), Some("fallback"));
        assert_eq!(
            find(
                "localhost:5432:*:loader:s",
                &wanted("/var/run/postgresql", "x")
            )
            .as_deref(),
            Some("s")
        );
        assert_eq!(find("db:5433:*:*:s", &wanted("db", "x")), None);
    }

    #[test]
    fn a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let file = std::env::temp_dir().join(format!("hvrwasm-pgpass-{}", std::process::id()));
        std::fs::write(&file, "*:*:*:*:secret\n").unwrap();
        let with = |mode| {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            lookup(Wanted {
                file: Some(file.clone()),
                ..wanted("h", "d")
            })
        };
        assert_eq!(with(0o644), None);
        assert_eq!(with(0o600).as_deref(), Some("secret"));
        std::fs::remove_file(&file).unwrap();
    }
}
