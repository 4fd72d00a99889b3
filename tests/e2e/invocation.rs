//! The AgentPlugin contract: modes, exit codes, the long environment, recovery and secrets.

use crate::support::hvr::guest_wasm;
use crate::support::hvr::{BINARY, File};
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, refresh_orders};

#[test]
fn unknown_mode_exits_2_and_prints_nothing() {
    let out = std::process::Command::new(BINARY)
        .args(["cap_end", "chn", "loc", ""])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn begin_modes_succeed_without_a_target() {
    let s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "begin_modes");
    s.hvr.call("integ_begin", &[]).assert_ok();
    s.hvr.call("refr_write_begin", &[]).assert_ok();
}

#[test]
fn empty_file_list_does_nothing() {
    let s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "empty_list");
    let vars = vec![
        ("HVR_TBL_NAMES".to_string(), String::new()),
        ("HVR_FILE_NAMES".to_string(), String::new()),
    ];
    let run = s.hvr.call("integ_end", &vars);
    run.assert_ok();
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
}

#[test]
fn unknown_option_names_the_option() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "bad_option");
    s.hvr.user_arg = "--no-such-option".into();
    s.hvr
        .call("integ_end", &[])
        .assert_fails_with(&["--no-such-option"]);
}

#[test]
fn abbreviated_list_fails_unless_long_environment_gives_it() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "long_env");
    let changes = s.refresh_changes(4);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    let full = s.hvr.end_env(&[&orders], &files, true);
    let abbreviated: Vec<(String, String)> = full
        .iter()
        .map(|(k, v)| {
            if k == "HVR_FILE_NAMES" {
                (k.clone(), format!("{}...", &v[..5]))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    s.hvr
        .call("refr_write_end", &abbreviated)
        .assert_fails_with(&["HVR_FILE_NAMES", "abbreviated"]);

    let json = format!(
        "{{\"HVR_FILE_NAMES\": \"{}\"}}",
        full.iter().find(|(k, _)| k == "HVR_FILE_NAMES").unwrap().1
    );
    let long = s.hvr.dir.join("long_env.json");
    std::fs::write(&long, json).unwrap();
    let mut vars = abbreviated;
    vars.push(("HVR_LONG_ENVIRONMENT".into(), long.display().to_string()));
    s.hvr.call("refr_write_end", &vars).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after refresh through the long environment");
}

/// HVR re-invokes `integ_end` after an interruption. Files all gone: applied already, skip.
/// Some gone: refuse, nothing applied.
#[test]
fn rerun_after_files_are_gone_skips_and_partial_files_fail() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "recovery");
    let refresh = s.refresh_changes(5);
    s.hvr.refresh(&refresh).assert_ok();
    let changes = s.cycle_changes(12, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 2);
    assert_eq!(files.len(), 2);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr.call("integ_end", &vars).assert_ok();
    let rerun = s.hvr.call("integ_end", &vars);
    rerun.assert_ok();
    assert!(
        rerun.stdout.contains("already applied and removed"),
        "{}",
        rerun.stdout
    );

    let changes = s.cycle_changes(12, None);
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 2);
    s.hvr.write(&files[1..]);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr
        .call("integ_end", &vars)
        .assert_fails_with(&["orders", "only 1 of its 2 files are present"]);
    assert_eq!(s.hvr.leftover_files(), vec![files[1].name.clone()]);
}

#[test]
fn connect_string_secret_never_appears_in_output() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "secret");
    let changes = s.refresh_changes(2);
    let orders = s.hvr.tables[0].clone();
    let files: Vec<File> = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    s.hvr.env = vec![(
        "HVR_WASM_CONNECT_STRING".into(),
        "Driver={No Such Driver};Pwd=hunter2-secret;".into(),
    )];
    s.hvr.user_arg = "-v".into();
    let run = s
        .hvr
        .call("refr_write_end", &s.hvr.end_env(&[&orders], &files, true));
    run.assert_fails_with(&["cannot connect"]);
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
}

