//! The `segql` binary end to end: every command runs in a temporary project with
//! relative paths, and its exit code, stdout and stderr are snapshotted (insta-cmd's
//! format). The temporary directory's absolute path never reaches a snapshot: where a
//! message names it, it is replaced by `[TEMP]`.

#[macro_use]
mod common;

use common::{code, stderr, stdout, Project};
use insta_cmd::{Spawn, SpawnExt};

const CATALOG: &str = "\
entity user {
  table analytics.users
  key user_id
  columns {
    plan         string
    last_seen_at timestamp
  }
}

events of user {
  table analytics.events
  key user_id
  name event_name
  time occurred_at
}
";

const LIFECYCLE: &str = "\
# Lifecycle segments.

segment trial_idle {
  description \"Trial users with no activity for 30 days\"
  where plan = \"trial\" and last_seen_at < 30 days ago
}

segment paying {
  where plan in [\"pro\", \"business\"]
}

segment active {
  where did \"login\" in last 7 days
}
";

// ---------------------------------------------------------------------------------------
// The command line itself
// ---------------------------------------------------------------------------------------

#[test]
fn help() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["--help"]));
    assert_eq!(code(&out), 0);
    for command in ["check", "fmt"] {
        assert!(stdout(&out).contains(command));
    }
}

#[test]
fn version() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["--version"]));
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("segql {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["frobnicate"]));
    assert_eq!(code(&out), 2, "clap's exit code for a bad command line");
    assert!(stdout(&out).is_empty());
}

// ---------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------

#[test]
fn check_a_clean_project() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle/lifecycle.seg", LIFECYCLE)
        // Not named by `paths`, not a .seg file: neither is read.
        .write("notes/draft.seg", "this is not checked {")
        .write("segments/README.md", "not a segment file {");
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("2 files: no problems"));
}

#[test]
fn check_a_project_given_by_its_directory() {
    let p = Project::empty();
    p.write("demo/segql.toml", "paths = [\"segments\"]\n")
        .write("demo/segments/catalog.seg", CATALOG)
        .write("demo/segments/lifecycle.seg", LIFECYCLE);
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never", "demo"]));
    assert_eq!(code(&out), 0);
    // An unnamed project is named by its directory.
    assert!(stderr(&out).contains("checked project demo, 2 files: no problems"));
}

#[test]
fn check_reports_every_file_s_mistakes() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle.seg", LIFECYCLE)
        .write(
            "segments/broken.seg",
            "segment french_trials {\n  where plan == \"trial\" and country = \"FR\"\n}\n",
        )
        .write(
            "segments/more/typo.seg",
            "segmnt churned {\n  where did \"login\" in last 30 minutes\n}\n",
        );
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    for code in ["E0009", "E0101", "E0111"] {
        assert!(err.contains(&format!("[{code}]")), "{code} missing");
    }
    assert!(
        !err.contains('\x1b'),
        "--color never prints no escape codes"
    );
    assert!(stdout(&out).is_empty(), "diagnostics go to stderr");
}

#[test]
fn check_given_files() {
    let p = Project::empty();
    p.write("a.seg", LIFECYCLE)
        .write("b.seg", "segment b {\n  where plan = 'pro'\n}\n");
    // The same file twice is read once.
    let out = run_snapshot!(
        p,
        p.segql(&["check", "--color", "never", "a.seg", "b.seg", "./b.seg"])
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("checked 2 files: 1 error"));
}

/// A file inside a project is checked with its project (issue 16): its catalog is
/// known, only the named file's problems are reported, and a file the project's `paths`
/// do not list is read with it.
#[test]
fn check_a_file_inside_a_project() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle.seg", LIFECYCLE)
        .write(
            "segments/other.seg",
            "segment broken {\n  where plan = 3\n}\n",
        )
        .write(
            "drafts/mine.seg",
            "segment mine {\n  where in paying and plan = \"pro\"\n}\n",
        );
    // From the project's root, from below it, and a file its `paths` miss.
    for (dir, file) in [
        (".", "segments/lifecycle.seg"),
        ("segments", "lifecycle.seg"),
        (".", "drafts/mine.seg"),
    ] {
        let out = p
            .segql_in(dir, &["check", "--color", "never", file])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 0, "{file} from {dir}: {err}");
        assert!(
            err.contains("checked in project demo, 1 file: no problems"),
            "{err}"
        );
        assert!(err.contains("note: 1 error in other files"), "{err}");
        assert!(!err.contains("no entity"), "{err}");
    }
    // The named file's own problems, and only those.
    let out = p
        .segql(&["check", "--color", "never", "segments/other.seg"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("segments/other.seg:2:"), "{err}");
    assert!(
        err.contains("checked in project demo, 1 file: 1 error"),
        "{err}"
    );
    // A syntax error elsewhere leaves names and types unchecked: not a pass.
    p.write("segments/other.seg", "segment broken {\n  where\n");
    let out = p
        .segql(&["check", "--color", "never", "segments/lifecycle.seg"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("names and types were not checked"), "{err}");
}

#[test]
fn check_as_json() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG).write(
        "segments/broken.seg",
        "segment a {\n  where plan == \"trial\"\n}\n\nsegment b {\n  description \"x\"\n}\n",
    );
    let out = run_snapshot!(p, p.segql(&["check", "--format", "json"]));
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["files"], 2);
    assert_eq!(doc["errors"], 2);
    assert_eq!(doc["warnings"], 0);
    let diags = doc["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0009", "E0109"]);
    assert_eq!(diags[0]["file"], "segments/broken.seg");
    assert_eq!(
        (&diags[0]["line"], &diags[0]["column"]),
        (&2.into(), &14.into())
    );
    assert!(stderr(&out).is_empty(), "nothing but JSON is printed");
}

