//! No output of any kind contains a secret, whatever the user typed: unbalanced quotes,
//! unquoted connection strings, values given to the wrong option, extra words.

use crate::support::Scenario;
use crate::support::model::Style;
use crate::support::target::Db;

const PASSWORD: &str = "Zq9-Secret-Pwd";

fn assert_hidden(run: &crate::support::hvr::Run, what: &str) {
    assert_eq!(
        run.code, 1,
        "{what}: expected failure\n{}{}",
        run.stdout, run.stderr
    );
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(PASSWORD) && !text.contains("Secret-Pwd"),
            "{what}: the password was printed on {stream}: {text}"
        );
    }
    assert!(
        run.stderr.lines().any(|l| l.starts_with("F_JX0D03: ")),
        "{what}: no F_J line: {}",
        run.stderr
    );
}

#[test]
fn user_arguments_that_cannot_be_parsed_never_echo_a_secret() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "secret_userarg");
    let refresh = s.refresh_changes(2);
    let vars = s.hvr.stage_refresh(&refresh);
    for (what, user_arg) in [
        (
            "unbalanced quote",
            format!("--connect-string \"Driver={{SQLite3}};Pwd={PASSWORD}"),
        ),
        (
            "unquoted connection string",
            format!("--connect-string Driver={{PostgreSQL Unicode}};Uid=u;Pwd={PASSWORD};"),
        ),
        (
            "password with a space, unquoted",
            "--connect-string Driver=x;Pwd=Zq9- Secret-Pwd".to_string(),
        ),
        (
            "store secret given to the wrong option",
            format!("--parallel aws_secret_access_key={PASSWORD}"),
        ),
        (
            "misspelt option with a value",
            format!("--conect-string=Pwd={PASSWORD}"),
        ),
    ] {
        s.hvr.user_arg = user_arg;
        let run = s.hvr.call("refr_write_end", &vars);
        assert_hidden(&run, what);
    }
}

#[test]
fn extra_words_after_the_user_argument_are_refused_without_echo() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "secret_extra");
    let refresh = s.refresh_changes(2);
    let vars = s.hvr.stage_refresh(&refresh);
    let mut cmd = s.hvr.command("refr_write_end", &vars);
    cmd.arg(format!("Pwd={PASSWORD}"));
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("word(s) after the user argument"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");
}

#[test]
fn a_person_gets_an_answer_for_the_bare_name_and_version() {
    let out = std::process::Command::new(crate::support::hvr::BINARY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--help"));
    let out = std::process::Command::new(crate::support::hvr::BINARY)
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("hvrwasmagent "));
}
