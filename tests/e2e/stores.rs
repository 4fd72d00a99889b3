//! Cloud file locations: the same lifecycle as a local directory with HVR's files in S3 (moto)
//! and Azure Blob (Azurite), clear errors for a missing bucket, a refused key and an
//! unreachable endpoint, credential precedence, and the stale-file clean-up.

use crate::kill::kill_trials_on;
use crate::support::Scenario;
use crate::support::hvr::File;
use crate::support::model::Style;
use crate::support::stores::{AZURITE_KEY, StoreLocation};
use crate::support::target::Db;

const STATE_OBJECT: &str = "_hvr_state/integ.state";

/// A refresh and three integrate cycles; after each call the target equals the model, every
/// loaded object is gone and HVR's state object is untouched.
fn lifecycle_in(store: StoreLocation, style: Style, test: &str) {
    let mut s = in_store(Db::Postgres, style, test, store.clone());
    store.put(STATE_OBJECT, b"HVR's own");
    let refresh = s.refresh_changes(30);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after refresh");
    assert_eq!(store.names(), [STATE_OBJECT], "after refresh");
    for cycle in 1..=3 {
        let changes = s.cycle_changes(40, None);
        s.hvr.integrate(&changes).assert_ok();
        s.assert_target_matches(&format!("after cycle {cycle}"));
        assert_eq!(store.names(), [STATE_OBJECT], "after cycle {cycle}");
    }
}

#[test]
fn s3_location_refresh_and_integrate_into_postgres() {
    let test = "store_s3_lifecycle";
    lifecycle_in(StoreLocation::s3(test), Style::ReplicationCopy, test);
}

#[test]
fn azure_location_refresh_and_integrate_into_postgres() {
    let test = "store_azure_lifecycle";
    lifecycle_in(StoreLocation::azure(test), Style::SoftDelete, test);
}

#[test]
fn s3_location_survives_kills_exactly_once() {
    let test = "store_s3_kill";
    let s = in_store(Db::Postgres, Style::TimeKey, test, StoreLocation::s3(test));
    kill_trials_on(s, test);
}

#[test]
fn azure_location_survives_kills_exactly_once() {
    let test = "store_azure_kill";
    let s = in_store(
        Db::Postgres,
        Style::ReplicationCopy,
        test,
        StoreLocation::azure(test),
    );
    kill_trials_on(s, test);
}

/// A scenario whose files live in `store`.
fn in_store(db: Db, style: Style, test: &str, store: StoreLocation) -> Scenario {
    let mut s = Scenario::new(db, style, test);
    s.hvr.use_store(store);
    s
}

/// A refresh file of `orders` (written to the location when `write`) and its environment.
fn stage_orders(s: &mut Scenario, write: bool) -> (Vec<File>, Vec<(String, String)>) {
    let changes = s.refresh_changes(3);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    if write {
        s.hvr.write(&files);
    }
    let vars = s.hvr.end_env(&[&orders], &files, true);
    (files, vars)
}

/// An endpoint nothing listens on.
fn closed_endpoint() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A refresh of one table whose file is in the store; returns the run.
fn refresh_one(s: &mut Scenario) -> crate::support::hvr::Run {
    crate::support::refresh_orders(s)
}

#[test]
fn missing_bucket_is_named_with_the_store_and_the_file() {
    let test = "store_s3_no_bucket";
    let store = StoreLocation::s3(test);
    let mut s = in_store(Db::Sqlite, Style::ReplicationCopy, test, store.clone());
    let (files, mut vars) = stage_orders(&mut s, true);
    let loc = vars.iter_mut().find(|(k, _)| k == "HVR_FILE_LOC").unwrap();
    loc.1 = loc.1.replace("@hvr-e2e/", "@no-such-bucket/");
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_fails_with(&[
        "S3 bucket 'no-such-bucket'",
        &store.endpoint,
        &format!("{test}/{}", files[0].name),
        "the bucket or container does not exist",
    ]);
    assert_eq!(s.hvr.leftover_files(), [files[0].name.clone()]);
}