/// `--format github`: one workflow command per diagnostic, with the file, line and
/// column GitHub places it at, and the message escaped (issue 16).
#[test]
fn check_as_github_annotations() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG).write(
        "segments/broken.seg",
        "segment a {\n  where plan == \"trial\"\n}\n\nsegment b {\n  description \"x\"\n}\n",
    );
    let out = run_snapshot!(p, p.segql(&["check", "--format", "github"]));
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("::error file=segments/broken.seg,line=2,col=14,"),
        "{text}"
    );
    assert!(lines[0].contains(",title=segql E0009::"), "{text}");
    assert!(
        lines.iter().all(|l| !l[2..].contains('\n')),
        "one line each"
    );
    assert!(
        lines[0].contains("%0Ahint: "),
        "the hint on its own line: {text}"
    );
}

/// `--format sarif`: a SARIF 2.1.0 log with a rule per code and a located result per
/// diagnostic.
#[test]
fn check_as_sarif() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG).write(
        "segments/broken.seg",
        "segment a {\n  where plan == \"trial\"\n}\n\nsegment b {\n  description \"x\"\n}\n",
    );
    let out = p.segql(&["check", "--format", "sarif"]).output().unwrap();
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "segql");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["E0009", "E0109"]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "E0009");
    assert_eq!(results[0]["level"], "error");
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "segments/broken.seg");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 14);
    assert!(stderr(&out).is_empty(), "nothing but the log is printed");
}

#[test]
fn check_a_clean_project_as_json() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle.seg", LIFECYCLE);
    let out = run_snapshot!(p, p.segql(&["check", "--format", "json"]));
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn check_a_file_that_is_not_utf8() {
    let p = Project::demo();
    p.write_bytes(
        "segments/latin1.seg",
        b"segment caf\xe9 {\n  where true\n}\n",
    );
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("[E0001]"));
}

#[test]
fn check_with_colour_uses_escape_codes() {
    let p = Project::empty();
    p.write("a.seg", "segment a {\n  where plan == \"x\"\n}\n");
    let out = p
        .segql(&["check", "--color", "always", "a.seg"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains('\x1b'), "colours were asked for");
}

/// Every error looks one way, with or without a place in a file: `error[CODE]: message`
/// on its first line, the hint on its last as `  hint: ...`, coloured alike.
#[test]
fn errors_with_and_without_a_span_look_alike() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle.seg", LIFECYCLE)
        .write("broken.seg", "segment a {\n  where plan == \"x\"\n}\n");
    let file = p
        .segql(&["check", "--color", "never", "broken.seg"])
        .output()
        .unwrap();
    let usage = p
        .segql(&["compile", "-d", "duckdb", "-s", "payng", "--color", "never"])
        .output()
        .unwrap();
    for (out, code) in [(&file, "E0009"), (&usage, "E1001")] {
        let err = stderr(out);
        let first = err.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("error[{code}]: ")), "{err}");
        assert!(
            err.lines().any(|l| l.starts_with("  hint: ")),
            "the hint as the last line of the error: {err}"
        );
        assert!(!err.contains("Help:"), "{err}");
    }
    // The same colours for both: the code in bold red, the hint's label in bold cyan.
    for args in [
        &["check", "--color", "always", "broken.seg"][..],
        &[
            "compile", "-d", "duckdb", "-s", "payng", "--color", "always",
        ][..],
    ] {
        let err = stderr(&p.segql(args).output().unwrap());
        assert!(err.starts_with("\x1b[1;31merror["), "{err:?}");
        assert!(err.contains("  \x1b[1;36mhint\x1b[0m: "), "{err:?}");
    }
}

