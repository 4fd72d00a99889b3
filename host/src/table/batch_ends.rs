//! Where a file's batches end: at the load's rows per batch or at a bound on their bytes, the
//! file's first batch sooner.
//!
//! The database waits, idle, while a file's first batch is read; after it the reader outruns
//! every load (a MariaDB LOAD DATA of the integrate bench's rows takes about 1.4 ms per
//! thousand rows). So the first batch ends at [`FIRST_BATCH_BYTES`]: at 4 MB, or a whole batch
//! of 10,000 rows (about 600 KB of that bench's rows), the server waited about 6 ms of a
//! 100k-change call (docs/benchmarks.md, "Fifteenth session"). A first batch cut short that
//! way is made whole by the second, so the batches after them still start at multiples of the
//! rows per batch: a load error names its batch's lines, and those stay the same whatever the
//! first batch's size.

use crate::batch::TextBatch;

/// A batch also ends at this many bytes of values, so memory per batch is bounded by bytes,
/// not by rows x the longest value.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// The file's first batch ends at this many bytes of values: a few hundred rows of short
/// values, about half a millisecond of reading.
const FIRST_BATCH_BYTES: usize = 64 * 1024;

/// When the batch being filled is full.
#[derive(Debug)]
pub(super) struct BatchEnds {
    batch_rows: usize,
    rows: usize,
    bytes: usize,
    first: bool,
}

impl BatchEnds {
    pub(super) fn new(batch_rows: usize) -> Self {
        Self {
            batch_rows,
            rows: batch_rows,
            bytes: FIRST_BATCH_BYTES,
            first: true,
        }
    }

    pub(super) fn is_full(&self, batch: &TextBatch) -> bool {
        batch.num_rows() >= self.rows || batch.data_bytes() >= self.bytes
    }

    /// The batch of `rows` rows ended; the next is being filled.
    pub(super) fn ended(&mut self, rows: usize) {
        self.bytes = BATCH_BYTES;
        self.rows = match std::mem::take(&mut self.first) {
            true if rows < self.batch_rows => self.batch_rows - rows,
            _ => self.batch_rows,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of `bytes` bytes each (one column) until `total` rows: the sizes of the batches.
    fn batches(batch_rows: usize, bytes: usize, total: usize) -> Vec<usize> {
        let mut ends = BatchEnds::new(batch_rows);
        let mut batch = TextBatch::new(1, batch_rows);
        let mut sizes = Vec::new();
        let value = vec![b'x'; bytes];
        for _ in 0..total {
            batch.columns[0].push(Some(&value[..]));
            if ends.is_full(&batch) {
                sizes.push(batch.num_rows());
                ends.ended(batch.num_rows());
                batch = TextBatch::new(1, batch_rows);
            }
        }
        if batch.num_rows() > 0 {
            sizes.push(batch.num_rows());
        }
        sizes
    }

    #[test]
    fn a_short_first_batch_is_made_whole_by_the_second() {
        // 64 KiB of 64-byte values is 1,024 rows; the second ends at row 10,000.
        assert_eq!(
            batches(10_000, 64, 25_000),
            vec![1_024, 8_976, 10_000, 5_000]
        );
    }

    #[test]
    fn a_first_batch_of_fewer_rows_than_its_bytes_ends_at_its_rows() {
        assert_eq!(batches(100, 10, 250), vec![100, 100, 50]);
    }

    #[test]
    fn long_values_end_every_batch_at_its_bytes() {
        // 1 MiB values: the first batch is one row, the others 32 rows.
        let mib = 1024 * 1024;
        assert_eq!(batches(10_000, mib, 70), vec![1, 32, 32, 5]);
    }
}
