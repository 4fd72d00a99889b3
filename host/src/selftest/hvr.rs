//! HVR as `selftest` plays it: one channel per style over the scratch tables, files written
//! into a local location, and the real binary (this one) run for each call with HVR's
//! arguments and environment, as HVR runs an AgentPlugin.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::channel::{self, CallFile};
use super::cli::SelftestArgs;
use super::data::{Kind, Rng, TableDef, channel as channel_tables};
use super::model::{self, Change, Style, TableModel};
use super::scratch::Scratch;
use super::{SelftestError, style_name};

/// One style's channel.
pub struct Hvr {
    pub style: Style,
    /// Each table with the base name HVR gives it.
    pub tables: Vec<(TableDef, String)>,
    pub models: Vec<TableModel>,
    pub rng: Rng,
    pub seq: u64,
    pub rows_per_table: usize,
    location: PathBuf,
    user_arg: Vec<String>,
    env: Vec<(String, String)>,
    files_written: u64,
}

impl Hvr {
    pub fn new(args: &SelftestArgs, scratch: &Scratch, style: Style) -> Result<Hvr, SelftestError> {
        let tag = match style {
            Style::ReplicationCopy => "rc",
            Style::SoftDelete => "sd",
            Style::TimeKey => "tk",
        };
        let root = match &args.work_dir {
            Some(dir) => dir.clone(),
            None => std::env::temp_dir().join(format!("hvrwasm-selftest-{}", std::process::id())),
        };
        let location = root.join(tag);
        let io = |what: String| move |source| SelftestError::Io { what, source };
        let _ = std::fs::remove_dir_all(&location);
        std::fs::create_dir_all(&location)
            .map_err(io(format!("creating {}", location.display())))?;
        let tables: Vec<(TableDef, String)> = channel_tables()
            .into_iter()
            .map(|t| {
                let base = scratch.base_name(tag, t.base)?;
                Ok((t, base))
            })
            .collect::<Result<_, SelftestError>>()?;
        let types = location.join("column-types.txt");
        std::fs::write(&types, column_types(&tables))
            .map_err(io(format!("writing {}", types.display())))?;
        let mut user_arg = vec![
            "--connector".to_string(),
            args.connector.clone(),
            "--state-table".into(),
            scratch.state_table()?,
            "--column-types-file".into(),
            types.to_string_lossy().into_owned(),
            "--lock-timeout".into(),
            "30".into(),
        ];
        user_arg.extend(style_flags(style).iter().map(|s| s.to_string()));
        for option in &args.connector_options {
            user_arg.extend(["--connector-option".to_string(), option.clone()]);
        }
        let mut env = Vec::new();
        if let Some(cs) = &args.connect_string {
            env.push(("HVR_WASM_CONNECT_STRING".to_string(), cs.clone()));
        }
        if let Some(dsn) = &args.dsn {
            env.push(("HVR_WASM_DSN".to_string(), dsn.clone()));
        }
        let models = tables
            .iter()
            .map(|(t, _)| TableModel::new(t.clone(), style))
            .collect();
        Ok(Hvr {
            style,
            tables,
            models,
            rng: Rng::new(0x5e1f_7e57 + style as u64),
            seq: 0,
            rows_per_table: args.rows,
            location,
            user_arg,
            env,
            files_written: 0,
        })
    }

    /// A refresh of `rows` rows per table; the models become exactly these.
    pub fn refresh_changes(&mut self, rows: usize) -> Vec<(usize, Vec<Change>)> {
        let (rng, seq) = (&mut self.rng, &mut self.seq);
        model::each(&mut self.models, |_, m| m.refresh(rows, rng, seq))
    }

    /// One cycle of about `changes` random changes per table.
    pub fn cycle_changes(&mut self, changes: usize) -> Vec<(usize, Vec<Change>)> {
        let (rng, seq) = (&mut self.rng, &mut self.seq);
        model::each(&mut self.models, |_, m| m.cycle(changes, rng, seq))
    }

