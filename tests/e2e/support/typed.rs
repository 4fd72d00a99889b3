//! Typed files (Parquet, Avro, JSON) for the tests, written by pyarrow and fastavro as HVR
//! writes them, and a one-table channel to load them with.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::hvr::{Hvr, Run, scratch};
use super::model::Style;
use super::stores::StoreLocation;
use super::target::{Db, Target};

fn python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/python");
    assert!(
        python.is_file(),
        "pyarrow and fastavro are required for this test and are not installed; run scripts/setup.sh --servers"
    );
    python
}

/// One table `t` of one test, on a fresh target.
pub struct Channel {
    pub target: Target,
    pub hvr: Hvr,
}

impl Channel {
    pub fn new(db: Db, test: &str, user_arg: &str) -> Channel {
        let dir = scratch(test);
        let target = Target::fresh(db, test, &dir);
        let mut hvr = Hvr::new(&dir, vec![], Style::ReplicationCopy, "main");
        hvr.env.push((
            "HVR_WASM_CONNECT_STRING".into(),
            target.connect_string.clone(),
        ));
        hvr.env
            .push(("HVR_WASM_CONNECTOR".into(), target.connector().to_string()));
        hvr.user_arg = user_arg.to_string();
        Channel { target, hvr }
    }

    /// Changes one of the channel's Environment variables in place.
    pub fn edit_env(&mut self, name: &str, edit: impl FnOnce(&mut String)) {
        let (_, value) = self
            .hvr
            .env
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not set"));
        edit(value);
    }

    /// psqlODBC's `Protocol=7.4-1` (the suite's default) rolls a transaction back on any
    /// error; setting rows aside needs `7.4-0` (or `-2`, or none).
    pub fn keep_transactions_open(&mut self) {
        self.edit_env("HVR_WASM_CONNECT_STRING", |value| {
            *value = value.replace("Protocol=7.4-1;", "Protocol=7.4-0;")
        });
    }

    /// The same, with the files in a store.
    pub fn in_store(db: Db, test: &str, user_arg: &str, store: StoreLocation) -> Channel {
        let mut ch = Channel::new(db, test, user_arg);
        ch.hvr.use_store(store);
        ch
    }

    /// Moves a file written locally to the store, when the channel has one.
    fn publish(&self, name: &str) {
        if let Some(store) = &self.hvr.store {
            let path = self.hvr.files_dir.join(name);
            store.put(name, &std::fs::read(&path).unwrap());
            std::fs::remove_file(path).unwrap();
        }
    }

    /// Writes a Parquet or Avro file from `spec` (see typed_files.py) into the location.
    pub fn typed(&self, format: &str, name: &str, spec: Value) {
        let out = self.hvr.files_dir.join(name);
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/support/typed_files.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(format)
            .arg(&out)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(spec.to_string().as_bytes())
            .unwrap();
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "writing {name}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
        self.publish(name);
    }

