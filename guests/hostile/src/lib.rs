//! A connector that misbehaves on purpose, chosen with `--connector-option behave=<what>`, so the
//! suite can prove the sandbox holds: endless loops and memory bombs are stopped, files, the
//! environment, arguments and sockets are out of reach, output goes to the job log, and a
//! malformed plan is refused. Not shipped.

use hvrwasm_sdk::sql::{self, CreatedTypes, Dialect, Layout};
use hvrwasm_sdk::{
    Connector, Info, Load, LoadShape, LogicalType, OptionKind, OptionSpec, Options, Plan,
    PlanError, Source, Table,
};

pub struct Hostile;

fn behaviour(options: &Options) -> String {
    options
        .extra
        .iter()
        .find(|(k, _)| k == "behave")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn report(what: String) -> Result<Plan, PlanError> {
    Err(PlanError::Unsupported(format!("probe: {what}")))
}

/// A logical type in a few characters, so a whole table fits the `F_J` line.
fn short_type(t: Option<LogicalType>) -> String {
    match t {
        None => "?".into(),
        Some(LogicalType::Decimal { precision, scale }) => format!("decimal({precision},{scale})"),
        Some(LogicalType::Timestamp {
            precision,
            with_zone,
        }) => format!(
            "timestamp({precision}{})",
            if with_zone { ",tz" } else { "" }
        ),
        Some(LogicalType::Int32) => "int32".into(),
        Some(LogicalType::Int64) => "int64".into(),
        Some(LogicalType::Text { .. }) => "text".into(),
        Some(other) => format!("{other:?}"),
    }
}

impl Connector for Hostile {
    fn describe() -> Info {
        Info::new("hostile", env!("CARGO_PKG_VERSION"), "sqlite")
            .max_parallel_tables(1)
            .option(OptionSpec::new(
                "behave",
                OptionKind::Text,
                "what to do wrong: loop, memory, echo, file, env, ...",
            ))
            // Echoed back by `behave=echo`, for the option-splitting tests.
            .option(OptionSpec::new("init", OptionKind::Text, "echoed"))
            .option(OptionSpec::new("y", OptionKind::Text, "echoed"))
    }

    fn plan_refresh(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        match behaviour(options).as_str() {
            "loop" => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 16 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            // The options as the connector got them, for the option-splitting tests.
            "echo" => report(format!("options {:?}", options.extra)),
            "file" => report(match std::fs::read_to_string("/etc/passwd") {
                Ok(text) => format!("read /etc/passwd: {}", text.lines().next().unwrap_or("")),
                Err(e) => format!("cannot read /etc/passwd: {e}"),
            }),
            "env" => report(format!(
                "{} environment variables, {} arguments, HVR_WASM_CONNECT_STRING {}",
                std::env::vars().count(),
                std::env::args().count(),
                if std::env::var("HVR_WASM_CONNECT_STRING").is_ok() {
                    "visible"
                } else {
                    "absent"
                }
            )),
            "socket" => report(match std::net::TcpStream::connect("127.0.0.1:5432") {
                Ok(_) => "connected to 127.0.0.1:5432".into(),
                Err(e) => format!("cannot connect: {e}"),
            }),
            // The logical types the host read from the target's catalog.
            "types" => report(format!(
                "types {}",
                table
                    .target_columns
                    .iter()
                    .flatten()
                    .map(|c| format!("{}:{}", c.name, short_type(c.logical_type)))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            // Writing to its own stdout and stderr on purpose: the host must show them.
            #[allow(clippy::disallowed_macros)]
            "print" => {
                println!("hello on stdout");
                eprintln!("hello on stderr");
                report("printed".into())
            }
            "panic" => panic!("the connector panicked on purpose"),
            "bad-source" => {
                let layout = Layout::new(table, options)?;
                Ok(Plan::new(
                    vec![],
                    Load::new(
                        LoadShape::ParameterArray(format!(
                            "INSERT INTO {} VALUES (?)",
                            Dialect::ANSI.table_name(table)
                        )),
                        vec![Source::Column(layout.landed.len() as u32 + 998)],
                        10,
                    ),
                    vec![],
                ))
            }
            // A plausible naive connector, for the selftest's own test: refresh is right.
            "ignore-deletes" => sql::parameter_array_refresh(
                &Dialect::ANSI,
                table,
                options,
                CreatedTypes::SQLITE,
                500,
            ),
            other => report(format!("unknown behaviour {other:?}")),
        }
    }

    fn plan_integrate(table: &Table, options: &Options) -> Result<Plan, PlanError> {
        if behaviour(options) == "ignore-deletes" {
            // Every row of the cycle upserted, whatever its op: deletes never reach the target.
            let layout = Layout::new(table, options)?;
            let target = Dialect::ANSI.table_name(table);
            let cols = Dialect::ANSI.ident_list(layout.target_names());
            let marks = vec!["?"; layout.landed.len()].join(", ");
            return Ok(Plan::new(
                vec![],
                Load::new(
                    LoadShape::ParameterArray(format!(
                        "INSERT OR REPLACE INTO {target} ({cols}) VALUES ({marks})"
                    )),
                    layout.target_sources(),
                    500,
                ),
                vec![],
            ));
        }
        Self::plan_refresh(table, options)
    }
}

hvrwasm_sdk::export_connector!(Hostile);
