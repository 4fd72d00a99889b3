//! The chain over fake transforms: option routing, declared options, and the integrate guard.

use super::*;
use crate::domain::{Role, TransformInfo};

/// What the fake does to every batch.
#[derive(Clone, Copy)]
enum Does {
    Nothing,
    DropRow(usize),
    SetFirstColumn(&'static str),
    /// Sets column `.0` of row `.1` to `.2`.
    Set(usize, usize, &'static str),
}

struct Fake {
    name: String,
    info: TransformInfo,
    does: Does,
}

struct Opened(Does);

impl TableTransform for Opened {
    fn added_columns(&self) -> &[String] {
        &[]
    }
    fn transform(
        &mut self,
        batch: &TextBatch,
        _names: &[String],
    ) -> Result<TextBatch, TransformFailure> {
        let mut out = TextBatch::new(batch.columns.len(), batch.num_rows());
        for row in 0..batch.num_rows() {
            if matches!(self.0, Does::DropRow(r) if r == row) {
                continue;
            }
            for (i, c) in batch.columns.iter().enumerate() {
                match self.0 {
                    Does::SetFirstColumn(v) if i == 0 => out.columns[i].push(Some(v.as_bytes())),
                    Does::Set(c, r, v) if c == i && r == row => {
                        out.columns[i].push(Some(v.as_bytes()))
                    }
                    _ => out.columns[i].push(c.get(row)),
                }
            }
        }
        Ok(out)
    }
}

impl Transformer for Fake {
    fn name(&self) -> &str {
        &self.name
    }
    fn info(&self) -> &TransformInfo {
        &self.info
    }
    fn open(
        &mut self,
        _context: &TransformContext,
        _options: &[(String, String)],
    ) -> Result<Box<dyn TableTransform + '_>, TransformFailure> {
        Ok(Box::new(Opened(self.does)))
    }
}

fn fake(name: &str, does: Does, may_drop: bool, may_change: bool) -> Box<dyn Transformer> {
    Box::new(Fake {
        name: name.into(),
        info: TransformInfo {
            name: name.into(),
            version: "1".into(),
            may_drop_deletes: may_drop,
            may_change_keys: may_change,
            options: Some(vec!["k".into()]),
        },
        does,
    })
}

fn columns() -> Vec<FileColumn> {
    vec![
        FileColumn {
            is_key: true,
            ..FileColumn::data("id")
        },
        FileColumn::data("v"),
        FileColumn {
            role: Role::Op,
            ..FileColumn::data("op")
        },
    ]
}

/// Rows (id, v, op): an insert, a delete, an update.
fn changes() -> TextBatch {
    let mut b = TextBatch::new(3, 3);
    for (id, v, op) in [("1", "a", "1"), ("2", "b", "0"), ("3", "c", "2")] {
        b.columns[0].push(Some(id.as_bytes()));
        b.columns[1].push(Some(v.as_bytes()));
        b.columns[2].push(Some(op.as_bytes()));
    }
    b
}

fn run(
    mut transforms: Vec<Box<dyn Transformer>>,
    phase: Phase,
) -> Result<TextBatch, TransformFailure> {
    let options = vec![Vec::new(); transforms.len()];
    let (mut chain, added) =
        TransformChain::open(&mut transforms, &options, "t", "t", phase, &columns())?;
    assert!(added.is_empty());
    chain.run(&changes())
}

#[test]
fn dropping_a_delete_in_integrate_is_refused() {
    let e = run(
        vec![fake("f", Does::DropRow(1), false, false)],
        Phase::Integrate,
    )
    .err()
    .unwrap();
    assert!(
        matches!(e, TransformFailure::Unsafe { ref what, .. } if what == "dropped or rewrote a delete"),
        "{e}"
    );
    // Dropping an insert is a filter's job; in refresh any row may go.
    assert_eq!(
        run(
            vec![fake("f", Does::DropRow(0), false, false)],
            Phase::Integrate
        )
        .unwrap()
        .num_rows(),
        2
    );
    assert!(
        run(
            vec![fake("f", Does::DropRow(1), false, false)],
            Phase::Refresh
        )
        .is_ok()
    );
    // A transform that declares it may drop deletes is trusted to.
    assert!(
        run(
            vec![fake("f", Does::DropRow(1), true, false)],
            Phase::Integrate
        )
        .is_ok()
    );
}

#[test]
fn changing_a_key_in_integrate_is_refused_unless_declared() {
    let e = run(
        vec![fake("f", Does::SetFirstColumn("9"), false, false)],
        Phase::Integrate,
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("key (id)"), "{e}");
    assert!(
        run(
            vec![fake("f", Does::SetFirstColumn("9"), true, true)],
            Phase::Integrate
        )
        .is_ok()
    );
    // The second transform of a chain is checked against what the first returned.
    assert!(
        run(
            vec![
                fake("a", Does::Nothing, false, false),
                fake("b", Does::DropRow(1), false, false)
            ],
            Phase::Integrate
        )
        .is_err()
    );
}

#[test]
fn options_go_to_the_transform_they_name() {
    let transforms = vec![
        fake("a", Does::Nothing, false, false),
        fake("b", Does::Nothing, false, false),
    ];
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    let routed = route_options(&transforms, &[pair("a.k", "1"), pair("b.k", "2")]).unwrap();
    assert_eq!(routed, vec![vec![pair("k", "1")], vec![pair("k", "2")]]);
    assert!(matches!(
        route_options(&transforms, &[pair("k", "1")]),
        Err(TransformFailure::UnaddressedOption { .. })
    ));
    assert!(matches!(
        route_options(&[], &[pair("k", "1")]),
        Err(TransformFailure::NoTransform { .. })
    ));
    // A name with a dot still addresses its transform; one name twice is ambiguous.
    let dotted = vec![
        fake("my.mask", Does::Nothing, false, false),
        fake("b", Does::Nothing, false, false),
    ];
    assert_eq!(
        route_options(&dotted, &[pair("my.mask.k", "1")]).unwrap(),
        vec![vec![pair("k", "1")], vec![]]
    );
    let twice = vec![
        fake("a", Does::Nothing, false, false),
        fake("a", Does::Nothing, false, false),
    ];
    assert!(matches!(
        route_options(&twice, &[pair("a.k", "1")]),
        Err(TransformFailure::AmbiguousOption { .. })
    ));
    // With one transform a bare key is unambiguous.
    let one = vec![fake("a", Does::Nothing, false, false)];
    assert_eq!(
        route_options(&one, &[pair("k", "1")]).unwrap(),
        vec![vec![pair("k", "1")]]
    );
    assert!(matches!(
        routing::check_declared("a", Some(&["k".to_string()]), &[pair("kk", "1")]),
        Err(TransformFailure::UnknownOption { .. })
    ));
}

#[test]
fn turning_a_delete_into_an_update_is_refused() {
    // Row 1 is the delete: op 0 becomes 2.
    let e = run(
        vec![fake("f", Does::Set(2, 1, "2"), false, false)],
        Phase::Integrate,
    )
    .err()
    .unwrap();
    assert!(matches!(e, TransformFailure::Unsafe { .. }), "{e}");
    // Even when keys may change, a delete may not silently stop being one.
    let e = run(
        vec![fake("f", Does::Set(2, 1, "2"), false, true)],
        Phase::Integrate,
    )
    .err()
    .unwrap();
    assert!(matches!(e, TransformFailure::Unsafe { .. }), "{e}");
    // Changing a data column of any row is a transform's job.
    assert!(
        run(
            vec![fake("f", Does::Set(1, 1, "x"), false, false)],
            Phase::Integrate
        )
        .is_ok()
    );
}

#[test]
fn soft_deletes_are_protected_like_deletes() {
    let columns = vec![
        FileColumn {
            is_key: true,
            ..FileColumn::data("id")
        },
        FileColumn {
            role: Role::SoftDelete,
            ..FileColumn::data("is_deleted")
        },
    ];
    let mut batch = TextBatch::new(2, 2);
    for (id, deleted) in [("1", "0"), ("2", "1")] {
        batch.columns[0].push(Some(id.as_bytes()));
        batch.columns[1].push(Some(deleted.as_bytes()));
    }
    let outcome = |does| {
        let mut transforms = vec![fake("f", does, false, false)];
        let options = vec![Vec::new()];
        let (mut chain, _) = TransformChain::open(
            &mut transforms,
            &options,
            "t",
            "t",
            Phase::Integrate,
            &columns,
        )
        .unwrap();
        chain.run(&batch).map(|b| b.num_rows())
    };
    assert!(
        outcome(Does::DropRow(1)).is_err(),
        "the soft-deleted row must pass"
    );
    assert_eq!(outcome(Does::DropRow(0)).unwrap(), 1);
}
