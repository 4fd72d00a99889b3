//! The forms of `HVR_FILE_LOC` (see the HVR contract, §4.2), parsed into what a store client
//! needs. Parsing is by hand: an AWS secret may contain `/` and `+`, which a URL parser would
//! read as the start of the path.

use super::LocationError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreUrl {
    /// A plain path or `file://` URL.
    Local(String),
    Cloud(CloudUrl),
}

/// A directory in a cloud store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudUrl {
    pub store: CloudStore,
    /// The directory inside the bucket or container, without slashes at either end.
    pub prefix: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudStore {
    S3 {
        bucket: String,
        /// `s3s://` (TLS) rather than `s3://`; only matters with an endpoint override.
        tls: bool,
        /// `key-id:secret` embedded by HVR, when the location was set up with a key.
        key: Option<EmbeddedKey>,
    },
    Azure {
        account: String,
        container: String,
        /// `abfss://` (ADLS Gen2 endpoint) rather than `wasbs://`; both are read through the
        /// Blob API, which every ADLS Gen2 account also serves.
        dfs: bool,
    },
    Gcs {
        bucket: String,
    },
}

#[derive(Clone, PartialEq, Eq)]
pub struct EmbeddedKey {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for EmbeddedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbeddedKey(***)")
    }
}

impl EmbeddedKey {
    /// HVR writes `!{...}!` for values it encrypted with its own key; a plugin cannot decrypt
    /// them.
    pub fn is_encrypted(&self) -> bool {
        is_encrypted(&self.id) || is_encrypted(&self.secret)
    }
}

fn is_encrypted(value: &str) -> bool {
    value.starts_with("!{") && value.ends_with("}!")
}

impl StoreUrl {
    pub fn parse(location: &str) -> Result<StoreUrl, LocationError> {
        let Some((scheme, rest)) = location.split_once("://") else {
            return Ok(StoreUrl::Local(location.to_string()));
        };
        let bad = |why: &str| LocationError::BadUrl {
            location: crate::secrets::mask_credentials(location),
            why: why.to_string(),
        };
        match scheme.to_ascii_lowercase().as_str() {
            "file" => Ok(StoreUrl::Local(rest.to_string())),
            "s3" | "s3s" | "s3a" => {
                // The user part ends at the last '@' that is followed by a valid bucket name
                // (bucket names cannot hold '@', a secret can hold '/').
                let key_ends = |at: &usize| rest[..*at].contains(':');
                let mut ats = rest.match_indices('@').rev().map(|(at, _)| at);
                let split = ats
                    .clone()
                    .filter(key_ends)
                    .find(|&at| check_bucket(split_path(&rest[at + 1..]).0).is_ok())
                    // No valid bucket after any '@': still a key, so the bucket is reported.
                    .or_else(|| ats.find(key_ends));
                let (key, bucket_and_path) = match split {
                    Some(at) => {
                        let (id, secret) = rest[..at].split_once(':').expect("checked above");
                        let key = EmbeddedKey {
                            id: percent_decode(id),
                            secret: percent_decode(secret),
                        };
                        crate::secrets::register(&key.secret);
                        crate::secrets::register(secret);
                        (Some(key), &rest[at + 1..])
                    }
                    None => (None, rest),
                };
                let (bucket, prefix) = split_path(bucket_and_path);
                check_bucket(bucket).map_err(|why| bad(&why))?;
                Ok(cloud(
                    CloudStore::S3 {
                        bucket: bucket.to_string(),
                        tls: scheme != "s3",
                        key,
                    },
                    prefix,
                ))
            }
            "wasbs" | "wasb" | "abfss" | "abfs" => {
                let (authority, prefix) = split_path(rest);
                let (container, host) = authority
                    .split_once('@')
                    .ok_or_else(|| bad("expected CONTAINER@ACCOUNT.blob.core.windows.net"))?;
                let account = host
                    .split('.')
                    .next()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| bad("the host must start with the storage account name"))?;
                if container.is_empty() {
                    return Err(bad("the container name is empty"));
                }
                Ok(cloud(
                    CloudStore::Azure {
                        account: account.to_string(),
                        container: container.to_string(),
                        dfs: scheme.starts_with("abfs"),
                    },
                    prefix,
                ))
            }
            "gs" | "gcs" => {
                let (bucket, prefix) = split_path(rest);
                check_bucket(bucket).map_err(|why| bad(&why))?;
                Ok(cloud(
                    CloudStore::Gcs {
                        bucket: bucket.to_string(),
                    },
                    prefix,
                ))
            }
            other => Err(bad(&format!(
                "scheme {other}:// is not supported (supported: a local directory, s3://, s3s://, \
                 wasbs://, abfss://, gs://)"
            ))),
        }
    }
}