/// `--format short`: one line per diagnostic on stdout, as grep and editors' quickfix
/// lists read them.
#[test]
fn check_in_short_lines() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG).write(
        "segments/broken.seg",
        "segment a {\n  where plan == \"trial\"\n}\n\nsegment b {\n  description \"x\"\n}\n",
    );
    let out = run_snapshot!(p, p.segql(&["check", "--format", "short"]));
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.starts_with("segments/broken.seg:2:14: error[E0009]: ")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let p = Project::empty();
    p.write("a.seg", "segment a {\n  where plan == \"x\"\n}\n");
    let run = |env: &[(&str, &str)]| {
        let mut c = p.segql(&["check", "a.seg"]);
        c.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(code(&out), 1);
        stderr(&out).contains('\x1b')
    };
    // Not a terminal: no colour, unless forced; NO_COLOR wins over forcing.
    assert!(!run(&[]));
    assert!(run(&[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
}

#[test]
fn completions_for_each_shell() {
    let p = Project::empty();
    for (shell, marker) in [
        ("bash", "_segql()"),
        ("zsh", "#compdef segql"),
        ("fish", "complete -c segql"),
    ] {
        let out = p.segql(&["completions", shell]).output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let o = stdout(&out);
        assert!(o.contains(marker), "{shell}: {o}");
        // Subcommands and their options are completed.
        assert!(o.contains("snapshot") && o.contains("fail-fast"), "{shell}");
    }
    let out = p.segql(&["completions", "tcsh"]).output().unwrap();
    assert_eq!(code(&out), 2);
}

#[test]
fn engine_limits_are_checked_on_the_command_line() {
    let p = Project::empty();
    p.write("a.seg", "segment a {\n  where true\n}\n");
    let out = p
        .segql(&["--memory-limit", "12XB", "check", "a.seg"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`12XB` is not a memory size"),
        "{}",
        stderr(&out)
    );
    let out = p
        .segql(&["--threads", "0", "check", "a.seg"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let out = p
        .segql(&["dialects", "--threads", "1", "--memory-limit", "512MiB"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------
// Projects that are not right
// ---------------------------------------------------------------------------------------

#[test]
fn a_malformed_segql_toml() {
    let p = Project::empty();
    p.write("segql.toml", "name = \"demo\npaths = [\"segments\"]\n")
        .write("segments/catalog.seg", CATALOG);
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("[E0150]"));

    let out = run_snapshot!(p, p.segql(&["check", "--format", "json"]));
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "E0150");
    assert_eq!(doc["diagnostics"][0]["file"], "segql.toml");
}

#[test]
fn an_unknown_setting_in_segql_toml() {
    let p = Project::empty();
    p.write("segql.toml", "name = \"demo\"\npath = [\"segments\"]\n");
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("unknown field `path`"));
}

#[test]
fn a_paths_entry_that_does_not_exist() {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"demo\"\npaths = [\"segments\", \"segmnets\", \"more/*.seg\"]\n",
    )
    .write("segments/broken.seg", "segment a {\n  where x == 1\n}\n");
    // Each bad entry is pointed at; the files that do exist are still checked.
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert_eq!(err.matches("[E0150]").count(), 2, "{err}");
    assert!(err.contains("[E0009]"), "{err}");

    // fmt formats nothing while the project's files are in doubt.
    let before = p.read("segments/broken.seg");
    let out = run_snapshot!(p, p.segql(&["fmt", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert_eq!(p.read("segments/broken.seg"), before);
}

#[test]
fn no_project_here() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["check"]));
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("no segql.toml in"));
    let out = run_snapshot!(p, p.segql(&["fmt"]));
    assert_eq!(code(&out), 1);
}

#[test]
fn a_path_that_does_not_exist() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["check", "nowhere.seg"]));
    assert_eq!(code(&out), 1);
    let out = run_snapshot!(p, p.segql(&["check", "--format", "json", "nowhere"]));
    assert_eq!(code(&out), 1);
}

// ---------------------------------------------------------------------------------------
// fmt
// ---------------------------------------------------------------------------------------

const MESSY: &str = "segment  paying{where plan in [\"pro\",\"business\"]}\n";
const TIDY: &str = "segment paying {\n  where plan in [\"pro\", \"business\"]\n}\n";

#[test]
fn fmt_check_lists_the_files_that_would_change() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/paying.seg", MESSY)
        .write("segments/z/also_messy.seg", "segment  x {  where true }\n");
    let out = run_snapshot!(p, p.segql(&["fmt", "--check"]));
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "would reformat segments/paying.seg\nwould reformat segments/z/also_messy.seg\n"
    );
    assert_eq!(
        p.read("segments/paying.seg"),
        MESSY,
        "--check changes nothing"
    );
}

