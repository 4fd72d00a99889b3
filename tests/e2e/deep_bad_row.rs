//! A value the target refuses deep in a large file: the error names its line, not only the
//! batch of 10,000-25,000 rows it went in (PostgreSQL's COPY says `line N` of its input,
//! MariaDB's LOAD DATA `at row N` of the statement's), and nothing is loaded.

use crate::support::target::Db;
use crate::support::typed::Channel;

const ROWS: usize = 60_000;
const BAD_ROW: usize = 50_000;

fn a_bad_value_deep_in_a_file_names_its_line(db: Db, test: &str) {
    let ch = Channel::new(db, test, "");
    ch.target
        .execute(&["CREATE TABLE t (id INT PRIMARY KEY, n INT)".to_string()]);
    let mut text = String::from("id,n\n");
    for i in 1..=ROWS {
        if i == BAD_ROW {
            text.push_str(&format!("{i},x\n"));
        } else {
            text.push_str(&format!("{i},{i}\n"));
        }
    }
    let name = "20240101000000001-t.csv";
    ch.raw(name, text.as_bytes());
    // The header is line 1.
    let line = format!("line {} (row", BAD_ROW + 1);
    ch.call("refr_write_end", "id,n", "id", &[(name, ROWS)])
        .assert_fails_with(&["table t", name, &line]);
    assert!(ch.rows(&["id"]).is_empty());
    assert!(ch.file_exists(name));
}

#[test]
fn postgres_copy_names_the_line_of_a_refused_value() {
    a_bad_value_deep_in_a_file_names_its_line(Db::Postgres, "deep_bad_row_postgres");
}

#[test]
fn mariadb_load_data_names_the_line_of_a_refused_value() {
    a_bad_value_deep_in_a_file_names_its_line(Db::Mariadb, "deep_bad_row_mariadb");
}