#[test]
fn missing_target_table_is_created_on_refresh_as_text() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "create_missing");
    s.target.execute(&["DROP TABLE \"line_items\"".to_string()]);
    let refresh = s.refresh_changes(6);
    let run = s.hvr.refresh(&refresh);
    run.assert_ok();
    assert!(
        run.stdout.contains("does not exist; creating it"),
        "{}",
        run.stdout
    );
    s.assert_target_matches("after refresh into created table");
}

fn sqlite_wasm() -> std::path::PathBuf {
    guest_wasm("guest_sqlite")
}

#[test]
fn connector_by_path_and_override_in_connector_dir() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "connector_path");
    let wasm = sqlite_wasm();
    s.hvr.user_arg = format!("-v --connector {}", wasm.display());
    let run = refresh_orders(&mut s);
    run.assert_ok();
    assert!(
        run.stdout.contains(&format!("({})", wasm.display())),
        "{}",
        run.stdout
    );

    let dir = s.hvr.dir.join("connectors");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&wasm, dir.join("sqlite.wasm")).unwrap();
    s.hvr.user_arg = format!("-v --connector sqlite --connector-dir {}", dir.display());
    let run = refresh_orders(&mut s);
    run.assert_ok();
    assert!(run.stdout.contains("sqlite.wasm)"), "{}", run.stdout);

    std::fs::write(dir.join("broken.wasm"), b"not wasm").unwrap();
    s.hvr.user_arg = format!("--connector broken --connector-dir {}", dir.display());
    refresh_orders(&mut s)
        .assert_fails_with(&["connector broken", "not a valid WebAssembly component"]);
}

#[test]
fn unknown_connector_lists_the_built_in_ones() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "connector_unknown");
    s.hvr.user_arg = "--connector oracle".into();
    refresh_orders(&mut s).assert_fails_with(&["unknown connector \"oracle\"", "sqlite, postgres"]);
}

#[test]
fn dsn_reaches_the_target() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "dsn");
    let database = s
        .target
        .connect_string
        .split("Database=")
        .nth(1)
        .unwrap()
        .trim_end_matches(';')
        .to_string();
    let ini = s.hvr.dir.join("odbc.ini");
    std::fs::write(
        &ini,
        format!("[e2e_target]\nDriver=SQLite3\nDatabase={database}\n"),
    )
    .unwrap();
    s.hvr.env = vec![
        ("HVR_WASM_DSN".into(), "e2e_target".into()),
        ("ODBCINI".into(), ini.display().to_string()),
    ];
    refresh_orders(&mut s).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after a refresh through a DSN");
}

#[test]
fn keep_files_flag_leaves_files_and_keep_op_column_lands_it() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "keep_flags");
    let refresh = s.refresh_changes(3);
    s.hvr.refresh(&refresh).assert_ok();
    s.target
        .execute(&["ALTER TABLE \"line_items\" ADD COLUMN \"op_type\" INTEGER".to_string()]);
    s.hvr.user_arg = "-y -O op_type".into();
    let changes = s.cycle_changes(4, None);
    let items = s.hvr.tables[2].clone();
    let files = s.hvr.files_for(&items, &changes[2].1, false, 1);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&items], &files, false);
    s.hvr.call("integ_end", &vars).assert_ok();
    assert_eq!(s.hvr.leftover_files(), vec![files[0].name.clone()]);
    let ops = s
        .target
        .query("SELECT DISTINCT \"op_type\" FROM \"line_items\" WHERE \"op_type\" IS NOT NULL");
    assert!(!ops.is_empty(), "the kept op column must be filled");
}

#[test]
fn shadow_refresh_where_unsupported_says_why() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "shadow_sqlite");
    s.hvr.user_arg = "--refresh-shadow".into();
    refresh_orders(&mut s)
        .assert_fails_with(&["connector sqlite", "not supported: --refresh-shadow"]);
    assert_eq!(
        s.hvr.leftover_files().len(),
        1,
        "the files stay for a retry"
    );
}

