//! Real cloud-store servers on loopback: moto for S3 and Azurite for Azure Blob, started once
//! per test process from `.tools/` (installed by `scripts/setup.sh --servers`), and a client
//! the tests use to put HVR's files and to look at what is left.
//!
//! Each server runs under a small `sh` guard that reads its stdin, which is a pipe held by
//! this process: when the test process ends, the pipe closes and the guard stops the server.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};

/// Secrets the suite hands to the binary. No output of any run may contain one (checked in
/// `Run::from` for every call of the suite).
pub const S3_KEY_ID: &str = "AKIAHVRWASME2E";
pub const S3_SECRET: &str = "hvrE2e/S3cret+Key=Value";
/// Azurite's well-known development key: public, but still a key, so still never printed.
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";

pub const BUCKET: &str = "hvr-e2e";
pub const CONTAINER: &str = "hvr-e2e";

/// Secrets made while the suite runs (SAS signatures), checked like the constant ones.
static MINTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The first secret found in `text`, in any form it could be printed in.
pub fn find_secret(text: &str) -> Option<String> {
    const FORMS: [&str; 4] = [
        S3_SECRET,
        "hvrE2e%2FS3cret%2BKey%3DValue",
        AZURITE_KEY,
        "tOtr/KBHBeksoGMGw",
    ];
    let minted = MINTED.lock().unwrap();
    FORMS
        .iter()
        .map(|s| s.to_string())
        .chain(minted.iter().cloned())
        .find(|s| text.contains(s.as_str()))
}

/// A SAS token for the test container with only these permissions (letters as Azure names
/// them: r read, d delete, l list, ...). Its signature is registered as a secret.
pub fn azure_container_sas(permissions: &str) -> String {
    let script = format!(
        "import datetime\n\
         from azure.storage.blob import generate_container_sas, ContainerSasPermissions\n\
         print(generate_container_sas('{AZURITE_ACCOUNT}', '{CONTAINER}', account_key='{AZURITE_KEY}', \
         permission=ContainerSasPermissions.from_string('{permissions}'), \
         expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)))"
    );
    let out = Command::new(tools().join("venv/bin/python"))
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "making a SAS token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sas = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let signature = sas
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .expect("a SAS token has a signature")
        .to_string();
    let mut minted = MINTED.lock().unwrap();
    minted.push(signature.clone());
    // The signature is URL-encoded in the token; its decoded form is a secret as well.
    minted.push(
        signature
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "="),
    );
    sas
}

pub(super) fn tools() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools");
    assert!(
        dir.join("venv/bin/moto_server").is_file()
            && dir.join("node_modules/.bin/azurite-blob").is_file(),
        "the S3 and Azure emulators are required for this test and are not installed in {}; \
         run scripts/setup.sh --servers",
        dir.display()
    );
    dir
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process that lives as long as this test process.
pub(super) struct Server {
    pub endpoint: String,
    _guard: Mutex<(Child, ChildStdin)>,
}

pub(super) fn start(what: &str, program: PathBuf, args: &[String], port: u16) -> Server {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$@" >/dev/null 2>&1 & pid=$!; read -r _; kill "$pid""#)
        .arg("guard")
        .arg(&program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what} ({}): {e}", program.display()));
    let guard = child.stdin.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on 127.0.0.1:{port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        _guard: Mutex::new((child, guard)),
    }
}

fn moto() -> &'static Server {
    static MOTO: OnceLock<Server> = OnceLock::new();
    MOTO.get_or_init(|| start_moto(None))
}

/// A second moto that checks keys: after its first request (the bucket's creation) every
/// request must be signed with a key of its IAM, which has none, so every key is wrong.
pub fn moto_checking_keys() -> String {
    static MOTO: OnceLock<Server> = OnceLock::new();
    MOTO.get_or_init(|| start_moto(Some(1))).endpoint.clone()
}

fn start_moto(unchecked_requests: Option<u32>) -> Server {
    let port = free_port();
    let mut args = vec![
        "-H".to_string(),
        "127.0.0.1".into(),
        "-p".into(),
        port.to_string(),
    ];
    let program = tools().join("venv/bin/moto_server");
    let server = match unchecked_requests {
        None => start("moto (S3)", program, &args, port),
        Some(n) => {
            // `env` passes moto's switch for IAM checks to the server process only.
            args.insert(0, program.to_string_lossy().into_owned());
            args.insert(0, format!("INITIAL_NO_AUTH_ACTION_COUNT={n}"));
            start("moto (S3, keys checked)", "env".into(), &args, port)
        }
    };
    // object_store cannot create buckets; moto accepts an unsigned PUT.
    let status = http_put(port, &format!("/{BUCKET}"));
    assert!(status.contains(" 200 "), "creating the bucket: {status}");
    server
}

fn azurite() -> &'static Server {
    static AZURITE: OnceLock<Server> = OnceLock::new();
    AZURITE.get_or_init(|| {
        let port = free_port();
        let server = start(
            "Azurite (Azure Blob)",
            tools().join("node_modules/.bin/azurite-blob"),
            &[
                "--blobHost".into(),
                "127.0.0.1".into(),
                "--blobPort".into(),
                port.to_string(),
                "--inMemoryPersistence".into(),
                // The Python SDK that creates the container speaks a newer API version.
                "--skipApiVersionCheck".into(),
            ],
            port,
        );
        // Azurite refuses anonymous container creation and object_store cannot sign one.
        let script = format!(
            "from azure.storage.blob import BlobServiceClient\n\
             BlobServiceClient.from_connection_string('DefaultEndpointsProtocol=http;\
             AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};\
             BlobEndpoint={endpoint}/{AZURITE_ACCOUNT};').create_container('{CONTAINER}')",
            endpoint = server.endpoint
        );
        let out = Command::new(tools().join("venv/bin/python"))
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "creating the container: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        server
    })
}