#[test]
fn missing_container_is_named_with_the_store_and_the_file() {
    let test = "store_azure_no_container";
    let store = StoreLocation::azure(test);
    let mut s = in_store(Db::Sqlite, Style::ReplicationCopy, test, store.clone());
    let mut url = store.url.clone();
    url = url.replace("wasbs://hvr-e2e@", "wasbs://no-such-container@");
    s.hvr.store.as_mut().unwrap().url = url;
    let run = refresh_one(&mut s);
    run.assert_fails_with(&[
        "Azure container 'no-such-container' of account 'devstoreaccount1'",
        "-orders.csv'",
        "the bucket or container does not exist",
    ]);
}

#[test]
fn wrong_key_is_refused_with_a_clear_error_and_files_kept() {
    let test = "store_azure_wrong_key";
    let store = StoreLocation::azure(test);
    let mut s = in_store(Db::Sqlite, Style::ReplicationCopy, test, store.clone());
    // A well-formed key of another account.
    let wrong = "d3JvbmcgYWNjb3VudCBrZXkgZm9yIHRoZSBlbXVsYXRvciB0ZXN0cw==";
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        &format!("azure_storage_account_key={wrong}"),
    );
    let run = refresh_one(&mut s);
    run.assert_fails_with(&[
        "Azure container 'hvr-e2e'",
        "-orders.csv'",
        "the store refused the credentials",
    ]);
    assert!(!run.stderr.contains(wrong), "the wrong key was printed");
    assert_eq!(s.hvr.leftover_files().len(), 1, "the file must stay");
}

#[test]
fn unreachable_endpoint_is_named_with_the_file() {
    let test = "store_s3_unreachable";
    let mut s = in_store(
        Db::Sqlite,
        Style::ReplicationCopy,
        test,
        StoreLocation::s3(test),
    );
    let closed = closed_endpoint();
    set_env(&mut s, "HVR_WASM_STORE_ENDPOINT", &closed);
    set_env(&mut s, "HVR_WASM_STORE_RETRIES", "1");
    let run = refresh_one(&mut s);
    run.assert_fails_with(&[
        &format!("S3 bucket 'hvr-e2e' at {closed}"),
        "-orders.csv'",
        "the endpoint cannot be reached",
    ]);
}

/// Credentials from `--store-config` win over the provider's variables, which are used when
/// no option gives any; a wrong key in a higher layer is not silently replaced by a right
/// one from a lower layer.
#[test]
fn azure_credentials_follow_the_documented_precedence() {
    let test = "store_azure_precedence";
    let wrong = "d3JvbmcgYWNjb3VudCBrZXkgZm9yIHRoZSBlbXVsYXRvciB0ZXN0cw==";
    let mut s = in_store(
        Db::Sqlite,
        Style::ReplicationCopy,
        test,
        StoreLocation::azure(test),
    );

    // Option right, environment wrong: the option is used.
    s.hvr
        .env
        .push(("AZURE_STORAGE_ACCOUNT_KEY".into(), wrong.into()));
    refresh_one(&mut s).assert_ok();
    s.assert_no_files_left();

    // No option, environment right: the environment is used.
    s.hvr
        .env
        .retain(|(k, _)| k != "HVR_WASM_STORE_CONFIG" && k != "AZURE_STORAGE_ACCOUNT_KEY");
    s.hvr
        .env
        .push(("AZURE_STORAGE_ACCOUNT_KEY".into(), AZURITE_KEY.into()));
    refresh_one(&mut s).assert_ok();
    s.assert_no_files_left();

    // Option wrong, environment right: the option is used, and refused.
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        &format!("azure_storage_account_key={wrong}"),
    );
    refresh_one(&mut s).assert_fails_with(&["the store refused the credentials"]);
}

