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
}

#[cfg(test)]
mod tests {
    use super::*;

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
