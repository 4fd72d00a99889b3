//! Keeping secrets out of output. Every secret the host learns (a key in `HVR_FILE_LOC`, a
//! credential given through `--store-config`) is registered here, and every line the binary
//! prints passes through [`redact`]. Error messages of libraries (object_store, ODBC drivers)
//! are not under our control, so masking at the edge is the only place that catches them all.

use std::sync::{Mutex, MutexGuard};

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter values would mask ordinary words; no real credential is this short.
const MIN_SECRET_LEN: usize = 4;

fn secrets() -> MutexGuard<'static, Vec<String>> {
    SECRETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Remembers `secret` (and its percent-encoded form, as it appears in URLs) for [`redact`].
pub fn register(secret: &str) {
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut list = secrets();
    for form in [secret.to_string(), percent_encode(secret)] {
        if !list.contains(&form) {
            list.push(form);
        }
    }
    // Longest first, so a secret containing another is masked whole.
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret, every HVR-encrypted `!{...}!` value and every
/// `user:password@` of a URL replaced by `***`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for secret in secrets().iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "***");
        }
    }
    mask_assignments(&mask_credentials(&out))
}

/// Names whose value is a secret wherever `NAME=value` appears (ODBC connection strings,
/// object_store settings, SAS tokens), compared without case, `_` and `-`; a name also matches
/// when it ends in one of these longer than three letters (`aws_secret_access_key`,
/// `azure_storage_account_key`, `aws_session_token`).
const SECRET_NAMES: [&str; 12] = [
    "apikey",
    "privatekey",
    "pwd",
    "password",
    "passwd",
    "secret",
    "token",
    "sig",
    "key",
    "accesskey",
    "accountkey",
    "saskey",
];

/// Masks the value of every `NAME=value` whose name is or ends in a secret name (`Pwd=...;`,
/// `aws_secret_access_key=...`, `azure_storage_account_key=...`, `sig=...&`), so that text the
/// host never registered — a user argument it could not parse — cannot leak one either.
pub fn mask_assignments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let (before, after) = rest.split_at(eq);
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        let name: String = before[name_start..]
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        out.push_str(before);
        out.push('=');
        let value = &after[1..];
        let secret = !name.is_empty()
            && SECRET_NAMES
                .iter()
                .any(|s| name == *s || (s.len() > 3 && name.ends_with(s)));
        if secret {
            // A braced ODBC value `{...}` may hold `;`.
            let end = if value.starts_with('{') {
                value.find('}').map_or(value.len(), |i| i + 1)
            } else {
                value
                    .find(|c: char| {
                        c == ';' || c == '&' || c == '"' || c == '\'' || c.is_whitespace()
                    })
                    .unwrap_or(value.len())
            };
            if end > 0 {
                out.push_str("***");
            }
            rest = &value[end..];
        } else {
            rest = value;
        }
    }
    out.push_str(rest);
    out
}

/// `scheme://user:secret@host/...` (the part before `@` when it holds a `:`) and HVR's `!{encrypted}!` values, safe to print.
pub fn mask_credentials(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(a) = out.find("!{") {
        let Some(len) = out[a..].find("}!") else {
            break;
        };
        out.replace_range(a..a + len + 2, "***");
    }
    let mut searched = 0;
    while let Some(found) = out[searched..].find("://") {
        let start = searched + found + 3;
        let rest = &out[start..];
        let authority_end = rest
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(rest.len());
        // A secret may itself contain '/', so the user part ends at the last '@' before
        // the next whitespace when one follows.
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let at = rest[..word_end]
            .rfind('@')
            .filter(|&at| at > authority_end || rest[..authority_end].contains('@'));
        match at {
            // Only `user:password@` is secret; `container@account` (Azure) is not.
            Some(at) if rest[..at].contains(':') => {
                out.replace_range(start..start + at, "***");
                searched = start + 4;
            }
            _ => searched = start,
        }
    }
    out
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_parts_of_urls_are_masked() {
        assert_eq!(
            mask_credentials("s3s://AKIA:secret@bucket/dir"),
            "s3s://***@bucket/dir"
        );
        assert_eq!(
            mask_credentials("hdfs://user:!{abc}!@host/p"),
            "hdfs://***@host/p"
        );
        assert_eq!(
            mask_credentials("location s3s://AKIA:se/cr+et@bucket/dir failed"),
            "location s3s://***@bucket/dir failed"
        );
        assert_eq!(
            mask_credentials("wasbs://c@acct.blob.core.windows.net/d"),
            "wasbs://c@acct.blob.core.windows.net/d"
        );
        assert_eq!(mask_credentials("s3s://bucket/dir"), "s3s://bucket/dir");
    }

    #[test]
    fn secret_assignments_are_masked_wherever_they_appear() {
        assert_eq!(
            mask_assignments("Driver={PostgreSQL Unicode};Uid=u;Pwd=s3cr;et;Port=1"),
            "Driver={PostgreSQL Unicode};Uid=u;Pwd=***;et;Port=1"
        );
        assert_eq!(mask_assignments("PWD={a;b}c"), "PWD=***c");
        assert_eq!(
            mask_assignments("--store-config aws_secret_access_key=abc/def+g other=1"),
            "--store-config aws_secret_access_key=*** other=1"
        );
        assert_eq!(
            mask_assignments("sv=2020&sig=AbC%2B&se=x"),
            "sv=2020&sig=***&se=x"
        );
        assert_eq!(mask_assignments("Password = x"), "Password = x");
        assert_eq!(mask_assignments("rows=5 monkey=3"), "rows=5 monkey=3");
        assert_eq!(mask_assignments("api_key=abc;x=1"), "api_key=***;x=1");
        assert_eq!(mask_assignments("client_secret=abc"), "client_secret=***");
        assert_eq!(
            mask_assignments("Server=db;Port=5432"),
            "Server=db;Port=5432"
        );
    }

    #[test]
    fn registered_secrets_are_masked_in_any_text_and_encoding() {
        register("wJalrXUtnFEMI/K7MDENG");
        let text = "key wJalrXUtnFEMI/K7MDENG and wJalrXUtnFEMI%2FK7MDENG";
        assert_eq!(redact(text), "key *** and ***");
        register("ab");
        assert_eq!(redact("ab"), "ab");
    }
}