/// Tables run in parallel: a table whose file is bad fails alone, named in the exit message,
/// while the other tables of the call commit and lose their files.
#[test]
fn one_failing_table_does_not_stop_or_corrupt_the_others() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "parallel_failure");
    let refresh = s.refresh_changes(5);
    s.hvr.refresh(&refresh).assert_ok();
    let changes = s.cycle_changes(6, None);
    let vars = s.hvr.stage_integrate(&changes);
    let bad = s
        .hvr
        .leftover_files()
        .into_iter()
        .find(|f| f.ends_with("-group.csv"))
        .unwrap();
    let path = s.hvr.files_dir.join(&bad);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\"unterminated\n");
    std::fs::write(&path, text).unwrap();
    let group_before = s.target.rows(&s.models[1].def, s.style);
    s.hvr.call("integ_end", &vars).assert_fails_with(&[
        "1 of 3 table(s) failed",
        "table group",
        &bad,
    ]);
    assert_eq!(s.target.rows(&s.models[1].def, s.style), group_before);
    assert_eq!(s.hvr.leftover_files(), vec![bad]);
    for i in [0, 2] {
        assert_eq!(
            s.target.rows(&s.models[i].def, s.style),
            s.models[i].expected(),
            "table {} must be applied",
            s.models[i].def.name
        );
    }
}

/// An option set by an Environment action can be too long for the OS too: HVR then passes it
/// in the HVR_LONG_ENVIRONMENT file, which wins over the abbreviated variable.
#[test]
fn options_from_the_long_environment_win() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "long_env_option");
    let changes = s.refresh_changes(3);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    let real = s.target.connect_string.clone();
    s.hvr.env = vec![(
        "HVR_WASM_CONNECT_STRING".into(),
        format!("{}...", &real[..10]),
    )];
    let long = s.hvr.dir.join("long_env.json");
    std::fs::write(
        &long,
        format!("{{\"HVR_WASM_CONNECT_STRING\": {:?}}}", real),
    )
    .unwrap();
    let mut vars = s.hvr.end_env(&[&orders], &files, true);
    vars.push(("HVR_LONG_ENVIRONMENT".into(), long.display().to_string()));
    s.hvr.call("refr_write_end", &vars).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after a refresh with the connect string from the long environment");
}

/// Without /UserArgument HVR may pass only three arguments; the options then come from the
/// environment alone.
#[test]
fn call_without_user_argument_uses_the_environment() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "no_userarg");
    let changes = s.refresh_changes(3);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    // command() passes the user argument as the fourth; the same call with three, same env.
    let cmd = s.hvr.command("refr_write_end", &vars);
    let mut three = std::process::Command::new(BINARY);
    three.args(["refr_write_end", "chn", "trg"]).env_clear();
    for (k, v) in cmd.get_envs() {
        if let (k, Some(v)) = (k, v) {
            three.env(k, v);
        }
    }
    let out = three.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.models.truncate(1);
    s.assert_target_matches("after a call with three arguments");
}

/// When hundreds of tables fail, the F_J line stays short and readable; the job log has the
/// details (it once held every table's SQL, 78 KB).
#[test]
fn many_failing_tables_keep_the_f_j_line_short() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "fj_short");
    let changes = s.refresh_changes(3);
    let vars = s.hvr.stage_refresh(&changes);
    // Every table fails: the connector cannot plan a shadow refresh on SQLite.
    s.hvr.user_arg.push_str(" --refresh-shadow");
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_fails_with(&["3 of 3 table(s) failed"]);
    let line = run.stderr.lines().find(|l| l.starts_with("F_J")).unwrap();
    assert!(!line.contains("SQL:"), "{line}");
    assert!(line.len() < 1500, "{} characters: {line}", line.len());
    assert!(
        run.stdout.contains("table orders failed:"),
        "{}",
        run.stdout
    );
}
