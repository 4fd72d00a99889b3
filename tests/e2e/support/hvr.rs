//! A simulated HVR: writes CSV files the way HVR's FileFormat /Csv /HeaderLine does, sets the
//! AgentPlugin environment, and runs the real binary for each call of a cycle.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use super::channel::csv_line;
use super::data::TableDef;
use super::model::{Change, Style};
use super::stores::{self, StoreLocation};

pub const BINARY: &str = env!("CARGO_BIN_EXE_hvrwasmagent");

/// A connector component built by host/build.rs (`guest_sqlite`, `guest_hostile`, ...).
pub fn guest_wasm(crate_name: &str) -> PathBuf {
    let target_dir = Path::new(BINARY).parent().unwrap().parent().unwrap();
    let wasm = target_dir.join(format!(
        "guest-build/wasm32-wasip2/release/{crate_name}.wasm"
    ));
    assert!(wasm.is_file(), "{} was not built", wasm.display());
    wasm
}

/// A private scratch directory per test, emptied at the start.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("hvrwasm-e2e")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The result of one binary run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Every run of the suite passes here: no output may hold a secret the suite handed out.
    fn from(output: Output) -> Run {
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            if let Some(secret) = stores::find_secret(text) {
                panic!(
                    "a secret ({} characters) was printed on {stream}:\n{text}",
                    secret.len()
                );
            }
        }
        run
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
    }

    /// Exit 1 with an `F_J` line on stderr that contains every fragment.
    #[track_caller]
    pub fn assert_fails_with(&self, fragments: &[&str]) {
        assert_eq!(
            self.code, 1,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("F_JX0D03: "))
            .unwrap_or_else(|| panic!("no F_JX0D03 line on stderr:\n{}", self.stderr));
        for f in fragments {
            assert!(line.contains(f), "{f:?} not in {line:?}");
        }
    }
}

/// One file to hand to HVR's call.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    pub rows: usize,
}

/// The channel as HVR sees it on the target location.
pub struct Hvr {
    pub dir: PathBuf,
    pub files_dir: PathBuf,
    pub tables: Vec<TableDef>,
    pub style: Style,
    /// Schema used for tables whose base name HVR qualifies.
    pub schema: String,
    /// The UserArgument string.
    pub user_arg: String,
    /// Environment actions (`HVR_WASM_*`).
    pub env: Vec<(String, String)>,
    /// A cloud location instead of `files_dir`.
    pub store: Option<StoreLocation>,
    /// Files are gzip-compressed (FileFormat /Compress=GZIP).
    pub compress: bool,
    cycle: u64,
}

impl Hvr {
    pub fn new(dir: &Path, tables: Vec<TableDef>, style: Style, schema: &str) -> Hvr {
        let files_dir = dir.join("loc");
        std::fs::create_dir_all(&files_dir).unwrap();
        Hvr {
            dir: dir.to_path_buf(),
            files_dir,
            tables,
            style,
            schema: schema.to_string(),
            user_arg: style.flags().to_string(),
            env: Vec::new(),
            store: None,
            compress: false,
            cycle: 0,
        }
    }

    /// Columns HVR puts in this call's files (see `channel::file_columns`).
    pub fn columns(&self, table: &TableDef, refresh: bool) -> Vec<(String, String, bool)> {
        super::channel::file_columns(table, self.style, refresh)
    }

    pub fn base_name(&self, table: &TableDef) -> String {
        if table.qualified {
            format!("{}.{}", self.schema, table.base)
        } else {
            table.base.to_string()
        }
    }

    /// Renders a table's changes as one or more files (split to test multi-file order).
    pub fn files_for(
        &mut self,
        table: &TableDef,
        changes: &[Change],
        refresh: bool,
        parts: usize,
    ) -> Vec<File> {
        let mut files = Vec::new();
        let per = changes.len().div_ceil(parts.max(1)).max(1);
        for (i, chunk) in changes.chunks(per).enumerate() {
            self.cycle += 1;
            let text = super::channel::csv_text(table, self.style, refresh, chunk);
            let bytes = if self.compress {
                use std::io::Write as _;
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(text.as_bytes()).unwrap();
                gz.finish().unwrap()
            } else {
                text.into_bytes()
            };
            files.push(File {
                name: format!("2024{:010}{i}-{}.csv", self.cycle, table.name),
                bytes,
                rows: chunk.len(),
            });
        }
        files
    }

    /// The AgentPlugin environment for an `*_end` call covering `tables` and `files`.
    pub fn end_env(
        &self,
        tables: &[&TableDef],
        files: &[File],
        refresh: bool,
    ) -> Vec<(String, String)> {
        let per_table = |f: &dyn Fn(&TableDef) -> String| {
            tables.iter().map(|t| f(t)).collect::<Vec<_>>().join(":")
        };
        let cols = |t: &TableDef, base: bool, keys_only: bool| {
            self.columns(t, refresh)
                .into_iter()
                .filter(|(_, _, k)| !keys_only || *k)
                .map(|(n, b, _)| if base { b } else { n })
                .collect::<Vec<_>>()
                .join(",")
        };
        vec![
            ("HVR_TBL_NAMES".into(), per_table(&|t| t.name.to_string())),
            ("HVR_BASE_NAMES".into(), per_table(&|t| self.base_name(t))),
            (
                "HVR_COL_NAMES".into(),
                per_table(&|t| cols(t, false, false)),
            ),
            (
                "HVR_COL_NAMES_BASE".into(),
                per_table(&|t| cols(t, true, false)),
            ),
            ("HVR_TBL_KEYS".into(), per_table(&|t| cols(t, false, true))),
            (
                "HVR_TBL_KEYS_BASE".into(),
                per_table(&|t| cols(t, true, true)),
            ),
            ("HVR_FILE_LOC".into(), self.file_location()),
            (
                "HVR_FILE_NAMES".into(),
                files
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join(":"),
            ),
            (
                "HVR_FILE_NROWS".into(),
                files
                    .iter()
                    .map(|f| f.rows.to_string())
                    .collect::<Vec<_>>()
                    .join(":"),
            ),
        ]
    }