fn cloud(store: CloudStore, prefix: String) -> StoreUrl {
    StoreUrl::Cloud(CloudUrl { store, prefix })
}

/// `bucket/a/b/` → ("bucket", "a/b").
fn split_path(text: &str) -> (&str, String) {
    let (head, path) = text.split_once('/').unwrap_or((text, ""));
    let prefix = path
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    (head, prefix)
}

fn check_bucket(bucket: &str) -> Result<(), String> {
    if bucket.is_empty() {
        return Err("the bucket name is empty".into());
    }
    if let Some(c) = bucket
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._".contains(*c)))
    {
        return Err(format!("the bucket name holds {c:?}"));
    }
    Ok(())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_and_file_urls() {
        assert_eq!(
            StoreUrl::parse("/data/hvr").unwrap(),
            StoreUrl::Local("/data/hvr".into())
        );
        assert_eq!(
            StoreUrl::parse("file:///data/hvr").unwrap(),
            StoreUrl::Local("/data/hvr".into())
        );
    }

    #[test]
    fn s3_with_and_without_an_embedded_key() {
        assert_eq!(
            StoreUrl::parse("s3s://bucket/dir/sub/").unwrap(),
            cloud(
                CloudStore::S3 {
                    bucket: "bucket".into(),
                    tls: true,
                    key: None,
                },
                "dir/sub".into()
            )
        );
        let StoreUrl::Cloud(CloudUrl {
            store:
                CloudStore::S3 {
                    key: Some(key),
                    bucket,
                    tls,
                },
            prefix,
        }) = StoreUrl::parse("s3://AKIAX:wJal/rX+Ut%3D@my-bucket.1/d").unwrap()
        else {
            panic!("not s3 with a key")
        };
        assert_eq!(
            (key.id.as_str(), key.secret.as_str()),
            ("AKIAX", "wJal/rX+Ut=")
        );
        assert_eq!(
            (bucket.as_str(), prefix.as_str(), tls),
            ("my-bucket.1", "d", false)
        );
        assert!(!key.is_encrypted());
        let StoreUrl::Cloud(CloudUrl {
            store: CloudStore::S3 { key: Some(key), .. },
            ..
        }) = StoreUrl::parse("s3s://!{abc}!:!{def}!@b").unwrap()
        else {
            panic!("not s3 with a key")
        };
        assert!(key.is_encrypted());
    }

    #[test]
    fn azure_blob_and_adls() {
        assert_eq!(
            StoreUrl::parse("wasbs://cont@acct.blob.core.windows.net/a/b").unwrap(),
            cloud(
                CloudStore::Azure {
                    account: "acct".into(),
                    container: "cont".into(),
                    dfs: false,
                },
                "a/b".into()
            )
        );
        assert_eq!(
            StoreUrl::parse("abfss://cont@acct.dfs.core.windows.net").unwrap(),
            cloud(
                CloudStore::Azure {
                    account: "acct".into(),
                    container: "cont".into(),
                    dfs: true,
                },
                "".into()
            )
        );
    }

    #[test]
    fn gcs_and_unsupported_schemes() {
        assert_eq!(
            StoreUrl::parse("gs://b/x").unwrap(),
            cloud(CloudStore::Gcs { bucket: "b".into() }, "x".into())
        );
        let err = StoreUrl::parse("hdfs://user:!{pw}!@host:8020/p")
            .unwrap_err()
            .to_string();
        assert!(err.contains("hdfs:// is not supported"), "{err}");
        assert!(!err.contains("pw"), "{err}");
        let err = StoreUrl::parse("wasbs://acct.blob.core.windows.net/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("CONTAINER@ACCOUNT"), "{err}");
    }
}
