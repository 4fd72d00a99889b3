//! Hostile connectors: each misbehaviour ends in a clear error naming the connector, exit 1,
//! the target unchanged and the files kept. The connector under test is `guests/hostile`,
//! steered with `--connector-option behave=...`.

use crate::support::hvr::{Run, guest_wasm};
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, refresh_orders};

/// A refresh of `orders` through the hostile connector behaving as `behave`.
fn hostile(test: &str, behave: &str, extra: &str) -> (Scenario, Run) {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    s.hvr.user_arg = format!(
        "--connector {} --connector-option behave={behave} {extra}",
        guest_wasm("guest_hostile").display()
    );
    let run = refresh_orders(&mut s);
    (s, run)
}

#[track_caller]
fn assert_contained(s: &Scenario, run: &Run, fragments: &[&str]) {
    let mut all = vec!["connector hostile"];
    all.extend_from_slice(fragments);
    run.assert_fails_with(&all);
    let orders = s.target.rows(&s.models[0].def, s.style);
    assert!(
        orders.is_empty(),
        "the target must be unchanged: {orders:?}"
    );
    assert_eq!(s.hvr.leftover_files().len(), 1, "the file must be kept");
}

#[test]
fn endless_loop_is_stopped_at_the_deadline() {
    let (s, run) = hostile("hostile_loop", "loop", "--guest-timeout-ms 300");
    assert_contained(
        &s,
        &run,
        &["exceeded its time limit of 300 ms in plan-refresh"],
    );
}

#[test]
fn memory_bomb_is_stopped_at_the_cap() {
    let (s, run) = hostile("hostile_memory", "memory", "--guest-memory-mb 64");
    assert_contained(
        &s,
        &run,
        &["exceeded its memory limit of 64 MiB in plan-refresh"],
    );
}

#[test]
fn guest_cannot_open_files() {
    let (s, run) = hostile("hostile_file", "file", "");
    assert_contained(&s, &run, &["probe: cannot read /etc/passwd"]);
}

#[test]
fn guest_sees_no_environment_arguments_or_credentials() {
    let (s, run) = hostile("hostile_env", "env", "");
    assert_contained(
        &s,
        &run,
        &["probe: 0 environment variables, 0 arguments, HVR_WASM_CONNECT_STRING absent"],
    );
}

#[test]
fn guest_cannot_open_sockets() {
    let (s, run) = hostile("hostile_socket", "socket", "");
    assert_contained(&s, &run, &["probe: cannot connect"]);
}

#[test]
fn guest_output_goes_to_the_job_log_with_its_name() {
    let (s, run) = hostile("hostile_print", "print", "");
    assert_contained(&s, &run, &["probe: printed"]);
    assert!(
        run.stdout.contains("[hostile stdout] hello on stdout"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("[hostile stderr] hello on stderr"),
        "{}",
        run.stdout
    );
}

#[test]
fn guest_panic_fails_the_table_cleanly() {
    let (s, run) = hostile("hostile_panic", "panic", "");
    // One readable sentence: the panic's place and message, no wasm backtrace.
    assert_contained(
        &s,
        &run,
        &[
            "connector hostile panicked in plan-refresh at guests/hostile/src/lib.rs:",
            "the connector panicked on purpose",
        ],
    );
    let line = run.stderr.lines().find(|l| l.starts_with("F_J")).unwrap();
    assert!(
        line.len() < 400 && !line.contains("wasm backtrace"),
        "{line}"
    );
    assert!(
        run.stdout.contains("the connector panicked on purpose"),
        "{}",
        run.stdout
    );
}

#[test]
fn plan_reading_a_column_that_does_not_exist_is_refused() {
    let (s, run) = hostile("hostile_source", "bad-source", "");
    run.assert_fails_with(&["connector hostile", "the plan's load reads file column"]);
    assert!(s.target.rows(&s.models[0].def, s.style).is_empty());
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

#[test]
fn connector_for_another_contract_version_is_refused_before_it_runs() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "future_contract");
    s.hvr.user_arg = format!("--connector {}", guest_wasm("guest_future").display());
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&[
        "connector guest_future targets hvrwasm:connector@0.9.0",
        "this host serves hvrwasm:connector@0.4.2, 0.3.0, 0.2.0 and 0.1.0",
    ]);
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