#[test]
fn unknown_store_setting_is_named_without_its_value() {
    let test = "store_s3_unknown_setting";
    let mut s = in_store(
        Db::Sqlite,
        Style::ReplicationCopy,
        test,
        StoreLocation::s3(test),
    );
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        "aws_secret_acces_key=hunter2-secret",
    );
    let run = refresh_one(&mut s);
    run.assert_fails_with(&["--store-config", "\"aws_secret_acces_key\"", "S3"]);
    assert!(!run.stderr.contains("hunter2-secret"));
}

/// Files of an interrupted earlier cycle stay unless `--cleanup-stale-files` is given; then
/// only files that map to the cycle's tables go, never HVR's state or unrelated objects.
#[test]
fn stale_files_are_removed_only_when_asked() {
    let test = "store_s3_stale";
    let store = StoreLocation::s3(test);
    let mut s = in_store(Db::Postgres, Style::ReplicationCopy, test, store.clone());
    let refresh = s.refresh_changes(10);
    s.hvr.refresh(&refresh).assert_ok();
    let stale = "20230101000000001-orders.csv";
    store.put(stale, b"id,customer,amount,note,created\n");
    store.put("README.txt", b"not HVR's");
    store.put(STATE_OBJECT, b"HVR's own");

    let changes = s.cycle_changes(10, None);
    s.hvr.integrate(&changes).assert_ok();
    assert_eq!(store.names(), [stale, "README.txt", STATE_OBJECT]);

    s.hvr.user_arg.push_str(" --cleanup-stale-files");
    let changes = s.cycle_changes(10, None);
    let run = s.hvr.integrate(&changes);
    run.assert_ok();
    assert!(
        run.stdout.contains("removed 1 stale file(s)"),
        "{}",
        run.stdout
    );
    assert_eq!(store.names(), ["README.txt", STATE_OBJECT]);
    s.assert_target_matches("after the clean-up cycle");
}

/// Compressed files are decoded as they stream in.
#[test]
fn gzip_files_stream_from_azure() {
    let test = "store_azure_gzip";
    let mut s = in_store(
        Db::Postgres,
        Style::ReplicationCopy,
        test,
        StoreLocation::azure(test),
    );
    s.hvr.user_arg.push_str(" --compress gzip");
    s.hvr.compress = true;
    let refresh = s.refresh_changes(200);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after a gzip refresh");
    s.assert_no_files_left();
}

fn set_env(s: &mut Scenario, name: &str, value: &str) {
    s.hvr.env.retain(|(k, _)| k != name);
    s.hvr.env.push((name.into(), value.into()));
}

/// The key HVR embeds in the location never reaches the log: not on success with `-v`, not
/// when the location cannot be parsed, and an HVR-encrypted key is refused with a warning
/// that does not echo it. (Every run of the suite is also checked for the suite's secrets.)
#[test]
fn secrets_in_the_location_never_reach_the_log() {
    let test = "store_s3_secrets";
    let store = StoreLocation::s3(test);
    let mut s = in_store(Db::Sqlite, Style::ReplicationCopy, test, store.clone());
    s.hvr.user_arg.push_str(" -v");
    let run = refresh_one(&mut s);
    run.assert_ok();
    assert!(run.stdout.contains("S3 bucket 'hvr-e2e'"), "{}", run.stdout);

    let good_url = store.url.clone();
    s.hvr.store.as_mut().unwrap().url = good_url.replace("@hvr-e2e/", "@hvr_e2e!/");
    let run = refresh_one(&mut s);
    run.assert_fails_with(&["s3s://***@hvr_e2e!/", "the bucket name holds '!'"]);

    // moto accepts any key, so the run goes on with the environment's (none: anonymous is
    // refused by nothing here); what matters is the warning and that nothing is echoed.
    s.hvr.store.as_mut().unwrap().url = good_url.replace(
        &format!(
            "{}:{}@",
            crate::support::stores::S3_KEY_ID,
            crate::support::stores::S3_SECRET
        ),
        "!{Zm9vYmFy}!:!{c2VjcmV0LXNlY3JldA}!@",
    );
    let run = refresh_one(&mut s);
    assert!(run.stdout.contains("encrypted by HVR"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("c2VjcmV0LXNlY3JldA") && !run.stderr.contains("c2VjcmV0LXNlY3JldA")
    );
}

/// No GCS server is at hand, but a gs:// location goes through the same path up to the
/// network: the client is built from the URL and the options, and the failure names it.
#[test]
fn gcs_location_reaches_the_network_and_names_the_bucket() {
    let test = "store_gcs_unreachable";
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    let closed = closed_endpoint();
    let (files, mut vars) = stage_orders(&mut s, false);
    vars.retain(|(k, _)| k != "HVR_FILE_LOC");
    vars.push(("HVR_FILE_LOC".into(), "gs://hvr-gcs/dir".into()));
    set_env(&mut s, "HVR_WASM_STORE_ENDPOINT", &closed);
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        "google_skip_signature=true",
    );
    set_env(&mut s, "HVR_WASM_STORE_RETRIES", "0");
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_fails_with(&[
        &format!("GCS bucket 'hvr-gcs' at {closed}"),
        &format!("'dir/{}'", files[0].name),
        "the endpoint cannot be reached",
    ]);
}

