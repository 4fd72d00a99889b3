//! What the target must hold: a model that applies the same changes HVR sends, per style.
//! `selftest` and the e2e suite both check targets against it.

use std::collections::BTreeMap;

use super::data::{Kind, Rng, Row, TableDef, key_value, tricky_texts, value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    ReplicationCopy,
    SoftDelete,
    TimeKey,
}

impl Style {
    /// The userarg flags that select the style.
    pub fn flags(self) -> &'static str {
        match self {
            Style::ReplicationCopy => "",
            Style::SoftDelete => "-D is_deleted",
            Style::TimeKey => "-t",
        }
    }
}

/// One row of a file: the data values plus the extra columns HVR adds.
#[derive(Clone, Debug)]
pub struct Change {
    pub values: Row,
    pub op: u8,
    pub deleted: bool,
    /// `{hvr_integ_seq}`-like time key (TimeKey channels only).
    pub seq: String,
}

/// One call's changes: `f` applied to every table's model, with the table's index.
pub fn each(
    models: &mut [TableModel],
    mut f: impl FnMut(usize, &mut TableModel) -> Vec<Change>,
) -> Vec<(usize, Vec<Change>)> {
    models
        .iter_mut()
        .enumerate()
        .map(|(i, m)| (i, f(i, m)))
        .collect()
}

pub struct TableModel {
    pub def: TableDef,
    style: Style,
    live: BTreeMap<Vec<String>, Row>,
    soft_deleted: BTreeMap<Vec<String>, Row>,
    history: Vec<Row>,
    next_key: u64,
    texts: Vec<String>,
}

impl TableModel {
    pub fn new(def: TableDef, style: Style) -> TableModel {
        TableModel {
            def,
            style,
            live: BTreeMap::new(),
            soft_deleted: BTreeMap::new(),
            history: Vec::new(),
            next_key: 1,
            texts: tricky_texts(),
        }
    }

    fn key_of(&self, row: &Row) -> Vec<String> {
        self.def
            .key_positions()
            .iter()
            .map(|i| row[*i].clone().unwrap_or_default())
            .collect()
    }

    /// A fresh row with a new key, not yet applied (explicit cycles build on it).
    pub fn fresh_row(&mut self, rng: &mut Rng) -> Row {
        let n = self.next_key;
        self.next_key += 1;
        let texts = self.texts.clone();
        self.def
            .columns
            .iter()
            .map(|c| {
                if c.key {
                    Some(match (c.kind, c.name) {
                        // The second key part of a composite key repeats across rows.
                        (Kind::Int, "select" | "line") => (n % 7).to_string(),
                        (kind, _) => key_value(kind, n, &texts),
                    })
                } else {
                    value(c.kind, rng, &texts)
                }
            })
            .collect()
    }

