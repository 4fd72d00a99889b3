// The data, the model and HVR's file and environment conventions are the host's `selftest`
// code: the suite checks targets with the same code a connector author runs.
pub use hvrwasm_host::selftest::{channel, data, model};
pub mod gcs;
pub mod hvr;
pub mod stores;
pub mod target;

use data::{Rng, TableDef, channel};
use hvr::Hvr;
use model::{Change, Style, TableModel};
use target::{Db, Target};

/// A channel wired to a fresh target, with a model per table.
pub struct Scenario {
    pub hvr: Hvr,
    pub target: Target,
    pub models: Vec<TableModel>,
    pub rng: Rng,
    pub seq: u64,
    pub style: Style,
}

impl Scenario {
    pub fn new(db: Db, style: Style, test: &str) -> Scenario {
        let dir = hvr::scratch(test);
        let target = Target::fresh(db, test, &dir);
        Scenario::on(target, style, test, &dir)
    }

    /// A scenario on a MariaDB server of the test's own (`server`: an ODBC connection string
    /// without `Database=`).
    pub fn on_mariadb(server: &str, style: Style, test: &str) -> Scenario {
        let dir = hvr::scratch(test);
        Scenario::on(Target::fresh_mariadb(server, test), style, test, &dir)
    }

    fn on(target: Target, style: Style, test: &str, dir: &std::path::Path) -> Scenario {
        let tables: Vec<TableDef> = channel();
        for t in &tables {
            target.create_table(t, style);
        }
        let mut hvr = Hvr::new(dir, tables.clone(), style, &target.schema);
        // Credentials reach the plugin the way HVR users pass them: an Environment action.
        hvr.env.push((
            "HVR_WASM_CONNECT_STRING".into(),
            target.connect_string.clone(),
        ));
        hvr.user_arg = format!("--connector {} {}", target.connector(), style.flags());
        let models = tables
            .into_iter()
            .map(|t| TableModel::new(t, style))
            .collect();
        Scenario {
            hvr,
            target,
            models,
            rng: Rng::new(test.len() as u64 * 7919 + 17),
            seq: 0,
            style,
        }
    }

    pub fn refresh_changes(&mut self, rows: usize) -> Vec<(usize, Vec<Change>)> {
        let (rng, seq) = (&mut self.rng, &mut self.seq);
        model::each(&mut self.models, |_, m| m.refresh(rows, rng, seq))
    }

    pub fn cycle_changes(
        &mut self,
        changes: usize,
        skip_table: Option<usize>,
    ) -> Vec<(usize, Vec<Change>)> {
        let (rng, seq) = (&mut self.rng, &mut self.seq);
        self.models
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip_table)
            .map(|(i, m)| (i, m.cycle(changes, rng, seq)))
            .collect()
    }

    /// Every table equals its model.
    #[track_caller]
    pub fn assert_target_matches(&self, when: &str) {
        for m in &self.models {
            let got = self.target.rows(&m.def, self.style);
            if let Some(diff) = channel::difference(&got, &m.expected()) {
                panic!("{when}: table {} has {diff}", m.def.name);
            }
        }
    }

    #[track_caller]
    pub fn assert_no_files_left(&self) {
        assert_eq!(self.hvr.leftover_files(), Vec::<String>::new());
    }
}

/// A refresh of `orders` (3 rows) with the scenario's user argument; returns the run.
pub fn refresh_orders(s: &mut Scenario) -> hvr::Run {
    let changes = s.refresh_changes(3);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr.call("refr_write_end", &vars)
}

/// Runs one `integ_end` for the scenario's table `table` with hand-made rows of (values, op):
/// the file carries the values, the op and an `is_deleted` flag set for op 0.
pub fn integrate_rows(
    sc: &mut Scenario,
    table: usize,
    name: &str,
    rows: &[(data::Row, u8)],
) -> hvr::Run {
    let table = sc.hvr.tables[table].clone();
    let mut text = hvr::csv_line(
        &sc.hvr
            .columns(&table, false)
            .iter()
            .map(|(_, b, _)| Some(b.clone()))
            .collect::<Vec<_>>(),
    );
    for (values, op) in rows {
        let mut fields = values.clone();
        fields.push(Some(op.to_string()));
        fields.push(Some(if *op == 0 { "1" } else { "0" }.to_string()));
        text.push_str(&hvr::csv_line(&fields));
    }
    let file = hvr::File {
        name: format!("{name}-{}.csv", table.name),
        bytes: text.into_bytes(),
        rows: rows.len(),
    };
    sc.hvr.write(std::slice::from_ref(&file));
    let vars = sc
        .hvr
        .end_env(&[&table], std::slice::from_ref(&file), false);
    sc.hvr.call("integ_end", &vars)
}

pub mod typed;
