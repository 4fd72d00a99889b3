//! `hvrwasmagent check [CHANNEL LOCATION "USERARG" | OPTIONS...]`: the configuration a
//! channel would run with, checked before its first cycle. One line per check, with what to
//! do when it fails; exit 1 when any failed. Nothing is changed but a probe object in the
//! file location (written, read, listed and deleted) and the state table, created empty when
//! missing as the first cycle would.

mod location;
mod target;

use crate::agent::AgentError;
use crate::connectors::{self, Origin};
use crate::domain::ConnectorInfo;
use crate::hvr::HvrEnv;
use crate::options::Options;
use crate::runtime::Sandbox;

/// How the checks went, printed as they run.
pub(crate) struct Report {
    failed: usize,
}

impl Report {
    fn ok(&mut self, what: &str, detail: impl std::fmt::Display) {
        say!("ok    {what:<12} {}", one_line(detail));
    }
    /// Worth knowing, but not wrong for every channel: does not fail the check.
    fn warn(&mut self, what: &str, detail: impl std::fmt::Display, todo: &str) {
        say!("warn  {what:<12} {}", one_line(detail));
        say!("      {:<12} -> {todo}", "");
    }
    fn fail(&mut self, what: &str, detail: impl std::fmt::Display, todo: &str) {
        self.failed += 1;
        say!("FAIL  {what:<12} {}", one_line(detail));
        say!("      {:<12} -> {todo}", "");
    }
}

/// Drivers' messages span lines; a check's is one.
fn one_line(detail: impl std::fmt::Display) -> String {
    detail
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs every check it can; returns whether all passed.
pub fn check(args: &[String]) -> Result<bool, AgentError> {
    let (channel, location, words) = super::channel_and_words(args)
        .map_err(|e| AgentError::Options(crate::options::OptionsError::Invalid(e)))?;
    let env = HvrEnv::from_process()?;
    for (name, value) in env.long_option_values() {
        // SAFETY: no other thread runs yet.
        unsafe { std::env::set_var(name, value) };
    }
    let mut report = Report { failed: 0 };
    let options = match Options::from_words(words) {
        Ok(o) => o,
        Err(e) => {
            report.fail(
                "options",
                e,
                "fix the option named above (hvrwasmagent --help)",
            );
            return Ok(false);
        }
    };
    crate::watchdog::start(options.wait_bounds());
    if !channel.is_empty() {
        report.ok("channel", format!("{channel}, location {location}"));
    }
    let info = connector(&options, &mut report);
    transforms(&options, &mut report);
    target::check(&options, &env, info.as_ref(), &mut report);
    location::check(&options, &env, &mut report);
    if report.failed == 0 {
        say!("check: every check passed");
    } else {
        say!("check: {} check(s) failed", report.failed);
    }
    Ok(report.failed == 0)
}

/// Each `--transform` loads and runs under the sandbox.
fn transforms(options: &Options, report: &mut Report) {
    for path in options.transforms.iter().filter(|t| !t.is_empty()) {
        let loaded = (|| -> Result<String, AgentError> {
            let bytes = connectors::read_transform(path)?;
            let sandbox = Sandbox::new(options.limits(), options.compile_cache())?;
            let compiled = sandbox.compile_transform(&bytes.name, &bytes.wasm)?;
            sandbox.instantiate_transform(&bytes.name, &compiled)?;
            Ok(compiled.contract.clone())
        })();
        match loaded {
            Ok(contract) => report.ok("transform", format!("{path} ({contract})")),
            Err(e) => report.fail(
                "transform",
                e,
                "give --transform the path of a transform .wasm",
            ),
        }
    }
}

/// Resolves, compiles and describes the connector.
fn connector(options: &Options, report: &mut Report) -> Option<ConnectorInfo> {
    match crate::agent::describe_connector(options) {
        Ok(crate::agent::Described {
            origin,
            contract,
            info,
        }) => {
            let origin = match origin {
                Origin::BuiltIn => "built in".to_string(),
                Origin::File(p) => p.display().to_string(),
            };
            report.ok(
                "connector",
                format!(
                    "{} {} ({origin}), contract {contract}, dialect {}; limits {} ms per call, {} MiB",
                    info.name, info.version, info.dialect, options.guest_timeout_ms, options.guest_memory_mb
                ),
            );
            let given = options.connector_options().map_err(|e| e.to_string());
            let count = given.as_ref().map_or(0, Vec::len);
            match given.and_then(|g| info.checked_options(&g).map_err(|e| e.to_string())) {
                Ok(_) if count > 0 => {
                    report.ok("options", format!("{count} connector option(s) accepted"))
                }
                Ok(_) => {}
                Err(e) => report.fail(
                    "options",
                    e,
                    "hvrwasmagent inspect CONNECTOR lists the options it declares",
                ),
            }
            if !info.styles.contains(&options.style()) {
                report.fail(
                    "style",
                    format!("{} does not support the {} style", info.name, options.style().name()),
                    "choose a connector that does (hvrwasmagent inspect NAME lists its styles), or change -t/-D",
                );
            }
            Some(info)
        }
        Err(e) => {
            report.fail(
                "connector",
                e,
                &format!(
                    "give --connector a built-in name ({}) or the path of a connector .wasm",
                    connectors::built_in_names().join(", ")
                ),
            );
            None
        }
    }
}