    fn changed(&self, row: &Row, rng: &mut Rng) -> Row {
        let texts = &self.texts;
        self.def
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| {
                if c.key {
                    v.clone()
                } else {
                    value(c.kind, rng, texts)
                }
            })
            .collect()
    }

    /// Rows for a refresh; the model becomes exactly these.
    pub fn refresh(&mut self, rows: usize, rng: &mut Rng, seq: &mut u64) -> Vec<Change> {
        self.live.clear();
        self.soft_deleted.clear();
        self.history.clear();
        let mut out = Vec::new();
        for _ in 0..rows {
            let row = self.fresh_row(rng);
            out.push(self.apply(row, 1, false, seq));
        }
        out
    }

    /// One cycle of changes: updates, inserts, deletes, and keys deleted and inserted again in
    /// the same cycle. Each key changes at most once per cycle otherwise, as SORT_COALESCE
    /// guarantees.
    pub fn cycle(&mut self, changes: usize, rng: &mut Rng, seq: &mut u64) -> Vec<Change> {
        let mut out = Vec::new();
        let mut touched = std::collections::BTreeSet::new();
        for _ in 0..changes {
            let pick = rng.below(100);
            let existing: Vec<Vec<String>> = self
                .live
                .keys()
                .filter(|k| !touched.contains(*k))
                .cloned()
                .collect();
            if pick < 30 || existing.is_empty() {
                let row = self.fresh_row(rng);
                touched.insert(self.key_of(&row));
                out.push(self.apply(row, 1, false, seq));
                continue;
            }
            let key = existing[rng.below(existing.len() as u64) as usize].clone();
            touched.insert(key.clone());
            let old = self.live[&key].clone();
            if pick < 65 {
                let new = self.changed(&old, rng);
                if self.style == Style::TimeKey {
                    // Before-image of a non-key update: only TimeKey channels receive it.
                    out.push(self.apply(old.clone(), 4, false, seq));
                }
                out.push(self.apply(new, 2, false, seq));
            } else if pick < 85 {
                out.push(self.apply(old, 0, true, seq));
            } else {
                out.push(self.apply(old.clone(), 0, true, seq));
                let again = self.changed(&old, rng);
                out.push(self.apply(again, 1, false, seq));
            }
        }
        out
    }

    /// One key updated twice in the same cycle (HVR without SORT_COALESCE sends both); the
    /// second update must win. Empty when the table has no live row.
    pub fn update_twice(&mut self, rng: &mut Rng, seq: &mut u64) -> Vec<Change> {
        let Some(key) = self.live.keys().next().cloned() else {
            return Vec::new();
        };
        let old = self.live[&key].clone();
        let first = self.changed(&old, rng);
        let second = self.changed(&old, rng);
        vec![
            self.apply(first, 2, false, seq),
            self.apply(second, 2, false, seq),
        ]
    }

    /// A given row inserted (op 1).
    pub fn insert(&mut self, row: Row, seq: &mut u64) -> Change {
        self.apply(row, 1, false, seq)
    }

    /// A given row deleted (op 0).
    pub fn delete(&mut self, row: Row, seq: &mut u64) -> Change {
        self.apply(row, 0, true, seq)
    }

    /// A truncate (op 5, every value NULL): every earlier row goes, or is marked deleted in a
    /// SoftDelete target. Not for TimeKey targets, whose key columns are NOT NULL.
    pub fn truncate(&mut self, seq: &mut u64) -> Change {
        *seq += 1;
        let live = std::mem::take(&mut self.live);
        self.soft_deleted.extend(live);
        Change {
            values: vec![None; self.def.columns.len()],
            op: 5,
            deleted: false,
            seq: format!("{:016x}", *seq),
        }
    }

    /// A SAP multi-delete (op 8) of `row`: every row whose key matches it on the key columns
    /// other than `excluded` goes (or is marked deleted).
    pub fn multi_delete(&mut self, row: Row, excluded: &str, seq: &mut u64) -> Change {
        *seq += 1;
        let positions: Vec<usize> = self
            .def
            .key_positions()
            .into_iter()
            .filter(|i| self.def.columns[*i].base != excluded)
            .collect();
        let matches = |k: &Row| positions.iter().all(|i| k[*i] == row[*i]);
        let gone: Vec<Vec<String>> = self
            .live
            .iter()
            .filter(|(_, r)| matches(r))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            let r = self.live.remove(&k).expect("listed above");
            self.soft_deleted.insert(k, r);
        }
        Change {
            values: row,
            op: 8,
            deleted: true,
            seq: format!("{:016x}", *seq),
        }
    }

    fn apply(&mut self, row: Row, op: u8, deleted: bool, seq: &mut u64) -> Change {
        *seq += 1;
        let change = Change {
            values: row.clone(),
            op,
            deleted,
            seq: format!("{:016x}", *seq),
        };
        let key = self.key_of(&row);
        match op {
            0 => {
                self.live.remove(&key);
                self.soft_deleted.insert(key, row);
            }
            1 | 2 => {
                self.soft_deleted.remove(&key);
                self.live.insert(key, row);
            }
            _ => {}
        }
        if self.style == Style::TimeKey {
            let mut h = change.values.clone();
            h.push(Some(change.seq.clone()));
            h.push(Some(op.to_string()));
            h.push(Some(if deleted { "1" } else { "0" }.into()));
            self.history.push(h);
        }
        change
    }

    /// The target's rows, sorted, in target column order.
    pub fn expected(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = match self.style {
            Style::ReplicationCopy => self.live.values().cloned().collect(),
            Style::SoftDelete => self
                .live
                .values()
                .map(|r| with(r, "0"))
                .chain(self.soft_deleted.values().map(|r| with(r, "1")))
                .collect(),
            Style::TimeKey => self.history.clone(),
        };
        rows.sort();
        rows
    }
}

fn with(row: &Row, flag: &str) -> Row {
    let mut r = row.clone();
    r.push(Some(flag.to_string()));
    r
}
