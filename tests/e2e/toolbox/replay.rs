//! `--record DIR` and `hvrwasmagent replay`: a recorded call replayed against another target
//! lands the same rows; the recording holds no credential; the recording's files stay.

use crate::support::hvr::scratch;
use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const SECRET: &str = "Recorded-Never-9137";

fn recordings(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

#[test]
fn a_recorded_cycle_replays_into_another_target_with_the_same_rows() {
    let test = "toolbox_replay";
    let record = scratch(test).join("recorded");
    let _ = std::fs::remove_file(scratch_path(test));
    let mut original = Channel::new(
        Db::Sqlite,
        test,
        &format!(
            "--record {} --connect-string 'Driver={{SQLite3}};Database={};PWD={SECRET};'",
            record.display(),
            scratch_db(test)
        ),
    );
    original
        .hvr
        .env
        .retain(|(name, _)| name != "HVR_WASM_CONNECT_STRING");
    let run = super::refresh_then_cycle(&original);
    assert!(
        run.stdout.contains("recorded this call in "),
        "{}",
        run.stdout
    );
    let calls = recordings(&record);
    assert_eq!(calls.len(), 2, "{calls:?}");
    for call in &calls {
        let text = std::fs::read_to_string(call.join("invocation.json")).unwrap();
        assert!(
            !text.contains(SECRET),
            "the recording holds the password: {text}"
        );
        assert!(
            text.contains("--connect-string"),
            "it names what it left out: {text}"
        );
    }
    assert!(calls[1].join("files/20240101000000002-t.csv").is_file());

    // Replayed, in order, into a scratch PostgreSQL database.
    let scratch_pg = Channel::new(Db::Postgres, "toolbox_replay_pg", "");
    for call in &calls {
        let run = scratch_pg.hvr.run_args(
            &[
                "replay",
                &call.display().to_string(),
                "--connector",
                "postgres",
            ],
            &[],
        );
        run.assert_ok();
        assert!(run.stdout.contains("replay: "), "{}", run.stdout);
    }
    let columns = ["id", "a"];
    assert_eq!(scratch_pg.rows(&columns), sqlite_rows(test));
    assert_eq!(
        scratch_pg.rows(&columns),
        vec![
            vec![s("1"), s("x")],
            vec![s("2"), s("Y")],
            vec![s("4"), s("w")]
        ]
    );
    // The recording keeps its files, and a second replay is stopped by the fence.
    assert!(calls[1].join("files/20240101000000002-t.csv").is_file());
    let again = scratch_pg.hvr.run_args(
        &[
            "replay",
            &calls[1].display().to_string(),
            "--connector",
            "postgres",
        ],
        &[],
    );
    again.assert_ok();
    assert!(again.stdout.contains("already applied"), "{}", again.stdout);
    assert_eq!(scratch_pg.rows(&columns).len(), 3);

    // And into a scratch SQLite file, with the recording's own connector.
    let scratch_sqlite = Channel::new(Db::Sqlite, "toolbox_replay_sqlite", "");
    for call in &calls {
        scratch_sqlite
            .hvr
            .run_args(&["replay", &call.display().to_string()], &[])
            .assert_ok();
    }
    assert_eq!(scratch_sqlite.rows(&columns), scratch_pg.rows(&columns));

    // A folder with two recordings must be narrowed down.
    let both = scratch_pg
        .hvr
        .run_args(&["replay", &record.display().to_string()], &[]);
    assert_eq!(both.code, 1);
    assert!(
        both.stderr.contains("holds 2 recordings"),
        "{}",
        both.stderr
    );
}

fn scratch_db(test: &str) -> String {
    scratch_path(test).display().to_string()
}

/// Outside the test's scratch folder, which Channel::new empties.
fn scratch_path(test: &str) -> std::path::PathBuf {
    std::env::temp_dir()
        .join("hvrwasm-e2e")
        .join(format!("{test}-{}.sqlite", std::process::id()))
}

fn sqlite_rows(test: &str) -> Vec<Vec<Option<String>>> {
    let path = scratch_path(test);
    let cs = format!("Driver={{SQLite3}};Database={};", path.display());
    let env = odbc_api::Environment::new().unwrap();
    let conn = env
        .connect_with_connection_string(&cs, odbc_api::ConnectionOptions::default())
        .unwrap();
    let mut rows = Vec::new();
    let mut cursor = conn
        .execute("SELECT CAST(id AS TEXT), a FROM t ORDER BY id", (), None)
        .unwrap()
        .unwrap();
    use odbc_api::Cursor as _;
    while let Some(mut row) = cursor.next_row().unwrap() {
        let mut one = Vec::new();
        for i in 1..=2 {
            let mut buf = Vec::new();
            let some = row.get_text(i, &mut buf).unwrap();
            one.push(some.then(|| String::from_utf8(buf).unwrap()));
        }
        rows.push(one);
    }
    rows
}

/// Recording is diagnostics: a recording that cannot be written is a warning and the cycle
/// applies; a re-run whose files are already gone records them as missing.
#[test]
fn a_recording_that_fails_never_stops_the_cycle() {
    let test = "toolbox_record_fails";
    let mut ch = Channel::new(Db::Sqlite, test, "");
    // Beside the channel's folder: a file where the recording's folder should be.
    let blocker = ch.hvr.files_dir.with_extension("not-a-dir");
    std::fs::write(&blocker, b"a file where the folder should be").unwrap();
    ch.hvr.user_arg = format!("--record {}", blocker.join("rec").display());
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n");
    let files = [("20240101000000001-t.csv", 1)];
    let run = ch.call("refr_write_end", "id,a", "id", &files);
    run.assert_ok();
    assert!(
        run.stdout.contains("W_JX0E00: this call was not recorded"),
        "{}",
        run.stdout
    );
    assert_eq!(ch.rows(&["id"]), vec![vec![s("1")]]);

    let record = ch.hvr.files_dir.with_extension("rec");
    ch.hvr.user_arg = format!("--record {}", record.display());
    let rerun = ch.call("refr_write_end", "id,a", "id", &files);
    rerun.assert_ok();
    let call = &recordings(&record)[0];
    let text = std::fs::read_to_string(call.join("invocation.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["missing_files"][0], "20240101000000001-t.csv",
        "{text}"
    );
}

/// A call whose files are in a cloud store is recorded with copies of its objects and replays
/// from them, without the store or its key.
#[test]
fn a_call_from_a_store_replays_from_its_recorded_copies() {
    use crate::support::stores::StoreLocation;
    let test = "toolbox_replay_store";
    let mut ch = Channel::in_store(Db::Sqlite, test, "", StoreLocation::azure(test));
    let record = ch.hvr.files_dir.with_extension("rec");
    ch.hvr.user_arg = format!("--record {}", record.display());
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n2,y\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 2)],
    )
    .assert_ok();
    assert!(
        !ch.file_exists("20240101000000001-t.csv"),
        "applied and removed from the store"
    );
    let call = &recordings(&record)[0];
    let text = std::fs::read_to_string(call.join("invocation.json")).unwrap();
    assert!(!text.contains("azure_storage_account_key"), "{text}");
    let scratch_pg = Channel::new(Db::Postgres, "toolbox_replay_store_pg", "");
    scratch_pg
        .hvr
        .run_args(
            &[
                "replay",
                &call.display().to_string(),
                "--connector",
                "postgres",
            ],
            &[],
        )
        .assert_ok();
    assert_eq!(
        scratch_pg.rows(&["id", "a"]),
        vec![vec![s("1"), s("x")], vec![s("2"), s("y")]]
    );
}
