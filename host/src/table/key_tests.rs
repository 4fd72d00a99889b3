//! Changes are applied to the target row with their whole key: a change with a NULL key part,
//! or files without one of the key columns, would match no row or rows that only share part
//! of the key, so they fail their table where changes are matched (integrate, not TimeKey).

use super::fakes::FakePlanner;
use super::tests::Setup;
use crate::hvr::Mode;

#[test]
fn a_change_with_a_null_key_fails_its_table_but_a_refresh_row_or_truncate_does_not() {
    for (text, op) in [("1,a,1\n,b,2\n", "update"), ("1,a,1\n,b,0\n", "delete")] {
        let s = Setup::new(&[("a.csv", &format!("id,v,op_type\n{text}"), 2)]);
        let e = s
            .run(Mode::IntegrateEnd, &mut FakePlanner::new())
            .unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("a.csv") && message.contains("line 3, column 1"),
            "{op}: {e}"
        );
        assert!(message.contains("key column \"id\" is NULL"), "{op}: {e}");
        assert!(s.db.committed_rows().is_empty() && s.location.exists("a.csv"));
    }
    let truncate = Setup::new(&[("a.csv", "id,v,op_type\n,,5\n1,a,1\n", 2)]);
    assert!(
        truncate
            .run(Mode::IntegrateEnd, &mut FakePlanner::new())
            .is_ok()
    );
    let refresh = Setup::new(&[("a.csv", "id,v,op_type\n,a,1\n", 1)]);
    assert!(
        refresh
            .run(Mode::RefreshEnd, &mut FakePlanner::new())
            .is_ok()
    );
}

#[test]
fn files_without_a_key_column_fail_an_integrate_but_not_a_refresh() {
    let text = "v,op_type\na,1\n";
    let s = Setup::new(&[("a.csv", text, 1)]);
    let e = s
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("a.csv")
            && e.contains("key column(s) id (HVR_TBL_KEYS) missing from the header"),
        "{e}"
    );
    assert!(s.db.committed_rows().is_empty() && s.location.exists("a.csv"));
    let refresh = Setup::new(&[("a.csv", text, 1)]);
    assert!(
        refresh
            .run(Mode::RefreshEnd, &mut FakePlanner::new())
            .is_ok()
    );
}

/// A before-key-update (3) reaches the connector as the delete of its old key where rows are
/// matched, and as itself where every row is kept (TimeKey) or loaded (refresh).
#[test]
fn a_before_key_update_is_handed_on_as_a_delete_where_rows_are_matched() {
    let text = "id,v,op_type\n1,a,3\n2,a,2\n";
    let ops = |mode| {
        let s = Setup::new(&[("a.csv", text, 2)]);
        s.run(mode, &mut FakePlanner::new()).unwrap();
        s.db.committed_rows()
            .iter()
            .map(|row| row.last().cloned().flatten())
            .collect::<Vec<_>>()
    };
    let integrated = ops(Mode::IntegrateEnd);
    assert!(integrated.contains(&Some("0".into())), "{integrated:?}");
    assert!(!integrated.contains(&Some("3".into())), "{integrated:?}");
}
