//! Deterministic test data: a tiny PRNG, the channel's tables, and values that break naive
//! CSV and SQL code.

pub type Row = Vec<Option<String>>;

/// xorshift64*: deterministic across platforms, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Values that have broken CSV loaders: separators, quotes, line breaks of both kinds, tabs,
/// multi-byte text, leading spaces, the empty string, and the strings NULL and \N.
pub fn tricky_texts() -> Vec<String> {
    let mut long = String::new();
    while long.chars().count() < 300 {
        long.push_str("long ✓ 長い текст, ");
    }
    vec![
        "plain".into(),
        "comma, inside".into(),
        "quote \"q\" and 'single'".into(),
        "multi\nline".into(),
        "crlf\r\nline".into(),
        "tab\there".into(),
        "ünïcödé 日本 € 🚀".into(),
        "  leading spaces".into(),
        "trailing spaces  ".into(),
        "".into(),
        "NULL".into(),
        "\\N".into(),
        "back\\slash".into(),
        long,
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Int,
    Text,
    /// numeric(12,2)
    Money,
    /// numeric(10,4)
    Price,
    /// timestamp(6); values with and without fractions
    Stamp,
    /// timestamp(0)
    Stamp0,
}

#[derive(Clone, Debug)]
pub struct ColumnDef {
    /// Channel name (HVR_COL_NAMES).
    pub name: &'static str,
    /// Base name (HVR_COL_NAMES_BASE; the file header and the target).
    pub base: &'static str,
    pub key: bool,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub struct TableDef {
    pub name: &'static str,
    pub base: &'static str,
    /// Whether HVR_BASE_NAMES qualifies the name with a schema.
    pub qualified: bool,
    pub columns: Vec<ColumnDef>,
}

impl TableDef {
    pub fn key_positions(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|i| self.columns[*i].key)
            .collect()
    }
}

fn col(name: &'static str, base: &'static str, key: bool, kind: Kind) -> ColumnDef {
    ColumnDef {
        name,
        base,
        key,
        kind,
    }
}

/// Three tables: a schema-qualified one with a renamed column, one named by reserved words
/// with a composite key, and one with a composite numeric key.
pub fn channel() -> Vec<TableDef> {
    vec![
        TableDef {
            name: "orders",
            base: "orders",
            qualified: true,
            columns: vec![
                col("id", "id", true, Kind::Int),
                col("cust", "customer", false, Kind::Text),
                col("amount", "amount", false, Kind::Money),
                col("note", "note", false, Kind::Text),
                col("created", "created", false, Kind::Stamp),
            ],
        },
        TableDef {
            name: "group",
            base: "group",
            qualified: false,
            columns: vec![
                col("region", "region", true, Kind::Text),
                col("select", "select", true, Kind::Int),
                col("desc", "desc", false, Kind::Text),
                col("updated", "updated", false, Kind::Stamp0),
            ],
        },
        TableDef {
            name: "line_items",
            base: "line_items",
            qualified: false,
            columns: vec![
                col("order_id", "order_id", true, Kind::Int),
                col("line", "line", true, Kind::Int),
                col("product", "product", false, Kind::Text),
                col("qty", "qty", false, Kind::Int),
                col("price", "price", false, Kind::Price),
            ],
        },
    ]
}

/// A value for a non-key column. Formats are the ones the database prints back, so that the
/// model compares as text.
pub fn value(kind: Kind, rng: &mut Rng, texts: &[String]) -> Option<String> {
    if kind != Kind::Int && rng.chance(8) {
        return None;
    }
    Some(match kind {
        Kind::Int => (rng.below(2000) as i64 - 1000).to_string(),
        Kind::Text => texts[rng.below(texts.len() as u64) as usize].clone(),
        Kind::Money => {
            let cents = rng.below(100_000_000) as i64 - 50_000_000;
            let sign = if cents < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
        }
        Kind::Price => format!("{}.{:04}", rng.below(100_000), rng.below(10_000)),
        Kind::Stamp | Kind::Stamp0 => {
            let base = format!(
                "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}",
                10 + rng.below(20),
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(24),
                rng.below(60),
                rng.below(60)
            );
            if kind == Kind::Stamp && rng.chance(60) {
                // A last digit other than 0, so the database prints all six digits back.
                format!("{base}.{:05}{}", rng.below(100_000), 1 + rng.below(9))
            } else {
                base
            }
        }
    })
}

/// A key value for `kind`, unique by construction from `n`.
pub fn key_value(kind: Kind, n: u64, texts: &[String]) -> String {
    match kind {
        Kind::Int => n.to_string(),
        // Keys made of awkward text, still unique.
        _ => format!(
            "{}#{n}",
            texts[(n as usize) % texts.len()].replace(['\r', '\n'], " ")
        ),
    }
}
