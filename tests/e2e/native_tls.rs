//! TLS on the native PostgreSQL session, against the test server's own certificate (Debian's
//! self-signed "snakeoil" one, for the machine's host name, not 127.0.0.1). Each `sslmode` does
//! what libpq's does: `require` encrypts (and `check` says so), `verify-ca` takes the
//! certificate when it chains to the given root and refuses it when it does not, `verify-full`
//! also refuses a certificate that does not name the host. A refused connection loses nothing:
//! the files stay for the next call.

use crate::support::hvr::Run;
use crate::support::target::Db;
use crate::support::typed::Channel;

/// A channel whose connect string ends in `extra` (psqlODBC keys, e.g. `pqopt={...}`).
fn channel(test: &str, extra: &str) -> Channel {
    let mut ch = Channel::new(Db::Postgres, test, "");
    ch.edit_env("HVR_WASM_CONNECT_STRING", |cs| cs.push_str(extra));
    ch
}

fn refresh(ch: &Channel) -> Run {
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n2,\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 2)],
    )
}

/// The server's certificate file, as the server names it; the server must have TLS on
/// (scripts/setup.sh --servers turns it on with the snakeoil certificate when it is off).
fn server_certificate(ch: &Channel) -> String {
    let setting = |name: &str| {
        ch.target.query(&format!("SHOW {name}"))[0][0]
            .clone()
            .unwrap()
    };
    assert_eq!(
        setting("ssl"),
        "on",
        "the PostgreSQL server has TLS off; run scripts/setup.sh --servers"
    );
    setting("ssl_cert_file")
}

#[test]
fn sslmode_require_encrypts_the_copy_session() {
    let ch = channel("tls_require", "SSLmode=require;");
    refresh(&ch).assert_ok();
    assert_eq!(
        ch.rows(&["id", "a"]),
        vec![
            vec![Some("1".into()), Some("x".into())],
            vec![Some("2".into()), None]
        ]
    );
    let check = ch.tool(&["check", "chn", "trg", ""], "id,a", "id", &[]);
    check.assert_ok();
    assert!(
        check
            .stdout
            .contains("PostgreSQL session for COPY loads: connected (TLS)"),
        "{}",
        check.stdout
    );
}

/// A channel whose ODBC connection is plain and whose native session has these libpq settings
/// (so what is refused is the native session's doing, not the driver's).
fn native_only(test: &str, settings: &str) -> Channel {
    let mut ch = Channel::new(Db::Postgres, test, "");
    let conninfo =
        format!("host=127.0.0.1 port=5432 user=postgres dbname=hvr_e2e_{test} {settings}");
    ch.hvr
        .env
        .push(("HVR_WASM_NATIVE_CONNECT_STRING".into(), conninfo));
    ch
}

/// A self-signed certificate that is not the server's, as a root that must not be trusted.
fn another_root() -> String {
    let keys = crate::support::hvr::scratch("tls_other_root");
    let other = keys.join("other-root.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=not-the-server", "-keyout"])
        .arg(keys.join("other.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .expect("run openssl");
    assert!(made.status.success(), "{made:?}");
    other.display().to_string()
}

#[test]
fn verify_ca_takes_the_servers_root_and_refuses_another() {
    let probe = channel("tls_verify_ca", "");
    let cert = server_certificate(&probe);
    // As psqlODBC users write it: the mode among its keys, the root in pqopt.
    let ch = channel(
        "tls_verify_ca",
        &format!("SSLmode=verify-ca;pqopt={{sslrootcert={cert}}};"),
    );
    refresh(&ch).assert_ok();

    let refused = native_only(
        "tls_verify_ca_other",
        &format!("sslmode=verify-ca sslrootcert={}", another_root()),
    );
    refresh(&refused).assert_fails_with(&["natively", "certificate", "load=unnest"]);
    assert_eq!(refused.hvr.leftover_files().len(), 1, "the file stays");
}

#[test]
fn verify_full_refuses_a_certificate_for_another_name() {
    let probe = channel("tls_verify_full", "");
    let cert = server_certificate(&probe);
    // The snakeoil certificate names the machine, and the test connects to 127.0.0.1.
    let ch = native_only(
        "tls_verify_full",
        &format!("sslmode=verify-full sslrootcert={cert}"),
    );
    refresh(&ch).assert_fails_with(&["natively", "certificate"]);
    assert_eq!(ch.hvr.leftover_files().len(), 1, "the file stays");
    // verify-ca with the same root takes it: the name is all verify-full refused.
    let ca = native_only(
        "tls_verify_full_ca",
        &format!("sslmode=verify-ca sslrootcert={cert}"),
    );
    refresh(&ca).assert_ok();
    // A root that is not there is named, with what to do.
    let missing = native_only(
        "tls_verify_full_missing",
        "sslmode=verify-full sslrootcert=/nonexistent/root.crt",
    );
    refresh(&missing).assert_fails_with(&["/nonexistent/root.crt", "load=unnest"]);
}
