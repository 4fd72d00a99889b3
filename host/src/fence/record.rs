//! What the fence records per (channel, location, table), and its text form in the state
//! table (JSON, so an operator can read it).

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One applied file: its name, the row count HVR gave, and its identity when it was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub name: String,
    pub rows: Option<u64>,
    pub identity: String,
}

/// The refresh a table is in: the slices applied so far and their files. A plain refresh is
/// slice 1 of 1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshRecord {
    /// `--refresh-id`, when the channel gives one.
    pub id: Option<String>,
    pub total: u32,
    pub slices: BTreeMap<u32, Vec<FileRecord>>,
}

impl RefreshRecord {
    /// Slice numbers are labels (HVR numbers them from 0, a user may from 1): the refresh is
    /// complete when as many distinct slices as its total have been applied.
    pub fn is_complete(&self) -> bool {
        self.slices.len() as u64 >= u64::from(self.total)
    }
}

/// What the fence knows of one table: the files of its last integrate cycle, and the refresh
/// it is in (both kept, so an integrate between two slices does not lose the refresh).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FenceRecord {
    pub integrate: Option<Vec<FileRecord>>,
    pub refresh: Option<RefreshRecord>,
}

fn files_json(files: &[FileRecord]) -> Value {
    files
        .iter()
        .map(|f| json!({"n": f.name, "r": f.rows, "i": f.identity}))
        .collect()
}

fn files_from(v: &Value) -> Option<Vec<FileRecord>> {
    v.as_array()?
        .iter()
        .map(|f| {
            Some(FileRecord {
                name: f.get("n")?.as_str()?.to_string(),
                rows: f.get("r").and_then(Value::as_u64),
                identity: f.get("i")?.as_str()?.to_string(),
            })
        })
        .collect()
}

impl FenceRecord {
    pub fn to_text(&self) -> String {
        let refresh = self.refresh.as_ref().map(|r| {
            let slices: serde_json::Map<String, Value> = r
                .slices
                .iter()
                .map(|(k, f)| (k.to_string(), files_json(f)))
                .collect();
            json!({"id": r.id, "total": r.total, "slices": slices})
        });
        let integrate = self.integrate.as_deref().map(files_json);
        json!({"v": 1, "integrate": integrate, "refresh": refresh}).to_string()
    }

    /// `None` for text this version did not write (an empty row, or a row of an older
    /// release, which recorded only a digest): such a row proves nothing.
    pub fn from_text(text: &str) -> Option<FenceRecord> {
        let v: Value = serde_json::from_str(text).ok()?;
        if v.get("v")?.as_u64()? != 1 {
            return None;
        }
        let integrate = match v.get("integrate") {
            None | Some(Value::Null) => None,
            Some(files) => Some(files_from(files)?),
        };
        let refresh = match v.get("refresh") {
            None | Some(Value::Null) => None,
            Some(r) => {
                let slices = r
                    .get("slices")?
                    .as_object()?
                    .iter()
                    .map(|(k, f)| Some((k.parse().ok()?, files_from(f)?)))
                    .collect::<Option<BTreeMap<_, _>>>()?;
                Some(RefreshRecord {
                    id: r.get("id").and_then(Value::as_str).map(str::to_string),
                    total: u32::try_from(r.get("total")?.as_u64()?).ok()?,
                    slices,
                })
            }
        };
        Some(FenceRecord { integrate, refresh })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> FileRecord {
        FileRecord {
            name: name.into(),
            rows: Some(3),
            identity: "size=9 mtime=1.000000002".into(),
        }
    }

    #[test]
    fn records_survive_their_text_form() {
        let mut record = FenceRecord {
            integrate: Some(vec![file("a\"b.csv"), file("t/c.csv")]),
            refresh: None,
        };
        assert_eq!(
            FenceRecord::from_text(&record.to_text()),
            Some(record.clone())
        );
        record.refresh = Some(RefreshRecord {
            id: Some("r-7".into()),
            total: 3,
            slices: [(2, vec![file("x.csv")]), (3, vec![])].into(),
        });
        assert_eq!(FenceRecord::from_text(&record.to_text()), Some(record));
    }

    #[test]
    fn text_of_other_releases_proves_nothing() {
        for text in ["", "0f3a9c", "{\"v\":2}", "{\"v\":1,\"integrate\":7}"] {
            assert_eq!(FenceRecord::from_text(text), None, "{text}");
        }
    }
}
