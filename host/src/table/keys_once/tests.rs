use super::*;

fn column(name: &str, is_key: bool, role: Role) -> FileColumn {
    FileColumn {
        is_key,
        role,
        ..FileColumn::data(name)
    }
}

/// Files of `id` (key), `name`, `op`; the plan loads them in that order.
fn proof() -> KeysOnce {
    let columns = [
        column("id", true, Role::Data),
        column("name", false, Role::Data),
        column("op", false, Role::Op),
    ];
    let sources = [Source::Column(0), Source::Column(1), Source::Column(2)];
    KeysOnce::new(&sources, &columns).expect("the key and the op are loaded")
}

fn batch(rows: &[(Option<&str>, &str)]) -> TextBatch {
    let mut batch = TextBatch::new(3, rows.len());
    for (key, op) in rows {
        batch.columns[0].push(key.map(str::as_bytes));
        batch.columns[1].push(Some(b"x"));
        batch.columns[2].push(Some(op.as_bytes()));
    }
    batch
}

fn proven(rows: &[(Option<&str>, &str)]) -> bool {
    let mut p = proof();
    p.see(&batch(rows));
    p.proven()
}

#[test]
fn distinct_plain_keys_with_inserts_updates_and_deletes_are_proven() {
    assert!(proven(&[
        (Some("3"), "1"),
        (Some("1"), "2"),
        (Some("2"), "0")
    ]));
}

#[test]
fn a_key_twice_is_not_proven_even_across_batches() {
    assert!(!proven(&[(Some("1"), "1"), (Some("1"), "0")]));
    let mut p = proof();
    p.see(&batch(&[(Some("1"), "1")]));
    p.see(&batch(&[(Some("2"), "1")]));
    p.see(&batch(&[(Some("1"), "0")]));
    assert!(!p.proven());
}

#[test]
fn keys_equal_as_numbers_are_one_key() {
    assert!(!proven(&[(Some("7"), "1"), (Some("007"), "0")]));
    assert!(!proven(&[(Some("0"), "1"), (Some("00"), "0")]));
}

#[test]
fn anything_but_plain_digits_ends_the_proof() {
    for odd in ["+7", "-7", " 7", "7 ", "7.0", "1e3", "0x10", "a", "", "٣"] {
        assert!(!proven(&[(Some(odd), "1"), (Some("8"), "1")]), "{odd:?}");
    }
    assert!(!proven(&[(None, "1")]), "a NULL key part");
    assert!(
        !proven(&[(Some("9223372036854775808"), "1")]),
        "beyond i64::MAX"
    );
    assert!(proven(&[(Some("9223372036854775807"), "1")]));
}

#[test]
fn ops_other_than_insert_update_delete_end_the_proof() {
    for op in ["5", "8", "3", "4", " 1", "", "x"] {
        assert!(!proven(&[(Some("1"), op)]), "op {op:?}");
    }
}

#[test]
fn multi_part_keys_are_compared_whole() {
    let columns = [column("a", true, Role::Data), column("b", true, Role::Data)];
    let sources = [Source::Column(0), Source::Column(1)];
    let rows = |pairs: &[(&str, &str)]| {
        let mut batch = TextBatch::new(2, pairs.len());
        for (a, b) in pairs {
            batch.columns[0].push(Some(a.as_bytes()));
            batch.columns[1].push(Some(b.as_bytes()));
        }
        let mut p = KeysOnce::new(&sources, &columns).unwrap();
        p.see(&batch);
        p.proven()
    };
    assert!(rows(&[("1", "2"), ("2", "1"), ("1", "1")]));
    assert!(!rows(&[("1", "2"), ("01", "2")]));
}

#[test]
fn no_proof_without_a_loaded_key_or_with_an_op_column_not_loaded() {
    let columns = [
        column("id", true, Role::Data),
        column("op", false, Role::Op),
    ];
    assert!(KeysOnce::new(&[Source::Column(1)], &columns).is_none());
    assert!(KeysOnce::new(&[Source::Column(0)], &columns).is_none());
    assert!(KeysOnce::new(&[Source::Column(0), Source::RowNumber], &columns[..1]).is_some());
}

fn target(name: &str, type_name: &str, scale: Option<i16>) -> TargetColumn {
    TargetColumn {
        name: name.into(),
        type_name: type_name.into(),
        size: None,
        scale,
        nullable: false,
        logical_type: None,
    }
}

#[test]
fn only_key_types_that_compare_plain_integers_exactly_qualify() {
    let keys = [
        column("ID", true, Role::Data),
        column("v", false, Role::Data),
    ];
    for good in [
        "bigint",
        "INT UNSIGNED",
        "int4",
        "varchar",
        "character varying",
        "bpchar",
    ] {
        assert!(
            compares_plain_integers(&keys, &[target("id", good, None)]),
            "{good}"
        );
    }
    assert!(compares_plain_integers(
        &keys,
        &[target("id", "decimal", Some(0))]
    ));
    for bad in [
        "double", "float", "real", "year", "enum", "set", "date", "numeric", "bit",
    ] {
        assert!(
            !compares_plain_integers(&keys, &[target("id", bad, Some(2))]),
            "{bad}"
        );
    }
    assert!(!compares_plain_integers(
        &keys,
        &[target("other", "bigint", None)]
    ));
}
