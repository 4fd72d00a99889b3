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
    mask_credentials(&out)
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
    fn registered_secrets_are_masked_in_any_text_and_encoding() {
        register("wJalrXUtnFEMI/K7MDENG");
        let text = "key wJalrXUtnFEMI/K7MDENG and wJalrXUtnFEMI%2FK7MDENG";
        assert_eq!(redact(text), "key *** and ***");
        register("ab");
        assert_eq!(redact("ab"), "ab");
    }
}