#[test]
fn corrupt_compile_cache_is_replaced() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "cache_corrupt");
    let cache = s.hvr.dir.join("cache");
    s.hvr.user_arg = format!("--compile-cache {}", cache.display());
    refresh_orders(&mut s).assert_ok();
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::write(&files[0], b"garbage, not a compiled component").unwrap();
    refresh_orders(&mut s).assert_ok();
    assert_ne!(
        std::fs::read(&files[0]).unwrap(),
        b"garbage, not a compiled component"
    );
    let out = std::process::Command::new(crate::support::hvr::BINARY)
        .args([
            "inspect",
            "sqlite",
            "--compile-cache",
            &cache.display().to_string(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cache       valid:"), "{text}");
}

#[test]
fn inspect_describes_every_shipped_guest() {
    for guest in ["sqlite", "postgres", "mariadb"] {
        let out = std::process::Command::new(crate::support::hvr::BINARY)
            .args(["inspect", guest, "--compile-cache", "off"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{guest}: {text}");
        assert!(text.contains(&format!("connector   {guest} ")), "{text}");
        assert!(
            text.contains("contract    hvrwasm:connector@0.4.2"),
            "{text}"
        );
        assert!(text.contains("load        "), "{text}");
    }
    for transform in ["transform_mask", "transform_filter"] {
        let path = guest_wasm(transform);
        let out = std::process::Command::new(crate::support::hvr::BINARY)
            .args([
                "inspect",
                &path.display().to_string(),
                "--compile-cache",
                "off",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{transform}: {text}");
        assert!(text.contains("transform   "), "{text}");
    }
}

/// A connector built against the frozen previous contract (`wit/archive/0.1.0`, no fence
/// export) keeps working: refresh and integrate cycles land exactly, with the host's standard
/// fence; what 0.1.0 cannot express is refused in a sentence.
#[test]
fn connector_built_for_the_previous_contract_keeps_working() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "legacy_contract");
    s.hvr.user_arg = format!("--connector {}", guest_wasm("guest_legacy").display());
    let refresh = s.refresh_changes(15);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after a refresh through a 0.1.0 connector");
    for cycle in 1..=3 {
        let changes = s.cycle_changes(12, None);
        s.hvr.integrate(&changes).assert_ok();
        s.assert_target_matches(&format!("after cycle {cycle} through a 0.1.0 connector"));
        s.assert_no_files_left();
    }
    let out = std::process::Command::new(crate::support::hvr::BINARY)
        .args(["inspect", &guest_wasm("guest_legacy").display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("contract    hvrwasm:connector@0.1.0"),
        "{text}"
    );

    s.hvr.user_arg.push_str(" --refresh-shadow");
    let refresh = s.refresh_changes(3);
    s.hvr
        .refresh(&refresh)
        .assert_fails_with(&["--refresh-shadow needs a connector built for contract 0.2"]);
}

/// A `--connector-option` value may hold `;` on the command line; only the variable is a
/// `;`-separated list.
#[test]
fn connector_option_values_keep_semicolons_on_the_command_line() {
    let (_, run) = hostile(
        "hostile_option_semicolon",
        "echo",
        "--connector-option \"init=SET a=1; SET b=2\"",
    );
    run.assert_fails_with(&[r#"("init", "SET a=1; SET b=2")"#]);

    let mut s = Scenario::new(
        Db::Sqlite,
        Style::ReplicationCopy,
        "hostile_option_variable",
    );
    s.hvr.user_arg = format!(
        "--connector {} --connector-option behave=echo",
        guest_wasm("guest_hostile").display()
    );
    s.hvr
        .env
        .push(("HVR_WASM_CONNECTOR_OPTIONS".into(), "x=1;y=2".into()));
    // The command line wins over the variable, as for every option.
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&[r#"("behave", "echo")"#]);
    s.hvr.user_arg = format!("--connector {}", guest_wasm("guest_hostile").display());
    s.hvr.env.retain(|(k, _)| k != "HVR_WASM_CONNECTOR_OPTIONS");
    s.hvr.env.push((
        "HVR_WASM_CONNECTOR_OPTIONS".into(),
        "behave=echo;y=2".into(),
    ));
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&[r#"("behave", "echo"), ("y", "2")"#]);
}
