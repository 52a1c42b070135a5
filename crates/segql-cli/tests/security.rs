//! The attack of issue 11, end to end: a project that passed `segql check` made `segql
//! run` overwrite a bound source file and exit 0. Now the predicate's string is one
//! literal, the run reads only the segment's relation, and every bound file is
//! byte-identical afterwards; the other classes of the attack are refused by `check`
//! with a code, and `run` refuses them too.

mod common;

use common::Project;

const CATALOG: &str = r#"entity user {
  table analytics.users
  key user_id
  columns { plan string }
}

entity secret {
  table analytics.secrets
  key secret_id
  columns { note string }
}

segment uses_secrets of secret { where note is set }
"#;

fn project(predicate: &str) -> Project {
    let p = Project::demo();
    p.write(
        "segql.toml",
        "name = \"demo\"\npaths = [\"segments\"]\n\n[bindings]\n\"analytics.users\" = \"data/users.csv\"\n\"analytics.secrets\" = \"data/secrets.csv\"\n",
    );
    p.write("data/users.csv", "user_id,plan\nu1,pro\nu2,x\n");
    p.write("data/secrets.csv", "secret_id,note\ns1,do not leak\n");
    p.write("segments/catalog.seg", CATALOG);
    p.write(
        "segments/attack.seg",
        &format!(
            "segment p {{ where sql {} }}\n",
            segql_syntax::lexer::escape(predicate, '"')
        ),
    );
    p
}

fn snapshot(p: &Project) -> Vec<(String, Vec<u8>)> {
    p.listing()
        .into_iter()
        .filter(|f| f.starts_with("data/"))
        .map(|f| {
            let bytes = std::fs::read(p.path(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn the_attack_runs_as_a_string_and_leaves_every_source_as_it_was() {
    let attack = "plan = TEXT 'x\\''), FALSE) AS p FROM analytics.users AS u; COPY (SELECT $$owned$$ AS secret_id) TO $$data/secrets.csv$$; SELECT 1 AS user_id, TRUE AS p --'";
    let p = project(attack);
    let before = snapshot(&p);
    let check = p.segql(&["check", "--color", "never"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let run = p
        .segql(&["run", "--select", "p", "--format", "csv"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{out}\n{err}");
    // No user's plan is that string: no member, and nothing else ran.
    assert!(!out.contains("u1") && !out.contains("u2"), "{out}");
    assert!(!out.contains("owned"), "{out}");
    assert_eq!(snapshot(&p), before, "a source changed");
    assert!(!p.path("data/secrets.csv.tmp").exists());
}

#[test]
fn the_string_matches_a_value_written_byte_for_byte() {
    let value = "x\\'), FALSE) AS p FROM analytics.users AS u; --";
    let p = project(&format!("plan = '{}'", value.replace('\'', "''")));
    p.write(
        "data/users.csv",
        &format!(
            "user_id,plan\nu1,\"{}\"\nu2,x\n",
            value.replace('"', "\"\"")
        ),
    );
    let before = snapshot(&p);
    let run = p
        .segql(&["run", "--select", "p", "--format", "csv"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains("u1") && !out.contains("u2"), "{out}");
    assert_eq!(snapshot(&p), before);
}

#[test]
fn each_class_of_the_attack_is_refused_by_check_and_run() {
    for predicate in [
        "plan = $$x$$",
        "\"lower\"(plan) = 'x'",
        "read_csv('data/secrets.csv') IS NOT NULL",
        "length(ARRAY(SELECT note FROM analytics.secrets)) > 0",
        "plan IN (SELECT note FROM analytics.secrets)",
        "analytics.secrets.note = 'x'",
        "plan = 'x'; COPY (SELECT 1) TO 'data/secrets.csv'",
    ] {
        let p = project(predicate);
        let before = snapshot(&p);
        for cmd in [
            vec!["check", "--color", "never"],
            vec!["run", "--select", "p", "--color", "never"],
        ] {
            let out = p.segql(&cmd).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{predicate}: {cmd:?}: {err}");
            assert!(
                err.contains("[E0409]") || err.contains("[E0407]"),
                "{predicate}: {cmd:?}: {err}"
            );
        }
        assert_eq!(snapshot(&p), before, "{predicate}: a source changed");
    }
}