/// A SAS token that may read and delete but not list: the location check cannot list, a HEAD
/// of the first file shows reading works, and the call goes on with a warning.
#[test]
fn azure_sas_without_list_permission_still_loads() {
    let test = "store_azure_sas_no_list";
    let mut s = in_store(
        Db::Sqlite,
        Style::ReplicationCopy,
        test,
        StoreLocation::azure(test),
    );
    let sas = crate::support::stores::azure_container_sas("rd");
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        &format!("azure_storage_sas_key={sas}"),
    );
    let run = refresh_one(&mut s);
    run.assert_ok();
    assert!(
        run.stdout.contains("listing is not allowed, reading is"),
        "{}",
        run.stdout
    );
    s.assert_no_files_left();

    // Without read permission the refusal is reported as such.
    let sas = crate::support::stores::azure_container_sas("l");
    set_env(
        &mut s,
        "HVR_WASM_STORE_CONFIG",
        &format!("azure_storage_sas_key={sas}"),
    );
    refresh_one(&mut s).assert_fails_with(&["-orders.csv'", "the store refused the credentials"]);
}

/// ADLS Gen2 locations (`abfss://...dfs.core.windows.net`) are read through the Blob API of the
/// same account.
#[test]
fn adls_gen2_location_reads_through_the_blob_api() {
    let test = "store_adls_abfss";
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    let mut store = StoreLocation::azure(test);
    store.url = store
        .url
        .replace("wasbs://", "abfss://")
        .replace(".blob.core.windows.net", ".dfs.core.windows.net");
    s.hvr.use_store(store);
    refresh_one(&mut s).assert_ok();
    let orders = &s.models[0];
    assert_eq!(s.target.rows(&orders.def, s.style), orders.expected());
    s.assert_no_files_left();
}

/// moto with key checks on (no key is valid there): the S3 refusal is reported as such.
#[test]
fn wrong_s3_key_is_refused_with_a_clear_error() {
    let test = "store_s3_wrong_key";
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    let endpoint = crate::support::stores::moto_checking_keys();
    let (files, mut vars) = stage_orders(&mut s, false);
    vars.retain(|(k, _)| k != "HVR_FILE_LOC");
    vars.push((
        "HVR_FILE_LOC".into(),
        format!(
            "s3s://{}:{}@hvr-e2e/dir",
            crate::support::stores::S3_KEY_ID,
            crate::support::stores::S3_SECRET
        ),
    ));
    set_env(&mut s, "HVR_WASM_STORE_ENDPOINT", &endpoint);
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_fails_with(&[
        &format!("S3 bucket 'hvr-e2e' at {endpoint}"),
        &format!("'dir/{}'", files[0].name),
        "the store refused the credentials",
    ]);
}
