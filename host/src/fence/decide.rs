//! The recovery decision: what a call does with one table, from the files it finds and what the
//! fence recorded. A pure function, so its whole table is tested here and the table in
//! docs/exactly-once.md is checked against it.

use super::record::FileRecord;

/// One file of the call as found in the location: `identity` is `None` when it is not there.
#[derive(Clone, Debug)]
pub struct Observed<'a> {
    pub name: &'a str,
    pub rows: Option<u64>,
    pub identity: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Load the files, record them, commit, then delete them.
    Apply,
    /// An earlier run committed these very files and died before deleting them.
    DeleteOnly,
    /// An earlier run committed them and died while deleting them: delete the rest.
    FinishDeleting,
    /// An earlier run committed and deleted them all: nothing to do.
    Skip,
    Refuse(Refusal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No file is there and the fence has no record of them: never applied, yet gone.
    AllMissingUnrecorded,
    /// Some files are missing and the fence has no record of them.
    PartlyMissingUnrecorded,
    /// Some are missing, and a present one is not the file that was applied.
    ChangedSinceApplied,
}

/// The decision for one table. `applied` is the file list the fence recorded for this table
/// (and, on refresh, for this slice of the current refresh).
pub fn decide(files: &[Observed], applied: Option<&[FileRecord]>) -> Decision {
    if files.is_empty() {
        return Decision::Apply;
    }
    // The fence knows this list when it recorded the same names with the same counts, in order.
    let recorded = applied.filter(|applied| {
        applied.len() == files.len()
            && applied
                .iter()
                .zip(files)
                .all(|(a, f)| a.name == f.name && a.rows == f.rows)
    });
    let present = files.iter().filter(|f| f.identity.is_some()).count();
    let same_writes = |applied: &[FileRecord]| {
        applied
            .iter()
            .zip(files)
            .all(|(a, f)| f.identity.is_none_or(|i| i == a.identity))
    };
    match (present == files.len(), present == 0, recorded) {
        (true, _, Some(applied)) if same_writes(applied) => Decision::DeleteOnly,
        (true, _, _) => Decision::Apply,
        (false, true, Some(_)) => Decision::Skip,
        (false, true, None) => Decision::Refuse(Refusal::AllMissingUnrecorded),
        (false, false, Some(applied)) if same_writes(applied) => Decision::FinishDeleting,
        (false, false, Some(_)) => Decision::Refuse(Refusal::ChangedSinceApplied),
        (false, false, None) => Decision::Refuse(Refusal::PartlyMissingUnrecorded),
    }
}

/// The recovery table as docs/exactly-once.md shows it, produced from `decide` itself.
pub fn recovery_table() -> String {
    let mut out =
        String::from("| files of the table | the fence recorded | action |\n|---|---|---|\n");
    for (files_text, record_text, files, record) in cases() {
        let action = match decide(&files, record.as_deref()) {
            Decision::Apply if files.is_empty() => {
                "empty the table (see sliced refresh), record it, commit"
            }
            Decision::Apply => "apply, record the files, commit, delete them",
            Decision::DeleteOnly => "committed before, not deleted: delete them only",
            Decision::FinishDeleting => "committed before, deleting was cut short: delete the rest",
            Decision::Skip => "committed and deleted before: nothing to do",
            Decision::Refuse(Refusal::AllMissingUnrecorded) => {
                "error naming the location: never applied, yet gone"
            }
            Decision::Refuse(Refusal::PartlyMissingUnrecorded) => {
                "error: nothing proves the missing ones were applied"
            }
            Decision::Refuse(Refusal::ChangedSinceApplied) => {
                "error: a file was written again after it was applied"
            }
        };
        out.push_str(&format!("| {files_text} | {record_text} | {action} |\n"));
    }
    out
}

type Case = (
    &'static str,
    &'static str,
    Vec<Observed<'static>>,
    Option<Vec<FileRecord>>,
);

/// Every class of input: each presence (all, some, none, no files at all) against each kind of
/// record (none, these very writes, the same names written again).
fn cases() -> Vec<Case> {
    let seen = |name, identity| Observed {
        name,
        rows: Some(1),
        identity,
    };
    let rec = |name: &str, identity: &str| FileRecord {
        name: name.into(),
        rows: Some(1),
        identity: identity.into(),
    };
    let all = vec![seen("a", Some("1")), seen("b", Some("2"))];
    let all_rewritten = vec![seen("a", Some("1")), seen("b", Some("9"))];
    let some = vec![seen("a", None), seen("b", Some("2"))];
    let some_rewritten = vec![seen("a", None), seen("b", Some("9"))];
    let none = vec![seen("a", None), seen("b", None)];
    let same = Some(vec![rec("a", "1"), rec("b", "2")]);
    let other = Some(vec![rec("c", "1")]);
    vec![
        (
            "all present",
            "nothing, or other files",
            all.clone(),
            other.clone(),
        ),
        (
            "all present",
            "these names, other writes",
            all_rewritten,
            same.clone(),
        ),
        ("all present", "these very files", all, same.clone()),
        (
            "some present",
            "these very files",
            some.clone(),
            same.clone(),
        ),
        (
            "some present",
            "these names, other writes",
            some_rewritten,
            same.clone(),
        ),
        (
            "some present",
            "nothing, or other files",
            some,
            other.clone(),
        ),
        ("none present", "these names", none.clone(), same),
        ("none present", "nothing, or other files", none, other),
        (
            "no files (refresh of an empty table)",
            "anything",
            vec![],
            None,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_of_input_has_the_decision_the_design_says() {
        let got: Vec<Decision> = cases()
            .iter()
            .map(|(_, _, files, record)| decide(files, record.as_deref()))
            .collect();
        use Decision::*;
        assert_eq!(
            got,
            [
                Apply,
                Apply,
                DeleteOnly,
                FinishDeleting,
                Refuse(Refusal::ChangedSinceApplied),
                Refuse(Refusal::PartlyMissingUnrecorded),
                Skip,
                Refuse(Refusal::AllMissingUnrecorded),
                Apply,
            ]
        );
    }

    #[test]
    fn a_record_of_other_counts_or_order_is_not_this_list() {
        let files = [
            Observed {
                name: "a",
                rows: Some(1),
                identity: None,
            },
            Observed {
                name: "b",
                rows: Some(1),
                identity: None,
            },
        ];
        let rec = |name: &str, rows| FileRecord {
            name: name.into(),
            rows,
            identity: "x".into(),
        };
        for record in [
            vec![rec("b", Some(1)), rec("a", Some(1))],
            vec![rec("a", Some(1)), rec("b", Some(2))],
            vec![rec("a", Some(1))],
            vec![rec("a", Some(1)), rec("b", Some(1)), rec("c", Some(1))],
        ] {
            assert_eq!(
                decide(&files, Some(&record)),
                Decision::Refuse(Refusal::AllMissingUnrecorded)
            );
        }
    }

    #[test]
    fn the_documented_table_is_the_one_decide_implements() {
        let doc = include_str!("../../../docs/exactly-once.md");
        let table = recovery_table();
        assert!(
            doc.contains(&table),
            "docs/exactly-once.md must contain the recovery table exactly as decide() gives it:\n{table}"
        );
    }
}