    /// Files go to a cloud store from now on: HVR_FILE_LOC becomes its URL, and the
    /// Environment actions that reach it are added.
    pub fn use_store(&mut self, store: StoreLocation) {
        self.env.extend(store.env.iter().cloned());
        self.store = Some(store);
    }

    pub fn file_location(&self) -> String {
        match &self.store {
            Some(store) => store.url.clone(),
            None => self.files_dir.to_string_lossy().into_owned(),
        }
    }

    pub fn write(&self, files: &[File]) {
        for f in files {
            match &self.store {
                Some(store) => store.put(&f.name, &f.bytes),
                None => std::fs::write(self.files_dir.join(&f.name), &f.bytes).unwrap(),
            }
        }
    }

    /// The binary as HVR runs it: `<mode> <channel> <location> <userarg>`, stdin closed, an
    /// environment made only of what HVR and the Environment actions set.
    pub fn command(&self, mode: &str, vars: &[(String, String)]) -> Command {
        let mut cmd = Command::new(BINARY);
        cmd.args([mode, "chn", "trg", &self.user_arg])
            .env_clear()
            .current_dir(&self.files_dir)
            .stdin(std::process::Stdio::null());
        for keep in ["PATH", "HOME", "LANG", "ODBCSYSINI", "ODBCINI"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// The binary with `args` instead of HVR's four, in the same environment.
    pub fn run_args(&self, args: &[&str], vars: &[(String, String)]) -> Run {
        let mut cmd = self.command("", vars);
        // `command` set HVR's four arguments; start again with these.
        let program = cmd.get_program().to_owned();
        let mut fresh = Command::new(program);
        fresh
            .args(args)
            .env_clear()
            .envs(
                cmd.get_envs()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
            )
            .current_dir(&self.files_dir)
            .stdin(std::process::Stdio::null());
        cmd = fresh;
        Run::from(cmd.output().expect("run hvrwasmagent"))
    }

    pub fn call(&self, mode: &str, vars: &[(String, String)]) -> Run {
        Run::from(self.command(mode, vars).output().expect("run hvrwasmagent"))
    }

    /// Writes a refresh's files and returns the `refr_write_end` environment, without calling.
    pub fn stage_refresh(&mut self, per_table: &[(usize, Vec<Change>)]) -> Vec<(String, String)> {
        let (files, tables) = self.render(per_table, true);
        self.write(&files);
        let refs: Vec<&TableDef> = tables.iter().collect();
        self.end_env(&refs, &files, true)
    }

    /// Writes a cycle's files and returns the `integ_end` environment, without calling.
    pub fn stage_integrate(&mut self, per_table: &[(usize, Vec<Change>)]) -> Vec<(String, String)> {
        let (files, tables) = self.render(per_table, false);
        self.write(&files);
        let refs: Vec<&TableDef> = tables.iter().collect();
        self.end_env(&refs, &files, false)
    }

    /// `refr_write_begin`, write files, `refr_write_end`.
    pub fn refresh(&mut self, per_table: &[(usize, Vec<Change>)]) -> Run {
        self.call("refr_write_begin", &[]).assert_ok();
        self.run_end("refr_write_end", per_table, true)
    }

    /// `integ_begin`, write files, `integ_end`.
    pub fn integrate(&mut self, per_table: &[(usize, Vec<Change>)]) -> Run {
        self.call("integ_begin", &[]).assert_ok();
        self.run_end("integ_end", per_table, false)
    }

    fn render(
        &mut self,
        per_table: &[(usize, Vec<Change>)],
        refresh: bool,
    ) -> (Vec<File>, Vec<TableDef>) {
        let mut files = Vec::new();
        let mut tables = Vec::new();
        for (i, changes) in per_table {
            if changes.is_empty() {
                continue;
            }
            let table = self.tables[*i].clone();
            let parts = if changes.len() > 10 { 2 } else { 1 };
            files.extend(self.files_for(&table, changes, refresh, parts));
            tables.push(table);
        }
        (files, tables)
    }

    fn run_end(&mut self, mode: &str, per_table: &[(usize, Vec<Change>)], refresh: bool) -> Run {
        let (files, tables) = self.render(per_table, refresh);
        self.write(&files);
        let refs: Vec<&TableDef> = tables.iter().collect();
        let vars = self.end_env(&refs, &files, refresh);
        self.call(mode, &vars)
    }

    /// Names of the files still in the location (HVR's state directory aside).
    pub fn leftover_files(&self) -> Vec<String> {
        if let Some(store) = &self.store {
            return store
                .names()
                .into_iter()
                .filter(|n| !n.starts_with("_hvr_state/"))
                .collect();
        }
        let mut names: Vec<String> = std::fs::read_dir(&self.files_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
