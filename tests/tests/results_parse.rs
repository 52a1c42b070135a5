//! Every statement the results fixtures compile to (segments, splits, priority lists:
//! what the conformance suite runs) in every dialect, the syntax-checked ones included,
//! parses back with that dialect's sqlparser parser.

use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_tests::{load_project, root};
use sqlparser::parser::Parser;

#[test]
fn results_fixture_statements_parse_in_every_dialect() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let mut failures = Vec::new();
    let mut parsed = 0;
    for d in dialect::all() {
        for t in &p.tests {
            let opts = Options::literal(t.as_of);
            for e in &t.expects {
                let what = format!("{} {}", e.target.kind(), e.target.name(&p));
                let q = compile::members(&p, e.target, &e.rows, d, opts);
                let sql = match q {
                    Ok(q) => compile::to_sql(&q),
                    Err(u) => {
                        failures.push(format!("{}: {what} ({}): {u}", d.name(), t.name));
                        continue;
                    }
                };
                match Parser::parse_sql(&*d.parser(), &sql) {
                    Ok(stmts) if stmts.len() == 1 => parsed += 1,
                    Ok(stmts) => failures.push(format!(
                        "{}: {what} ({}): {} statements\n{sql}",
                        d.name(),
                        t.name,
                        stmts.len()
                    )),
                    Err(e) => failures.push(format!(
                        "{}: {what} ({}) does not parse back: {e}\n{sql}",
                        d.name(),
                        t.name
                    )),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(parsed >= 8 * 150, "only {parsed} statements parsed");
}