#[test]
fn fmt_diff_shows_what_would_change() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/z/also_messy.seg", "segment  x {  where true }\n");
    let out = p.segql(&["fmt", "--diff"]).output().unwrap();
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "--- a/segments/z/also_messy.seg\n+++ b/segments/z/also_messy.seg\n@@ -1 +1,3 @@\n-segment  x {  where true }\n+segment x {\n+  where true\n+}\n"
    );
    assert!(stderr(&out).contains("would reformat segments/z/also_messy.seg"));
    assert_eq!(
        p.read("segments/z/also_messy.seg"),
        "segment  x {  where true }\n",
        "--diff changes nothing"
    );
    // From standard input.
    let mut child = p
        .segql(&["fmt", "--diff", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"segment  x {  where true }\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("--- a/<stdin>\n+++ b/<stdin>\n"));
    // Nothing to change: no output, exit 0.
    p.segql(&["fmt"]).output().unwrap();
    let out = p.segql(&["fmt", "--diff"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn fmt_check_on_a_clean_project() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/lifecycle.seg", LIFECYCLE)
        .write("segments/paying.seg", TIDY);
    let out = run_snapshot!(p, p.segql(&["fmt", "--check"]));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty());
}

#[test]
fn fmt_rewrites_files_in_place() {
    let p = Project::demo();
    p.write("segments/catalog.seg", CATALOG)
        .write("segments/paying.seg", MESSY)
        .write(
            "segments/trial.seg",
            "# Trials.\nsegment trial{\ndescription \"On a trial\"\n    where plan=\"trial\"   # still trying\n}\n",
        );
    let out = run_snapshot!(p, p.segql(&["fmt"]));
    assert_eq!(code(&out), 0);
    assert_eq!(p.read("segments/paying.seg"), TIDY);
    assert_eq!(
        p.read("segments/trial.seg"),
        "# Trials.\nsegment trial {\n  description \"On a trial\"\n  where plan = \"trial\"  # still trying\n}\n"
    );
    assert_eq!(p.read("segments/catalog.seg"), CATALOG, "already canonical");
    assert!(
        !p.listing().iter().any(|f| f.contains(".tmp")),
        "no temporary file is left behind: {:?}",
        p.listing()
    );
    // Formatting is idempotent: a second run changes nothing.
    let again = p.segql(&["fmt", "--check"]).output().unwrap();
    assert_eq!(code(&again), 0, "{}", stdout(&again));
}

#[test]
fn fmt_leaves_files_with_syntax_errors_alone() {
    let p = Project::demo();
    let broken = "segment  a {\n  where plan == \"x\"\n}\n";
    p.write("segments/broken.seg", broken)
        .write("segments/paying.seg", MESSY);
    let out = run_snapshot!(p, p.segql(&["fmt", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert_eq!(p.read("segments/broken.seg"), broken);
    assert_eq!(
        p.read("segments/paying.seg"),
        TIDY,
        "the others are formatted"
    );
}

#[test]
fn fmt_given_files() {
    let p = Project::empty();
    p.write("one.seg", MESSY).write("two.seg", MESSY);
    let out = run_snapshot!(p, p.segql(&["fmt", "one.seg"]));
    assert_eq!(code(&out), 0);
    assert_eq!(p.read("one.seg"), TIDY);
    assert_eq!(p.read("two.seg"), MESSY, "only the file given");
}

#[test]
fn fmt_reads_standard_input() {
    let p = Project::empty();
    let mut cmd = p.segql(&["fmt", "-"]);
    let out = run_snapshot!(p, cmd.pass_stdin(MESSY));
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), TIDY);
}

#[test]
fn fmt_check_reads_standard_input() {
    let p = Project::empty();
    let mut cmd = p.segql(&["fmt", "--check", "-"]);
    let out = run_snapshot!(p, cmd.pass_stdin(MESSY));
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "would reformat <stdin>\n");

    let mut cmd = p.segql(&["fmt", "--check", "-"]);
    let out = cmd.pass_stdin(TIDY).spawn_with_info(None).1;
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty());
}

#[test]
fn fmt_standard_input_with_a_mistake() {
    let p = Project::empty();
    let mut cmd = p.segql(&["fmt", "--color", "never", "-"]);
    let out = run_snapshot!(p, cmd.pass_stdin("segment a {\n  where plan = 'pro'\n}\n"));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "nothing half-formatted is printed");
    assert!(stderr(&out).contains("<stdin>:2:16"));
}
