//! Which of a load's rows reach the loader when a cycle is applied in ranges of its changes
//! (see `in_order`): the rows of one range, counted across batches and files, and where the
//! last of them is in its file.

use std::ops::Range;

use super::read::ReadBatch;
use crate::hvr::FileEntry;
use crate::rows::Position;

/// The rows of a load to keep: those whose number (from 0, in the order they reach the
/// loader) is in `range`. It also counts them, and remembers where the last kept row was.
pub(super) struct Only {
    range: Range<u64>,
    pub(super) seen: u64,
    file: String,
    in_file: u64,
    pub(super) last_kept: Option<(String, u64)>,
    /// Where in its file the last kept row is, when the reader says.
    pub(super) last_position: Option<Position>,
}

impl Only {
    pub(super) fn new(range: Range<u64>) -> Only {
        Only {
            range,
            seen: 0,
            file: String::new(),
            in_file: 0,
            last_kept: None,
            last_position: None,
        }
    }

    /// Whether the rows the reader could not decode are set aside in this load: every range
    /// reads them, but only the cycle's first range (whichever applies) sets them aside, so
    /// that each is set aside once.
    pub(super) fn sets_aside_undecodable(&self) -> bool {
        self.range.start == 0
    }

    /// `read` as `only` keeps it (all of it without one).
    pub(super) fn filter(
        only: Option<&mut Only>,
        file: &FileEntry,
        read: ReadBatch,
    ) -> Option<ReadBatch> {
        match only {
            Some(only) => only.keep(file, read),
            None => Some(read),
        }
    }

    /// The part of `read` inside the range, or `None` when none of it is.
    pub(super) fn keep(&mut self, file: &FileEntry, read: ReadBatch) -> Option<ReadBatch> {
        if self.file != file.name {
            self.file = file.name.clone();
            self.in_file = 0;
        }
        let rows = read.batch.num_rows() as u64;
        let (first, in_file) = (self.seen, self.in_file);
        self.seen += rows;
        self.in_file += rows;
        let start = self.range.start.clamp(first, first + rows);
        let end = self.range.end.clamp(first, first + rows);
        if start == end {
            return None;
        }
        self.last_kept = Some((file.name.clone(), in_file + (end - first)));
        let (a, b) = ((start - first) as usize, (end - first) as usize);
        // After a transform that changed the row count, a row's own place is unknown.
        self.last_position = (read.positions.len() == rows as usize).then(|| read.positions[b - 1]);
        if start == first && end == first + rows {
            return Some(read);
        }
        Some(ReadBatch {
            batch: read.batch.rows(a..b),
            span: read.span,
            positions: read
                .positions
                .get(a..b)
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::TextBatch;

    fn read(values: &[&str]) -> ReadBatch {
        let mut batch = TextBatch::new(1, values.len());
        for v in values {
            batch.columns[0].push(Some(v.as_bytes()));
        }
        ReadBatch {
            batch,
            span: (Position::Line(2), Position::Line(1 + values.len() as u64)),
            positions: vec![],
        }
    }

    fn file(name: &str) -> FileEntry {
        FileEntry {
            name: name.into(),
            rows: None,
            table: 0,
        }
    }

    fn kept(only: &mut Only, f: &FileEntry, values: &[&str]) -> Vec<String> {
        only.keep(f, read(values))
            .map(|r| {
                (0..r.batch.num_rows())
                    .map(|i| {
                        String::from_utf8(r.batch.columns[0].get(i).unwrap().to_vec()).unwrap()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn keeps_the_rows_of_its_range_across_batches_and_files() {
        let (a, b) = (file("a.csv"), file("b.csv"));
        let mut only = Only::new(2..5);
        assert_eq!(kept(&mut only, &a, &["0", "1"]), Vec::<String>::new());
        assert_eq!(kept(&mut only, &a, &["2", "3"]), ["2", "3"]);
        assert_eq!(kept(&mut only, &b, &["4", "5", "6"]), ["4"]);
        assert_eq!(only.last_kept, Some(("b.csv".into(), 1)));
        assert_eq!(kept(&mut only, &b, &["7"]), Vec::<String>::new());
        assert_eq!(only.seen, 8);
    }

    #[test]
    fn names_the_file_row_of_a_single_kept_row() {
        let a = file("a.csv");
        let mut only = Only::new(3..4);
        kept(&mut only, &a, &["0", "1"]);
        assert_eq!(kept(&mut only, &a, &["2", "3", "4"]), ["3"]);
        assert_eq!(only.last_kept, Some(("a.csv".into(), 4)));
        // The reader gave no positions: the row's line is not known.
        assert_eq!(only.last_position, None);
    }

    #[test]
    fn knows_the_line_of_the_last_kept_row() {
        let a = file("a.csv");
        let mut only = Only::new(1..2);
        let mut batch = read(&["0", "1", "2"]);
        batch.positions = vec![Position::Line(2), Position::Line(5), Position::Line(6)];
        only.keep(&a, batch);
        assert_eq!(only.last_position, Some(Position::Line(5)));
    }
}