    pub fn raw(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.hvr.files_dir.join(name), bytes).unwrap();
        self.publish(name);
    }

    /// Calls `mode` for table `t` with these channel columns and files (name, rows).
    pub fn call(&self, mode: &str, columns: &str, keys: &str, files: &[(&str, usize)]) -> Run {
        self.call_tables(mode, &[("t", columns, keys)], files)
    }

    /// `call` with extra variables (e.g. a test crash point).
    pub fn call_with(
        &self,
        mode: &str,
        columns: &str,
        keys: &str,
        files: &[(&str, usize)],
        extra: &[(String, String)],
    ) -> Run {
        self.call_tables_with(mode, &[("t", columns, keys)], files, extra)
    }

    /// Calls `mode` for several tables (name, channel columns, keys) and their files.
    pub fn call_tables(
        &self,
        mode: &str,
        tables: &[(&str, &str, &str)],
        files: &[(&str, usize)],
    ) -> Run {
        self.call_tables_with(mode, tables, files, &[])
    }

    fn call_tables_with(
        &self,
        mode: &str,
        tables: &[(&str, &str, &str)],
        files: &[(&str, usize)],
        extra: &[(String, String)],
    ) -> Run {
        self.hvr.call(mode, &self.vars(tables, files, extra))
    }

    /// The binary with other arguments (`check ...`, `plan integ_end ...`, `replay DIR`) and
    /// the environment a call for table `t` with these columns and files would get.
    pub fn tool(&self, args: &[&str], columns: &str, keys: &str, files: &[(&str, usize)]) -> Run {
        self.hvr
            .run_args(args, &self.vars(&[("t", columns, keys)], files, &[]))
    }

    /// The `HVR_*` variables of a call for these tables and files.
    pub fn vars(
        &self,
        tables: &[(&str, &str, &str)],
        files: &[(&str, usize)],
        extra: &[(String, String)],
    ) -> Vec<(String, String)> {
        let per_table = |f: fn(&(&str, &str, &str)) -> String| {
            tables.iter().map(f).collect::<Vec<_>>().join(":")
        };
        let names: Vec<&str> = files.iter().map(|f| f.0).collect();
        let rows: Vec<String> = files.iter().map(|f| f.1.to_string()).collect();
        let vars: Vec<(String, String)> = [
            ("HVR_TBL_NAMES", per_table(|t| t.0.to_string())),
            ("HVR_BASE_NAMES", per_table(|t| t.0.to_string())),
            ("HVR_COL_NAMES", per_table(|t| t.1.to_string())),
            ("HVR_TBL_KEYS", per_table(|t| t.2.to_string())),
            ("HVR_FILE_NAMES", names.join(":")),
            ("HVR_FILE_NROWS", rows.join(":")),
            ("HVR_FILE_LOC", self.hvr.file_location()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(extra.iter().cloned())
        .collect();
        vars
    }

    pub fn file_exists(&self, name: &str) -> bool {
        match &self.hvr.store {
            Some(store) => store.names().iter().any(|n| n == name),
            None => self.hvr.files_dir.join(name).exists(),
        }
    }

    /// `column` as text in the target's dialect, for comparing values across databases.
    pub fn text(&self, column: &str) -> String {
        let c = self.target.ident(column);
        match self.target.db {
            Db::Postgres => format!("{c}::text"),
            Db::Mariadb => format!("CAST({c} AS CHAR)"),
            Db::Sqlite => format!("CAST({c} AS TEXT)"),
        }
    }

    /// Rows of `t` with these columns as text, ordered by the first.
    pub fn rows(&self, columns: &[&str]) -> Vec<Vec<Option<String>>> {
        self.rows_of("t", columns)
    }

    /// Rows of `t` with these columns as text, ordered by the first as a number (`rows`
    /// orders the text: `10` before `2`).
    pub fn rows_by_id(&self, columns: &[&str]) -> Vec<Vec<Option<String>>> {
        let mut rows = self.rows(columns);
        rows.sort_by_key(|r| r[0].as_ref().unwrap().parse::<i64>().unwrap());
        rows
    }

    /// Rows of `table` with these columns as text, ordered by all of them.
    pub fn rows_of(&self, table: &str, columns: &[&str]) -> Vec<Vec<Option<String>>> {
        let list: Vec<String> = columns.iter().map(|c| self.text(c)).collect();
        let order: Vec<String> = columns.iter().map(|c| self.target.ident(c)).collect();
        self.target.query(&format!(
            "SELECT {} FROM {} ORDER BY {}",
            list.join(", "),
            self.target.ident(table),
            order.join(", ")
        ))
    }

    /// The target's type name of each column of `t`, lower case, in order.
    pub fn column_types(&self) -> Vec<(String, String)> {
        let sql = match self.target.db {
            Db::Postgres => "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position".to_string(),
            Db::Mariadb => "SELECT column_name, column_type FROM information_schema.columns WHERE table_name = 't' AND table_schema = DATABASE() ORDER BY ordinal_position".to_string(),
            Db::Sqlite => "SELECT name, type FROM pragma_table_info('t') ORDER BY cid".to_string(),
        };
        self.target
            .query(&sql)
            .into_iter()
            .map(|r| {
                (
                    r[0].clone().unwrap_or_default().to_lowercase(),
                    r[1].clone().unwrap_or_default().to_lowercase(),
                )
            })
            .collect()
    }
}

/// Columns of a typed file's spec, as (name, type) pairs (types as typed_files.py names them).
pub fn cols(pairs: &[(&str, &str)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(name, ty)| serde_json::json!({"name": name, "type": ty}))
        .collect()
}

/// A typed file's spec for typed_files.py: its columns and rows.
pub fn spec(columns: Vec<Value>, rows: Vec<Value>) -> Value {
    serde_json::json!({"columns": columns, "rows": rows})
}

pub fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}
