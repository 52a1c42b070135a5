//! `segql diff` end to end (docs/ci.md), through a real git repository: the members
//! each changed segment gains and loses (and those built on it), a base manifest
//! instead of a revision, and `size change within` asserts.

#[macro_use]
mod common;
#[path = "common/shop.rs"]
mod shop;

use common::{code, stderr, stdout, Project};
use shop::{project, BEHAVIOUR, CRM};
use std::process::Output;

// ---------------------------------------------------------------------------------------
// diff --base REV, through a real git repository
// ---------------------------------------------------------------------------------------

fn git(p: &Project, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(p.dir.path())
        .args([
            "-c",
            "user.name=segql",
            "-c",
            "user.email=segql@example.invalid",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", p.dir.path())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// The shop in a subdirectory of a git repository with two commits: the base, then an
/// edit (paying loses the business plan, french_payers, which uses it, is unchanged in
/// text, a segment is added, one removed, a comment-only edit) plus `added` files.
fn shop_repo_with_an_edit(added: &[(&str, &str)]) -> Project {
    let p = project();
    // The project lies in a subdirectory of the repository.
    let q = Project::empty();
    for f in p.listing() {
        q.write(&format!("shop/{f}"), &p.read(&f));
    }
    q.write(
        "shop/data/accounts.csv",
        "account_id,employees\na1,150\na2,20\n",
    );
    git(&q, &["init", "-q"]);
    git(&q, &["add", "."]);
    git(&q, &["commit", "-q", "-m", "base"]);
    // paying loses the business plan, french_payers (which uses it) is unchanged in
    // text, a segment is added, one removed; a comment-only edit is no change.
    q.write(
        "shop/segments/crm/crm.seg",
        &(CRM
            .replace("[\"pro\", \"business\"]", "[\"pro\", \"free\"]")
            .replace(
                "segment big_accounts of account {\n  where employees >= 100\n}\n",
                "",
            )
            + "\nsegment germans {\n  where country = \"DE\"\n}\n"),
    );
    q.write(
        "shop/segments/behaviour.seg",
        &format!("# spenders\n{BEHAVIOUR}"),
    );
    for (f, text) in added {
        q.write(f, text);
    }
    git(&q, &["add", "."]);
    git(&q, &["commit", "-q", "-m", "edit"]);
    q
}

/// `segql diff --base HEAD~1 --as-of 2024-06-01 TAIL...` in the repository's project.
fn diff_head_1(q: &Project, tail: &[&str]) -> Output {
    let mut args = vec!["diff", "--base", "HEAD~1", "--as-of", "2024-06-01"];
    args.extend(tail);
    q.segql_in("shop", &args).output().unwrap()
}

#[test]
fn diff_lists_the_members_each_changed_segment_gains_and_loses() {
    let q = shop_repo_with_an_edit(&[]);
    let out = diff_head_1(&q, &["--color", "never"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "segment germans (new): 0 -> 1 members (+1 gained, -0 lost)\n\
         \x20 gained u3\n\
         segment paying (changed): 2 -> 2 members (+1 gained, -1 lost)\n\
         \x20 gained u2\n\
         \x20 lost   u3\n\
         segment french_payers (changed upstream: segment paying): 1 -> 2 members (+1 gained, -0 lost)\n\
         \x20 gained u2\n\
         segment big_accounts (removed): 1 -> 0 members (+0 gained, -1 lost)\n\
         \x20 lost   a1\n"
    );
    // After the warning that `account` is now unused.
    assert!(
        stderr(&out).ends_with("4 segments changed since HEAD~1, as of 2024-06-01T00:00:00Z\n"),
        "{}",
        stderr(&out)
    );
    // The same as one JSON document, for a bot commenting on the pull request.
    let out = diff_head_1(&q, &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["base"], "HEAD~1");
    assert_eq!(doc["as_of"], "2024-06-01T00:00:00Z");
    assert_eq!(
        doc["segments"][1],
        serde_json::json!({
            "segment": "paying", "change": "changed", "upstream": [], "before": 2, "after": 2,
            "gained": 1, "lost": 1, "gained_examples": ["u2"], "lost_examples": ["u3"],
            "asserts": []
        })
    );
    assert_eq!(doc["segments"][2]["change"], "changed upstream");
    assert_eq!(
        doc["segments"][2]["upstream"],
        serde_json::json!(["segment paying"])
    );
    assert_eq!(doc["segments"].as_array().unwrap().len(), 4);
    let out = q
        .segql_in("shop", &["diff", "--base", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["segments"], serde_json::json!([]));
    // Against itself: nothing changed.
    let out = q
        .segql_in("shop", &["diff", "--base", "HEAD", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "no segment changed since HEAD\n");
    // A revision that is not one.
    let out = q
        .segql_in("shop", &["diff", "--base", "nope", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("`nope` is not a revision"),
        "{}",
        stderr(&out)
    );
}

/// A manifest.json a run of the base wrote is a base too: its checksums say what
/// changed, its DuckDB SQL gives the members before, as of the manifest's instant.
#[test]
fn diff_against_a_base_manifest() {
    let q = shop_repo_with_an_edit(&[]);
    // The base's manifest, as its CI run would have left it.
    git(&q, &["checkout", "-q", "HEAD~1", "--", "."]);
    let out = q
        .segql_in(
            "shop",
            &["run", "--as-of", "2024-06-01", "--format", "summary"],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::copy(q.path("shop/target/manifest.json"), q.path("base.json")).unwrap();
    // And one of a compile for PostgreSQL only.
    let out = q
        .segql_in(
            "shop",
            &[
                "compile",
                "-d",
                "postgres",
                "--as-of",
                "2024-06-01",
                "--target-path",
                "../pg",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    git(&q, &["checkout", "-q", "HEAD", "--", "."]);
    let base = q.path("base.json");
    let base = base.to_str().unwrap();
    let diff = |extra: &[&str]| {
        let mut v = vec!["diff", "--base", base, "--color", "never"];
        v.extend(extra);
        q.segql_in("shop", &v).output().unwrap()
    };
    let out = diff(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The same as against the revision, at the manifest's instant.
    let by_rev = diff_head_1(&q, &["--color", "never"]);
    assert_eq!(stdout(&out), stdout(&by_rev));
    assert!(stdout(&out).contains("segment paying (changed): 2 -> 2 members"));
    assert!(
        stderr(&out).contains("as of 2024-06-01T00:00:00Z"),
        "{}",
        stderr(&out)
    );
    // Another instant than the manifest's is refused: its SQL holds its own.
    let out = diff(&["--as-of", "2024-07-01"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2024-06-01T00:00:00Z"),
        "{}",
        stderr(&out)
    );
    // A manifest without DuckDB SQL (a compile for another dialect) says what to do.
    let pg = q.path("pg/manifest.json");
    let out = q
        .segql_in(
            "shop",
            &["diff", "--base", pg.to_str().unwrap(), "--color", "never"],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("no DuckDB SQL"), "{}", stderr(&out));
    // Not a manifest.
    q.write("bad.json", "{}");
    let bad = q.path("bad.json");
    let out = q
        .segql_in("shop", &["diff", "--base", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a manifest.json"),
        "{}",
        stderr(&out)
    );
}

/// `size change within` bounds how far a change may move a segment's size: checked by
/// `diff` on every segment it lists (also one changed only upstream), exit 1 beyond;
/// `test` leaves it to `diff`.
#[test]
fn diff_checks_size_change_asserts() {
    let asserts = "assert paying {\n  size change within 10%\n}\n\n\
                   assert french_payers {\n  size change within 50%\n  size change within 1\n}\n";
    let q = shop_repo_with_an_edit(&[("shop/segments/asserts.seg", asserts)]);
    let out = diff_head_1(&q, &["--color", "never"]);
    assert_eq!(code(&out), 1, "an assert failed: {}", stderr(&out));
    let text = stdout(&out);
    // paying: 2 -> 2 (one in, one out) is within 10%.
    assert!(
        text.contains("  ok   assert size change within 10%: 2 -> 2 members (+0.0%)\n"),
        "{text}"
    );
    // french_payers doubles: beyond 50%, within 1 member.
    assert!(
        text.contains("  FAIL assert size change within 50%: 1 -> 2 members (+100.0%)\n"),
        "{text}"
    );
    assert!(
        text.contains("  ok   assert size change within 1: 1 -> 2 members (+100.0%)\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("1 size change assert failed"),
        "{}",
        stderr(&out)
    );
    let out = diff_head_1(&q, &["--format", "json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let french = doc["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["segment"] == "french_payers")
        .unwrap();
    assert_eq!(
        french["asserts"],
        serde_json::json!([
            {"check": "size change within 50%", "passed": false},
            {"check": "size change within 1", "passed": true}
        ])
    );
    // `test` runs no size-change-only assert (it has no size before).
    let out = q
        .segql_in("shop", &["test", "--color", "never"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("assert paying"), "{}", stdout(&out));
    assert!(
        !stdout(&out).contains("assert french_payers"),
        "{}",
        stdout(&out)
    );
}