fn http_put(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or("").to_string()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// One test's directory in a store, as HVR_FILE_LOC names it.
#[derive(Clone)]
pub struct StoreLocation {
    /// The `HVR_FILE_LOC` value.
    pub url: String,
    /// Environment actions that point the binary at the emulator (`HVR_WASM_*`).
    pub env: Vec<(String, String)>,
    pub endpoint: String,
    store: Arc<dyn ObjectStore>,
    prefix: String,
    /// fake-gcs-server takes uploads through the JSON API only.
    gcs_uploads: Option<String>,
}

impl StoreLocation {
    /// `s3s://KEY_ID:SECRET@hvr-e2e/<test>`, the form HVR writes for a location with a key.
    pub fn s3(test: &str) -> StoreLocation {
        let server = moto();
        let store = AmazonS3Builder::new()
            .with_endpoint(&server.endpoint)
            .with_allow_http(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id(S3_KEY_ID)
            .with_secret_access_key(S3_SECRET)
            .with_virtual_hosted_style_request(false)
            .build()
            .unwrap();
        let location = StoreLocation {
            url: format!("s3s://{S3_KEY_ID}:{S3_SECRET}@{BUCKET}/{test}"),
            env: vec![("HVR_WASM_STORE_ENDPOINT".into(), server.endpoint.clone())],
            endpoint: server.endpoint.clone(),
            store: Arc::new(store),
            prefix: test.to_string(),
            gcs_uploads: None,
        };
        location.clear();
        location
    }

    /// `wasbs://hvr-e2e@devstoreaccount1.blob.core.windows.net/<test>`, the key given as an
    /// Environment action (`HVR_WASM_STORE_CONFIG`).
    pub fn azure(test: &str) -> StoreLocation {
        let server = azurite();
        let account_endpoint = format!("{}/{AZURITE_ACCOUNT}", server.endpoint);
        let store = MicrosoftAzureBuilder::new()
            .with_account(AZURITE_ACCOUNT)
            .with_access_key(AZURITE_KEY)
            .with_endpoint(account_endpoint.clone())
            .with_allow_http(true)
            .with_container_name(CONTAINER)
            .build()
            .unwrap();
        let location = StoreLocation {
            url: format!("wasbs://{CONTAINER}@{AZURITE_ACCOUNT}.blob.core.windows.net/{test}"),
            env: vec![
                ("HVR_WASM_STORE_ENDPOINT".into(), account_endpoint.clone()),
                (
                    "HVR_WASM_STORE_CONFIG".into(),
                    format!("azure_storage_account_key={AZURITE_KEY}"),
                ),
            ],
            endpoint: account_endpoint,
            store: Arc::new(store),
            prefix: test.to_string(),
            gcs_uploads: None,
        };
        location.clear();
        location
    }

    /// `gs://hvr-e2e/<test>` on fake-gcs-server, configured as a user would: the endpoint,
    /// plain HTTP, and a service-account file (`HVR_WASM_STORE_CONFIG`).
    pub fn gcs(test: &str) -> StoreLocation {
        let gcs = super::gcs::fake_gcs();
        let account = gcs.service_account.display().to_string();
        let store = GoogleCloudStorageBuilder::new()
            .with_bucket_name(BUCKET)
            .with_service_account_path(&account)
            .with_client_options(object_store::ClientOptions::new().with_allow_http(true))
            .build()
            .unwrap();
        let location = StoreLocation {
            url: format!("gs://{BUCKET}/{test}"),
            env: vec![
                (
                    "HVR_WASM_STORE_ENDPOINT".into(),
                    gcs.server.endpoint.clone(),
                ),
                (
                    "HVR_WASM_STORE_CONFIG".into(),
                    format!("allow_http=true;google_service_account={account}"),
                ),
            ],
            endpoint: gcs.server.endpoint.clone(),
            store: Arc::new(store),
            prefix: test.to_string(),
            gcs_uploads: Some(gcs.server.endpoint.clone()),
        };
        location.clear();
        location
    }

    fn path(&self, name: &str) -> Path {
        Path::from(format!("{}/{name}", self.prefix))
    }

    pub fn put(&self, name: &str, bytes: &[u8]) {
        if let Some(endpoint) = &self.gcs_uploads {
            let object = format!("{}/{name}", self.prefix);
            return super::gcs::upload(endpoint, &object, bytes);
        }
        let payload = PutPayload::from(bytes.to_vec());
        runtime()
            .block_on(self.store.put(&self.path(name), payload))
            .unwrap_or_else(|e| panic!("putting {name}: {e}"));
    }

    /// Every object below the test's directory, relative to it, sorted.
    pub fn names(&self) -> Vec<String> {
        let prefix = Path::from(self.prefix.as_str());
        let metas: Vec<_> = runtime()
            .block_on(self.store.list(Some(&prefix)).try_collect())
            .unwrap();
        let mut names: Vec<String> = metas
            .into_iter()
            .map(|m| m.location.as_ref()[self.prefix.len() + 1..].to_string())
            .collect();
        names.sort();
        names
    }

    /// Empties the test's directory (a re-run of the suite reuses the bucket).
    fn clear(&self) {
        for name in self.names() {
            runtime()
                .block_on(self.store.delete(&self.path(&name)))
                .unwrap();
        }
    }
}

#[test]
fn the_secret_check_finds_every_printed_form() {
    assert_eq!(
        find_secret("x hvrE2e/S3cret+Key=Value y").as_deref(),
        Some(S3_SECRET)
    );
    assert!(find_secret("s3s://***@hvr-e2e/t").is_none());
    assert!(find_secret(&format!("key={AZURITE_KEY}")).is_some());
}
