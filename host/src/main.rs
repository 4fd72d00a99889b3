//! `hvrwasmagent <mode> <channel> <location> [userarg]`, as HVR's AgentPlugin calls it, and
//! the operator's commands beside it (`check`, `plan`, `replay`, `inspect`).

use std::process::ExitCode;

use hvrwasm_host::agent::{self, Exit};
use hvrwasm_host::{say, say_err};

fn main() -> ExitCode {
    // Panics print through the secret filter too. A panic in a table's work (on a lane, or
    // on the main thread when one lane runs there, or a thread it started) fails only that
    // table (its error follows in the summary); any other on the main thread ends the call,
    // with the one F_J line HVR looks for.
    std::panic::set_hook(Box::new(|info| {
        let main_thread = std::thread::current().name() == Some("main");
        if main_thread && !hvrwasm_host::table::in_table_work() {
            say_err!("F_JX0D03: hvrwasmagent stopped on an internal error: {info}");
        } else {
            say!("W_JX0E00: a table's work panicked: {info}");
        }
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        // HVR always passes a mode; a person typing the bare name gets the usage.
        None => {
            say_err!("{}", usage());
            ExitCode::from(2)
        }
        Some("-h" | "--help" | "help") => {
            print_help();
            ExitCode::SUCCESS
        }
        Some("-V" | "--version" | "version") => {
            say!("hvrwasmagent {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("inspect") => done("inspect", hvrwasm_host::inspect::run(rest).map(|()| true)),
        Some("check") => done("check", hvrwasm_host::tools::check(rest)),
        Some("new") => match hvrwasm_host::tools::new(rest) {
            Ok(dir) => {
                say!(
                    "new: created {}; build it with `hvrwasmagent build {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => done::<String>("new", Err(e)),
        },
        Some("build") => done("build", hvrwasm_host::tools::build(rest).map(|_| true)),
        Some("selftest") => done("selftest", hvrwasm_host::selftest::run(rest)),
        Some("plan") => exit("plan", hvrwasm_host::tools::plan(rest)),
        Some("replay") => match hvrwasm_host::tools::replay(rest) {
            Ok(Exit::Done) => ExitCode::SUCCESS,
            Ok(Exit::IgnoredMode) => ExitCode::from(2),
            Err(e) => {
                say_err!("F_JX0D03: hvrwasmagent replay: {}", e.replace('\n', " "));
                ExitCode::from(1)
            }
        },
        _ => exit("", agent::run(&args)),
    }
}

/// A command that passes or fails: exit 0 or 1.
fn done<E: std::fmt::Display>(command: &str, result: Result<bool, E>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            say_err!("hvrwasmagent {command}: {e}");
            ExitCode::from(1)
        }
    }
}

/// A call's end, as HVR reads it.
fn exit(command: &str, result: Result<Exit, agent::AgentError>) -> ExitCode {
    match result {
        Ok(Exit::Done) => ExitCode::SUCCESS,
        // HVR: exit 2 means "not my mode", and nothing may be printed.
        Ok(Exit::IgnoredMode) => {
            if !command.is_empty() {
                say_err!(
                    "hvrwasmagent {command}: give a mode HVR calls (refr_write_end, integ_end, ...)"
                );
            }
            ExitCode::from(2)
        }
        Err(e) => {
            // HVR shows stderr in the job log: one line, F_J code first. Every error's message
            // already carries its cause, so the chain is not printed again.
            // Secrets are masked here too: library messages may quote what they were given.
            let command = if command.is_empty() {
                String::new()
            } else {
                format!("{command}: ")
            };
            say_err!("F_JX0D03: {command}{}", e.to_string().replace('\n', " "));
            ExitCode::from(1)
        }
    }
}

fn usage() -> String {
    format!(
        "hvrwasmagent {}: HVR AgentPlugin loading HVR's files into a database through a WebAssembly connector\n\n\
         usage: hvrwasmagent <mode> <channel> <location> [\"<options>\"]   (as HVR's AgentPlugin calls it)\n\
         \x20      hvrwasmagent check [<channel> <location> \"<options>\" | <options>...]\n\
         \x20      hvrwasmagent plan <mode> <channel> <location> [\"<options>\"]\n\
         \x20      hvrwasmagent replay <recording> [<options>...]\n\
         \x20      hvrwasmagent inspect <connector> [<options>]\n\
         \x20      hvrwasmagent new connector <name> [--dir <parent>]\n\
         \x20      hvrwasmagent build [<crate folder>]\n\
         \x20      hvrwasmagent selftest --connector <name|path> --connect-string <odbc> [<options>]\n\
         \x20      hvrwasmagent --help | --version",
        env!("CARGO_PKG_VERSION")
    )
}

fn print_help() {
    use clap::CommandFactory;
    say!(
        "{}\n\n\
         Modes: refr_write_begin, refr_write_end, integ_begin, integ_end; others exit 2.\n\
         check   checks a configuration before the first cycle (connector, target, state table,\n\
         \x20       the tables of HVR_TBL_NAMES, the file location); exit 0 or 1.\n\
         plan    prints the SQL the cycle HVR's environment describes would run; changes nothing.\n\
         replay  runs a call recorded with --record DIR again, e.g. against a scratch database.\n\
         inspect describes a connector or transform.\n\
         new     creates a connector crate (SDK vendored) that builds and passes selftest.\n\
         build   builds a connector crate into a component and checks it loads.\n\
         selftest plays HVR against a connector and a scratch schema and checks every table\n\
         \x20       (hvrwasmagent selftest --help); exit 0 or 1.\n\n\
         Built-in connectors: {}.\n\
         The options are HVR's /UserArgument, one string; every option can also be set as an\n\
         environment variable HVR_WASM_<OPTION>. See docs/operations.md.\n",
        usage(),
        hvrwasm_host::connectors::built_in_names().join(", ")
    );
    let connector_help = format!(
        "Connector: a built-in name ({}) or a path to a .wasm component",
        hvrwasm_host::connectors::built_in_names().join(", ")
    );
    let mut cmd =
        hvrwasm_host::options::Options::command().mut_arg("connector", |a| a.help(connector_help));
    let _ = cmd.print_help();
}
