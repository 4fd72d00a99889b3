//! The batches a streaming sink (one LOAD DATA statement per file) has been sent, so that a
//! failure reported only when the statement ends still names the rows it is about: the
//! server counts rows from the statement's first, and says `at row N` when it knows which.

use super::TableError;
use super::read::load_error;
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
        let Some(((_, (first, _)), (_, (_, last)))) = batches.first().zip(batches.last()) else {
            return Err(e.into());
        };
        let named = server_row(&e.to_string())
            .and_then(|row| batches.iter().find(|(end, _)| row <= *end))
            .map(|(_, span)| *span);
        Err(load_error(file, named.unwrap_or((*first, *last)), e))
    }
}

/// `N` of the last `at row N` in a server message (MariaDB: "Data truncated for column 'x'
/// at row 3"), counted from 1.
fn server_row(message: &str) -> Option<u64> {
    let (_, after) = message.rsplit_once("at row ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
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
    fn rows_are_read_only_after_at_row() {
        assert_eq!(server_row("x at row 12"), Some(12));
        assert_eq!(server_row("at row 0"), None);
        assert_eq!(server_row("row 12"), None);
        assert_eq!(server_row("at row 7: then at row 9."), Some(9));
    }
}
