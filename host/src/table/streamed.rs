//! The batches a streaming sink (one LOAD DATA statement per file) has been sent, so that a
//! failure reported only when the statement ends still names the rows it is about: the
//! server counts rows from the statement's first, and says `at row N` when it knows which.

use super::TableError;
use super::load_error::load_error_at;
use crate::hvr::FileEntry;
use crate::odbc::RowSink;
use crate::rows::Position;

#[derive(Default)]
pub(super) struct Streamed {
    /// Per batch: the statement's row count after it, and where its rows are in the file.
    batches: Vec<(u64, (Position, Position))>,
}

impl Streamed {
    pub(super) fn sent(&mut self, rows: usize, span: (Position, Position)) {
        let before = self.batches.last().map_or(0, |(end, _)| *end);
        self.batches.push((before + rows as u64, span));
    }

    /// Ends the file's statement; its failure names the batch of the row the server names,
    /// or else all of the file's rows it was sent.
    pub(super) fn finish(
        &mut self,
        loader: &mut dyn RowSink,
        file: &FileEntry,
    ) -> Result<(), TableError> {
        let batches = std::mem::take(&mut self.batches);
        let Err(e) = loader.finish() else {
            return Ok(());
        };
        let Some(((_, (first, _)), (all, (_, last)))) = batches.first().zip(batches.last()) else {
            return Err(e.into());
        };
        // The server counts rows from the statement's first: find the batch, and the row's
        // place in it.
        let named = e.failed_row().and_then(|row| {
            let at = batches.iter().position(|(end, _)| row <= *end)?;
            let before = if at == 0 { 0 } else { batches[at - 1].0 };
            let (end, span) = batches[at];
            Some((span, (end - before) as usize, row - before))
        });
        Err(match named {
            Some((span, rows, row)) => load_error_at(file, span, rows, Some(row), e),
            None => load_error_at(file, (*first, *last), *all as usize, None, e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::TextBatch;
    use crate::odbc::OdbcError;

    struct Fails(&'static str);
    impl RowSink for Fails {
        fn load(&mut self, _: &TextBatch) -> Result<(), OdbcError> {
            Ok(())
        }
        fn finish(&mut self) -> Result<(), OdbcError> {
            Err(OdbcError::Load(self.0.into()))
        }
    }

    fn file() -> FileEntry {
        FileEntry {
            name: "f.csv".into(),
            rows: None,
            table: 0,
        }
    }

    fn streamed() -> Streamed {
        let mut s = Streamed::default();
        s.sent(3, (Position::Line(2), Position::Line(4)));
        s.sent(3, (Position::Line(5), Position::Line(9)));
        s
    }

    #[test]
    fn a_failure_at_a_row_names_that_rows_batch() {
        let e = streamed()
            .finish(
                &mut Fails("Warning 1265: Data truncated for column 'a' at row 4"),
                &file(),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.csv") && e.contains("lines 5-9"), "{e}");
    }

    #[test]
    fn a_failure_without_a_row_names_all_the_files_rows() {
        let e = streamed()
            .finish(&mut Fails("Duplicate entry '1' for key 'PRIMARY'"), &file())
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.csv") && e.contains("lines 2-9"), "{e}");
    }

    #[test]
    fn a_failure_at_a_row_of_one_line_rows_names_its_line() {
        let e = streamed()
            .finish(&mut Fails("Incorrect integer value at row 2"), &file())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3 (row 2 of the batch of lines 2-4)"),
            "{e}"
        );
    }

    #[test]
    fn rows_are_read_only_after_at_row() {
        let row = |message: &str| OdbcError::Load(message.into()).failed_row();
        assert_eq!(row("x at row 12"), Some(12));
        assert_eq!(row("at row 0"), None);
        assert_eq!(row("row 12"), None);
        assert_eq!(row("at row 7: then at row 9."), Some(9));
    }
}