    /// Writes one file per table that has changes; returns the `*_end` environment. A refresh
    /// lists a table without changes with no file (its source is empty); a cycle leaves it out.
    pub fn stage(
        &mut self,
        per_table: &[(usize, Vec<Change>)],
        refresh: bool,
    ) -> Result<Vec<(String, String)>, String> {
        let mut files = Vec::new();
        let mut tables = Vec::new();
        for (i, changes) in per_table {
            let (def, base) = &self.tables[*i];
            if changes.is_empty() {
                if refresh {
                    tables.push((def, base.clone()));
                }
                continue;
            }
            self.files_written += 1;
            let name = format!("20261203{:09}-{}.csv", self.files_written, def.name);
            let text = channel::csv_text(def, self.style, refresh, changes);
            std::fs::write(self.location.join(&name), text)
                .map_err(|e| format!("writing {name}: {e}"))?;
            files.push(CallFile {
                name,
                rows: changes.len(),
            });
            tables.push((def, base.clone()));
        }
        let location = self.location.to_string_lossy().into_owned();
        Ok(channel::end_env(
            &tables, self.style, refresh, &location, &files,
        ))
    }

    /// The binary as HVR runs it: `MODE CHANNEL LOCATION USERARG`, stdin closed, an
    /// environment made of what HVR and the channel's Environment actions set.
    fn command(&self, mode: &str, vars: &[(String, String)], extra: &[&str]) -> Command {
        let mut words = self.user_arg.clone();
        words.extend(extra.iter().map(|s| s.to_string()));
        let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("hvrwasmagent"));
        let mut cmd = Command::new(exe);
        cmd.args([
            mode,
            &format!("selftest_{}", style_name(self.style).replace('-', "_")),
            "trg",
            &shell_words::join(&words),
        ])
        .env_clear()
        .current_dir(&self.location)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        for keep in ["PATH", "HOME", "LANG", "TMPDIR", "ODBCSYSINI", "ODBCINI"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs one call to its end; `Err` carries the call's `F_J` line (or its output).
    pub fn call(
        &self,
        mode: &str,
        vars: &[(String, String)],
        extra: &[&str],
    ) -> Result<(), String> {
        let out = self
            .command(mode, vars, extra)
            .output()
            .map_err(|e| format!("cannot run {mode}: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr
            .lines()
            .find(|l| l.starts_with("F_J"))
            .map(str::to_string)
            .unwrap_or_else(|| format!("{mode} exited with {}: {}", out.status, stderr.trim()));
        Err(crate::secrets::redact(&line))
    }

    /// Starts a call without waiting for it (for the kill trials).
    pub fn spawn(&self, mode: &str, vars: &[(String, String)]) -> Result<Child, String> {
        let mut cmd = self.command(mode, vars, &[]);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        cmd.spawn().map_err(|e| format!("cannot run {mode}: {e}"))
    }

    /// Every table equals its model; `Ok` says how many rows were compared.
    pub fn compare(&self, scratch: &Scratch) -> Result<String, String> {
        let mut rows = 0;
        for ((def, base), model) in self.tables.iter().zip(&self.models) {
            let got = scratch.rows(base, def, self.style)?;
            let want = model.expected();
            if let Some(diff) = channel::difference(&got, &want) {
                return Err(format!("table {base} holds {diff}"));
            }
            rows += got.len();
        }
        let left = self.leftover_files();
        if !left.is_empty() {
            return Err(format!(
                "the call succeeded but left its files: {}",
                left.join(", ")
            ));
        }
        Ok(format!("{rows} rows in {} tables match", self.tables.len()))
    }

    fn leftover_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.location)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".csv"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn style_flags(style: Style) -> &'static [&'static str] {
    match style {
        Style::ReplicationCopy => &[],
        Style::SoftDelete => &["-D", "is_deleted"],
        Style::TimeKey => &["-t"],
    }
}

/// `--column-types-file` lines: the type of every typed column of the channel, so that the
/// connector creates typed tables (keys of text bounded, for databases that index only
/// bounded text), and integers for the extra columns.
fn column_types(tables: &[(TableDef, String)]) -> String {
    let mut lines = vec![
        "*.op_type=int32".to_string(),
        "*.is_deleted=int32".to_string(),
        "*.integ_seq=text(36)".to_string(),
    ];
    for (t, _) in tables {
        for c in &t.columns {
            let ty = match (c.kind, c.key) {
                (Kind::Int, _) => "int64",
                (Kind::Text, true) => "text(400)",
                (Kind::Text, false) => continue,
                (Kind::Money, _) => "decimal(12,2)",
                (Kind::Price, _) => "decimal(10,4)",
                (Kind::Stamp, _) => "timestamp(6)",
                (Kind::Stamp0, _) => "timestamp(0)",
            };
            lines.push(format!("{}.{}={ty}", t.name, c.name));
        }
    }
    lines.join("\n") + "\n"
}
