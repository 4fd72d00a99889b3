//! A columnar batch of text values: one byte buffer, end offsets and a validity flag per column.

#[derive(Clone, Debug, Default)]
pub struct TextColumn {
    data: Vec<u8>,
    ends: Vec<usize>,
    valid: Vec<bool>,
    max_len: usize,
}

impl TextColumn {
    pub fn with_capacity(rows: usize) -> Self {
        TextColumn {
            data: Vec::with_capacity(rows * 16),
            ends: Vec::with_capacity(rows),
            valid: Vec::with_capacity(rows),
            max_len: 0,
        }
    }

    pub fn push(&mut self, value: Option<&[u8]>) {
        if let Some(v) = value {
            self.data.extend_from_slice(v);
            self.max_len = self.max_len.max(v.len());
        }
        self.ends.push(self.data.len());
        self.valid.push(value.is_some());
    }

    pub fn get(&self, row: usize) -> Option<&[u8]> {
        if !self.valid[row] {
            return None;
        }
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        Some(&self.data[start..self.ends[row]])
    }

    /// All values' bytes, one after the other.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// Bytes of all values together.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Longest value in bytes.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Keeps the first `rows` values (a row that failed half-way is taken out again).
    pub fn truncate(&mut self, rows: usize) {
        self.ends.truncate(rows);
        self.valid.truncate(rows);
        self.data.truncate(self.ends.last().copied().unwrap_or(0));
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
        self.valid.clear();
        self.max_len = 0;
    }
}

/// Rows of one load, column by column, in the order of the plan's sources.
#[derive(Clone, Debug)]
pub struct TextBatch {
    pub columns: Vec<TextColumn>,
}

impl TextBatch {
    pub fn new(columns: usize, rows: usize) -> Self {
        TextBatch {
            columns: (0..columns)
                .map(|_| TextColumn::with_capacity(rows))
                .collect(),
        }
    }

    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, TextColumn::len)
    }

    pub fn clear(&mut self) {
        self.columns.iter_mut().for_each(TextColumn::clear);
    }

    pub fn truncate(&mut self, rows: usize) {
        self.columns.iter_mut().for_each(|c| c.truncate(rows));
    }

    /// Bytes of all values: the reader ends a batch at a byte budget as well as a row count.
    pub fn data_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.data.len()).sum()
    }

    /// A copy of rows `range`, for loading part of a batch the target rejected.
    pub fn rows(&self, range: std::ops::Range<usize>) -> TextBatch {
        let mut part = TextBatch::new(self.columns.len(), range.len());
        for (to, from) in part.columns.iter_mut().zip(&self.columns) {
            for row in range.clone() {
                to.push(from.get(row));
            }
        }
        part
    }

    /// One row's values as a CSV line (NULL as an empty field, quotes where needed), to show
    /// an operator the row a target rejected.
    pub fn row_as_csv(&self, row: usize) -> String {
        csv_line(
            self.columns
                .iter()
                .map(|c| c.get(row).map(String::from_utf8_lossy)),
        )
    }
}

/// Fields as one CSV line: `None` is an empty field; a field with a comma, quote or line
/// break is quoted, and an empty string is `""` so that it reads apart from NULL.
pub fn csv_line<'a>(fields: impl Iterator<Item = Option<std::borrow::Cow<'a, str>>>) -> String {
    let mut line = String::new();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            line.push(',');
        }
        match field {
            None => {}
            Some(v) if v.is_empty() || v.contains([',', '"', '\n', '\r']) => {
                line.push('"');
                line.push_str(&v.replace('"', "\"\""));
                line.push('"');
            }
            Some(v) => line.push_str(&v),
        }
    }
    line
}

/// A run of rows `from..to` of a batch and the longest value of each column in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    pub from: usize,
    pub to: usize,
    pub lens: Vec<usize>,
}

/// Splits rows `0..batch.num_rows()` into runs whose parameter buffers stay within `budget`
/// bytes: a driver binds `rows x longest value` per column, so one 50 MB value among 10,000
/// short ones must not ask for 500 GB. A run has at most `max_rows` rows, and at least one.
pub fn chunks_within(batch: &TextBatch, budget: usize, max_rows: usize) -> Vec<Chunk> {
    let rows = batch.num_rows();
    let mut chunks = Vec::new();
    let mut from = 0;
    while from < rows {
        let mut lens = vec![0usize; batch.columns.len()];
        let mut to = from;
        while to < rows && to - from < max_rows.max(1) {
            let widened: Vec<usize> = batch
                .columns
                .iter()
                .zip(&lens)
                .map(|(c, &l)| l.max(c.get(to).map_or(0, <[u8]>::len)).max(1))
                .collect();
            let width: usize = widened.iter().sum();
            if to > from && (to - from + 1).saturating_mul(width) > budget {
                break;
            }
            lens = widened;
            to += 1;
        }
        chunks.push(Chunk { from, to, lens });
        from = to;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_rows_times_widest_within_the_budget() {
        let mut batch = TextBatch::new(2, 8);
        let big = vec![b'x'; 1000];
        for i in 0..8 {
            batch.columns[0].push(Some(if i == 5 { &big[..] } else { b"ab" }));
            batch.columns[1].push(None);
        }
        let chunks = chunks_within(&batch, 100, 3);
        let spans: Vec<(usize, usize)> = chunks.iter().map(|c| (c.from, c.to)).collect();
        assert_eq!(spans, [(0, 3), (3, 5), (5, 6), (6, 8)]);
        assert_eq!(chunks[2].lens, [1000, 1]);
        for c in &chunks {
            let width: usize = c.lens.iter().sum();
            assert!((c.to - c.from) * width <= 100 || c.to - c.from == 1);
        }
        assert!(chunks_within(&TextBatch::new(1, 0), 100, 3).is_empty());
    }

    #[test]
    fn values_nulls_and_empty_strings_round_trip() {
        let mut c = TextColumn::with_capacity(3);
        c.push(Some(b"abc"));
        c.push(None);
        c.push(Some(b""));
        assert_eq!(c.get(0), Some(&b"abc"[..]));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some(&b""[..]));
        assert_eq!(c.max_len(), 3);
    }
}
