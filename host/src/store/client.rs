//! Building an object_store client for a cloud location, with credentials found in a fixed
//! order of precedence:
//!
//! 1. a key embedded in `HVR_FILE_LOC` (S3 only: `s3s://KEY_ID:SECRET@bucket/dir`);
//! 2. `--store-config KEY=VALUE` (`HVR_WASM_STORE_CONFIG`), object_store's setting names;
//! 3. the provider's own environment variables (`AWS_*`, `AZURE_*`, `GOOGLE_*`);
//! 4. the provider's default chain (instance profile or ECS/EKS role, managed identity,
//!    GCE metadata).
//!
//! Credentials are taken as a whole from the highest layer that has any, so a key id from
//! one layer is never paired with a secret or session token from another. Other settings
//! (region, timeouts) from `--store-config` override those from the environment.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use super::LocationError;
use super::url::CloudStore;

/// Store settings from the options.
#[derive(Clone, Debug, Default)]
pub struct StoreSettings {
    /// `--store-endpoint`: an S3-compatible server, an Azure Blob endpoint or emulator, or a
    /// GCS base URL.
    pub endpoint: Option<String>,
    /// `--store-config` pairs, in the order given.
    pub config: Vec<(String, String)>,
    /// `--store-retries`: retries of one request after a network error or a 5xx answer.
    pub retries: usize,
}

/// A built client and how to name it in messages (never with a secret).
pub struct Client {
    pub store: Arc<dyn ObjectStore>,
    pub describe: String,
    /// Non-fatal remarks for the job log.
    pub warnings: Vec<String>,
}

/// What the layering needs to know of a provider: its name in messages, the prefix of its
/// environment variables, and which of its settings (object_store's canonical names) are
/// credentials.
struct Provider {
    name: &'static str,
    env_prefix: &'static str,
    credentials: &'static [&'static str],
}

const S3: Provider = Provider {
    name: "S3",
    env_prefix: "AWS_",
    credentials: &[
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
    ],
};
const AZURE: Provider = Provider {
    name: "Azure",
    env_prefix: "AZURE_",
    credentials: &[
        "azure_storage_account_key",
        "azure_storage_sas_key",
        "azure_storage_client_id",
        "azure_storage_client_secret",
        "azure_storage_tenant_id",
        "azure_storage_token",
    ],
};
const GCS: Provider = Provider {
    name: "GCS",
    env_prefix: "GOOGLE_",
    credentials: &[
        "google_service_account",
        "google_service_account_key",
        "google_application_credentials",
        "google_bearer_token",
    ],
};

pub fn build(store: &CloudStore, settings: &StoreSettings) -> Result<Client, LocationError> {
    let retry = RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: settings.retries,
        retry_timeout: Duration::from_secs(120),
    };
    // A file is read at the pace of the database load, so a limit on the whole request
    // would cut long files; a stalled connection is caught by the read timeout instead.
    let client_options = ClientOptions::new()
        .with_timeout_disabled()
        .with_read_timeout(Duration::from_secs(120))
        .with_connect_timeout(Duration::from_secs(10));
    let mut warnings = Vec::new();
    let at = |endpoint: Option<&str>| endpoint.map(|e| format!(" at {e}")).unwrap_or_default();
    match store {
        CloudStore::S3 { bucket, key, tls } => {
            let embedded = match key {
                Some(k) if k.is_encrypted() => {
                    warnings.push(
                        "W_JX0E00: the key in HVR_FILE_LOC is encrypted by HVR (!{...}!) and \
                         cannot be used; credentials come from --store-config, AWS_* variables \
                         or the instance's role instead"
                            .to_string(),
                    );
                    None
                }
                other => other.as_ref(),
            };
            let mut builder = AmazonS3Builder::new()
                .with_region("us-east-1")
                .with_client_options(client_options)
                .with_retry(retry);
            for (k, v) in layered::<AmazonS3ConfigKey>(&S3, &settings.config, embedded.is_some())? {
                builder = builder.with_config(k, v);
            }
            if let Some(key) = embedded {
                builder = builder
                    .with_access_key_id(&key.id)
                    .with_secret_access_key(&key.secret);
            }
            let endpoint = settings
                .endpoint
                .clone()
                .or_else(|| builder.get_config_value(&AmazonS3ConfigKey::Endpoint));
            if let Some(endpoint) = &endpoint {
                // S3-compatible servers and emulators name the bucket in the path.
                builder = builder
                    .with_endpoint(endpoint)
                    .with_virtual_hosted_style_request(false)
                    .with_allow_http(endpoint.starts_with("http://"));
            }
            if !tls && endpoint.is_none() {
                warnings.push(
                    "W_JX0E00: s3:// (without TLS) is read over HTTPS from AWS; give \
                     --store-endpoint to use another server"
                        .to_string(),
                );
            }
            let store = builder
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| build_error("S3", e))?;
            Ok(Client {
                store: Arc::new(store),
                describe: format!("S3 bucket '{bucket}'{}", at(endpoint.as_deref())),
                warnings,
            })
        }
        CloudStore::Azure {
            account, container, ..
        } => {
            let mut builder = MicrosoftAzureBuilder::new()
                .with_client_options(client_options)
                .with_retry(retry);
            for (k, v) in layered::<AzureConfigKey>(&AZURE, &settings.config, false)? {
                builder = builder.with_config(k, v);
            }
            let endpoint = settings
                .endpoint
                .clone()
                .or_else(|| builder.get_config_value(&AzureConfigKey::Endpoint));
            if let Some(endpoint) = &endpoint {
                builder = builder
                    .with_endpoint(endpoint.clone())
                    .with_allow_http(endpoint.starts_with("http://"));
            }
            let store = builder
                .with_account(account)
                .with_container_name(container)
                .build()
                .map_err(|e| build_error("Azure", e))?;
            Ok(Client {
                store: Arc::new(store),
                describe: format!(
                    "Azure container '{container}' of account '{account}'{}",
                    at(endpoint.as_deref())
                ),
                warnings,
            })
        }
        CloudStore::Gcs { bucket } => {
            // The GCS builder has no allow-http switch of its own (S3 and Azure set theirs
            // from the endpoint they end up with).
            let http = settings
                .endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://"));
            let mut builder = GoogleCloudStorageBuilder::new()
                .with_client_options(client_options.with_allow_http(http))
                .with_retry(retry);
            for (k, v) in layered::<GoogleConfigKey>(&GCS, &settings.config, false)? {
                builder = builder.with_config(k, v);
            }
            if let Some(endpoint) = &settings.endpoint {
                builder = builder.with_base_url(endpoint);
            }
            let store = builder
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| build_error("GCS", e))?;
            Ok(Client {
                store: Arc::new(store),
                describe: format!("GCS bucket '{bucket}'{}", at(settings.endpoint.as_deref())),
                warnings,
            })
        }
    }
}

