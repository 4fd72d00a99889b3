//! `hvrwasmagent <mode> <channel> <location> [userarg]`, as HVR's AgentPlugin calls it.

use std::process::ExitCode;

use hvrwasm_host::agent::{self, Exit};
use hvrwasm_host::{say, say_err};

fn main() -> ExitCode {
    // Panics print through the secret filter too. Table work runs on lane threads, where a
    // panic fails only that table (its error follows in the summary); one on the main thread
    // ends the call, with the one F_J line HVR looks for.
    std::panic::set_hook(Box::new(|info| {
        if std::thread::current().name() == Some("main") {
            say_err!("F_JX0D03: hvrwasmagent stopped on an internal error: {info}");
        } else {
            say!("W_JX0E00: a table's work panicked: {info}");
        }
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(
        args.first().map(String::as_str),
        Some("-h" | "--help" | "help")
    ) {
        print_help();
        return ExitCode::SUCCESS;
    }
    // HVR always passes a mode; a person typing the bare name or --version gets an answer.
    match args.first().map(String::as_str) {
        None => {
            say_err!("hvrwasmagent: no mode given; see hvrwasmagent --help");
            return ExitCode::from(2);
        }
        Some("-V" | "--version" | "version") => {
            say!("hvrwasmagent {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if args.first().map(String::as_str) == Some("inspect") {
        return match hvrwasm_host::inspect::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                say_err!("hvrwasmagent inspect: {e}");
                ExitCode::from(1)
            }
        };
    }
    match agent::run(&args) {
        Ok(Exit::Done) => ExitCode::SUCCESS,
        // HVR: exit 2 means "not my mode", and nothing may be printed.
        Ok(Exit::IgnoredMode) => ExitCode::from(2),
        Err(e) => {
            // HVR shows stderr in the job log: one line, F_J code first. Every error's message
            // already carries its cause, so the chain is not printed again.
            // Secrets are masked here too: library messages may quote what they were given.
            say_err!("F_JX0D03: {}", e.to_string().replace('\n', " "));
            ExitCode::from(1)
        }
    }
}

fn print_help() {
    use clap::CommandFactory;
    say!(
        "usage: hvrwasmagent <mode> <channel> <location> [\"<options>\"]\n\
         \x20      hvrwasmagent inspect <connector> [options]\n\n\
         HVR AgentPlugin. Modes: refr_write_begin, refr_write_end, integ_begin, integ_end;\n\
         others exit 2. The options are HVR's /UserArgument, one string; every option can also\n\
         be set as an environment variable HVR_WASM_<OPTION>.\n"
    );
    let mut cmd = hvrwasm_host::options::Options::command();
    let _ = cmd.print_help();
}
