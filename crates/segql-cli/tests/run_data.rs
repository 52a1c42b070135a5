//! `segql run` on data that does not fit: missing and corrupt files, globs matching
//! nothing, CSV files missing a column or not splitting, wrong types, bindings for
//! unknown tables, malformed bindings, and a DuckDB database as a source. Each fails
//! with coded diagnostics naming the binding, before any statement runs.

#[macro_use]
mod common;
#[path = "common/run_shop.rs"]
mod run_shop;

use common::{code, stderr, stdout};
use run_shop::*;

#[test]
fn run_with_a_binding_to_a_missing_file() {
    let p =
        shop_bound("\"app.users\" = \"data/userz.csv\"\n\"app.events\" = \"data/events.csv\"\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["[E0701]", "`app.users`", "data/userz.csv", "segql.toml:5"],
    );
}

#[test]
fn run_with_a_glob_that_matches_nothing() {
    let p = shop_bound(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events/*.parquet\"\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/events/*.parquet", "matches no file"],
    );
}

#[test]
fn run_with_a_corrupt_parquet_file() {
    let p = shop_bound("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/x.parquet\"\n");
    p.write_bytes(
        "data/x.parquet",
        b"these are not the bytes of a parquet file\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/x.parquet", "cannot read it"],
    );
}

/// A glob whose second file is no parquet: the problem names that file, and no column
/// (it has none to name).
#[test]
fn run_with_a_corrupt_file_in_a_glob() {
    let p =
        shop_bound("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/ev/*.parquet\"\n");
    std::fs::create_dir_all(p.path("data/ev")).unwrap();
    duckdb()
        .execute_batch(&format!(
            "COPY (SELECT * FROM read_csv('{}')) TO '{}' (FORMAT parquet)",
            p.path("data/events.csv").display(),
            p.path("data/ev/a.parquet").display()
        ))
        .unwrap();
    p.write_bytes("data/ev/b.parquet", b"not the bytes of a parquet file\n");
    let out = p.segql(&args(&at(&["run"]))).output().unwrap();
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/ev/b.parquet", "cannot read it"],
    );
    assert!(!stderr(&out).contains("column ``"), "{}", stderr(&out));
}

#[test]
fn run_with_a_csv_file_missing_a_column() {
    let p = shop();
    p.write("data/users.csv", "user_id,plan,age\nu1,pro,34\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "column `country`",
            "no such column",
        ],
    );
}

/// An unterminated quote leaves DuckDB's sniffer without a delimiter: the file is read
/// as one column named after its whole header. One problem says so, not one "no such
/// column" per catalog column listing the very columns it says are missing.
#[test]
fn run_with_a_csv_file_it_cannot_split() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,34\nu2,\"free\nu3,pro,DE,29\n",
    );
    let out = p.segql(&args(&at(&["run"]))).output().unwrap();
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "read as one column `user_id,plan,country,age`",
            "unterminated quote",
        ],
    );
    assert!(!stderr(&out).contains("no such column"), "{}", stderr(&out));
}

#[test]
fn run_with_a_column_of_the_wrong_type() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,thirty\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "column `age`",
            "int",
            "VARCHAR",
        ],
    );
}

#[test]
fn run_with_a_binding_for_an_unknown_table() {
    let p = shop_bound(&format!("{BINDINGS}\"app.user\" = \"data/users.csv\"\n"));
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(&p, &out, &["`app.user`", "did you mean `app.users`?"]);
}

#[test]
fn run_with_a_table_without_binding() {
    let p = shop_bound("\"app.users\" = \"data/users.csv\"\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.events`",
            "no data is bound",
            "segments/catalog.seg:11",
        ],
    );
    // The declaration is shown by its first line, not its whole block.
    assert!(!stderr(&out).contains("properties {"), "{}", stderr(&out));
}

#[test]
fn run_with_malformed_bindings() {
    let p = shop_bound(
        "\"app.users\" = { path = \"data/users.csv\", format = \"xlsx\" }\n\"app.events\" = { pth = \"data/events.csv\" }\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(&p, &out, &["[E0150]", "`xlsx`", "`pth`"]);
    // Each mistake once: not again as "no data is bound".
    assert_eq!(
        stderr(&out).matches("error[E0150]: ").count(),
        2,
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_on_files_without_a_project() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "segments/catalog.seg",
            "segments/shop.seg"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("running needs a project"));
}

#[test]
fn run_reads_a_duckdb_database() {
    let p = shop_bound(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = { duckdb = \"data/warehouse.duckdb\", table = \"main.events\" }\n",
    );
    make_warehouse(&p);
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "buyers"]))));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("segment buyers (2 rows)"));
    // A table the database does not hold.
    p.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = { duckdb = \"data/warehouse.duckdb\", table = \"main.evnts\" }\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "buyers"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.events`",
            "data/warehouse.duckdb",
            "`main.evnts`",
            "did you mean `main.events`?",
        ],
    );
}