fn build_error(store: &str, e: object_store::Error) -> LocationError {
    LocationError::Settings(format!(
        "cannot set up the {store} client: {}",
        crate::secrets::redact(&e.to_string())
    ))
}

/// The settings to apply, lowest precedence first: environment, then `--store-config`;
/// credentials only from the highest layer that has any, and none when HVR_FILE_LOC
/// carries them.
fn layered<K>(
    provider: &Provider,
    options: &[(String, String)],
    url_has_credentials: bool,
) -> Result<Vec<(K, String)>, LocationError>
where
    K: FromStr + AsRef<str>,
{
    layered_from(std::env::vars(), provider, options, url_has_credentials)
}

/// [`layered`] with the environment given, for tests.
fn layered_from<K>(
    environment: impl Iterator<Item = (String, String)>,
    provider: &Provider,
    options: &[(String, String)],
    url_has_credentials: bool,
) -> Result<Vec<(K, String)>, LocationError>
where
    K: FromStr + AsRef<str>,
{
    let parse_env = environment.filter_map(|(name, value)| {
        name.starts_with(provider.env_prefix)
            .then(|| name.to_ascii_lowercase().parse::<K>().ok())
            .flatten()
            .map(|k| (k, value))
    });
    let env: Vec<(K, String)> = parse_env.collect();
    let mut option_pairs = Vec::with_capacity(options.len());
    for (name, value) in options {
        let key = name.trim().to_ascii_lowercase().parse::<K>().map_err(|_| {
            LocationError::Settings(format!(
                "--store-config: {name:?} is not a setting of the {} store (see \
                 docs/cloud-locations.md for the names)",
                provider.name
            ))
        })?;
        option_pairs.push((key, value.clone()));
    }
    let is_credential = |k: &K| provider.credentials.contains(&k.as_ref());
    for (k, v) in env.iter().chain(&option_pairs) {
        if is_credential(k) {
            crate::secrets::register(v);
        }
    }
    let options_have_credentials = option_pairs.iter().any(|(k, _)| is_credential(k));
    let take_env_credentials = !url_has_credentials && !options_have_credentials;
    let take_option_credentials = !url_has_credentials;
    Ok(env
        .into_iter()
        .filter(|(k, _)| !is_credential(k) || take_env_credentials)
        .chain(
            option_pairs
                .into_iter()
                .filter(|(k, _)| !is_credential(k) || take_option_credentials),
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(
        env: &[(&str, &str)],
        options: &[(&str, &str)],
        url_has_credentials: bool,
    ) -> Vec<(String, String)> {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let options: Vec<(String, String)> = options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        layered_from::<AmazonS3ConfigKey>(env, &S3, &options, url_has_credentials)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v))
            .collect()
    }

    #[test]
    fn credentials_come_whole_from_the_highest_layer() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "env-id"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "env-token"),
            ("AWS_REGION", "eu-west-1"),
            ("HOME", "/root"),
        ];
        // The URL has a key: no credential from below, other settings still apply.
        assert_eq!(
            names(&env, &[], true),
            [("aws_region".to_string(), "eu-west-1".to_string())]
        );
        // Options have a key: the environment's token must not be paired with it.
        let got = names(
            &env,
            &[
                ("aws_access_key_id", "opt-id"),
                ("aws_secret_access_key", "opt-secret"),
                ("region", "us-west-2"),
            ],
            false,
        );
        assert_eq!(
            got,
            [
                ("aws_region".to_string(), "eu-west-1".to_string()),
                ("aws_access_key_id".to_string(), "opt-id".to_string()),
                (
                    "aws_secret_access_key".to_string(),
                    "opt-secret".to_string()
                ),
                ("aws_region".to_string(), "us-west-2".to_string()),
            ]
        );
        // Nothing above: the environment's credentials are used.
        assert_eq!(names(&env, &[], false).len(), 4);
    }

    #[test]
    fn unknown_option_names_are_refused_by_name() {
        let err = layered_from::<AmazonS3ConfigKey>(
            std::iter::empty(),
            &S3,
            &[("aws_secret_acces_key".into(), "x".into())],
            false,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("\"aws_secret_acces_key\" is not a setting of the S3 store"),
            "{err}"
        );
    }
}
