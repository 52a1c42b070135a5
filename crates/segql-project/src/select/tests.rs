use super::*;
use crate::codes;

const CATALOG: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan    string
    country string
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
  properties {
    amount decimal
  }
}
"#;

const CRM: &str = r#"
segment paying {
  tags ["crm", "revenue"]
  where plan = "pro"
}

segment paying_french {
  tags ["crm"]
  where in paying and country = "FR"
}

trait spend = sum(amount) of "purchase"
"#;

const BEHAVIOUR: &str = r#"
segment spenders {
  where spend > 100
}

report overview {
  segments [paying_french, spenders]
  metric members = count
}

test french_payers {
  as_of 2024-06-01
  given user {
    | user_id | plan  | country |
    | "u1"    | "pro" | "FR"    |
  }
  expect paying_french = ["u1"]
}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    ws: crate::Workspace,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("segments/crm")).unwrap();
    std::fs::write(root.join("segql.toml"), "name = \"t\"\n").unwrap();
    std::fs::write(root.join("catalog.seg"), CATALOG).unwrap();
    std::fs::write(root.join("segments/crm/crm.seg"), CRM).unwrap();
    std::fs::write(root.join("segments/behaviour.seg"), BEHAVIOUR).unwrap();
    let ws = crate::workspace(&[root.to_path_buf()]).unwrap();
    assert!(
        !ws.has_errors(),
        "{:?}",
        ws.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    Fixture { _dir: dir, ws }
}

/// The names `--select` and `--exclude` leave, sorted.
fn run(f: &Fixture, state: Option<&State>, sel: &[&str], ex: &[&str]) -> Vec<String> {
    try_run(f, state, sel, ex).unwrap_or_else(|e| panic!("{e}"))
}

fn try_run(
    f: &Fixture,
    state: Option<&State>,
    sel: &[&str],
    ex: &[&str],
) -> Result<Vec<String>, SelectError> {
    let p = f.ws.program.as_ref().unwrap();
    let g = Graph::new(p);
    let mut cx = Context::new(&f.ws, p, &g);
    cx.state = state;
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let s = select(&cx, &strings(sel), &strings(ex))?;
    let mut names: Vec<String> = s.nodes.iter().map(|n| n.name(p).to_string()).collect();
    names.sort();
    Ok(names)
}

#[test]
fn parses_graph_operators_and_methods() {
    let s = parse("+paying").unwrap();
    assert_eq!(s.method, Method::Name("paying".into()));
    assert_eq!((s.parents, s.children, s.at), (Some(None), None, false));
    let s = parse("2+tag:crm+1").unwrap();
    assert_eq!(s.method, Method::Tag("crm".into()));
    assert_eq!((s.parents, s.children), (Some(Some(2)), Some(Some(1))));
    let s = parse("@path:segments/crm").unwrap();
    assert_eq!(s.method, Method::Path("segments/crm".into()));
    assert!(s.at);
    assert_eq!(
        parse("state:modified+").unwrap().method,
        Method::State(StateKind::Modified)
    );
    assert_eq!(
        parse("kind:report").unwrap().method,
        Method::Kind("report".into())
    );
    // A name ending in digits is not a depth without its `+`.
    assert_eq!(
        parse("cohort_2024").unwrap().method,
        Method::Name("cohort_2024".into())
    );
}

#[test]
fn malformed_selectors_are_coded_with_hints() {
    for bad in [
        "+",
        "++a",
        "a++",
        "@+a",
        "tag:",
        "name:[",
        "x+99999999999999999999999",
    ] {
        let e = parse(bad).unwrap_err();
        assert_eq!(e.code, codes::SELECT_MALFORMED, "{bad}: {e}");
        assert!(e.hint.is_some(), "{bad}");
    }
    let e = parse("tags:crm").unwrap_err();
    assert_eq!(e.code, codes::SELECT_UNKNOWN_METHOD);
    assert_eq!(e.hint.as_deref(), Some("did you mean `tag:`?"));
    let e = parse("state:modifed").unwrap_err();
    assert_eq!(e.hint.as_deref(), Some("did you mean `state:modified`?"));
    let e = parse("kind:segmnt").unwrap_err();
    assert_eq!(e.hint.as_deref(), Some("did you mean `kind:segment`?"));
}

#[test]
fn names_globs_tags_and_kinds() {
    let f = fixture();
    assert_eq!(run(&f, None, &["paying"], &[]), ["paying"]);
    assert_eq!(
        run(&f, None, &["paying*"], &[]),
        ["paying", "paying_french"]
    );
    assert_eq!(
        run(&f, None, &["tag:crm"], &[]),
        ["paying", "paying_french"]
    );
    assert_eq!(run(&f, None, &["tag:rev*"], &[]), ["paying"]);
    assert_eq!(run(&f, None, &["kind:trait"], &[]), ["spend"]);
    // Commas, spaces and repetition are one union.
    assert_eq!(
        run(&f, None, &["paying, spend", "overview spenders"], &[]),
        ["overview", "paying", "spend", "spenders"]
    );
    // Nothing selected is everything.
    assert_eq!(run(&f, None, &[], &[]).len(), 6);
}

#[test]
fn graph_operators_walk_segments_traits_reports_and_tests() {
    let f = fixture();
    assert_eq!(
        run(&f, None, &["+overview"], &[]),
        ["overview", "paying", "paying_french", "spend", "spenders"]
    );
    assert_eq!(
        run(&f, None, &["1+overview"], &[]),
        ["overview", "paying_french", "spenders"]
    );
    assert_eq!(
        run(&f, None, &["paying+"], &[]),
        ["french_payers", "overview", "paying", "paying_french"]
    );
    assert_eq!(run(&f, None, &["spend+1"], &[]), ["spend", "spenders"]);
    // `@spend`: what uses it and all they use.
    assert_eq!(
        run(&f, None, &["@spend"], &[]),
        ["overview", "paying", "paying_french", "spend", "spenders"]
    );
}

#[test]
fn paths_are_files_directories_or_globs_relative_to_the_project() {
    let f = fixture();
    assert_eq!(
        run(&f, None, &["path:segments/crm"], &[]),
        ["paying", "paying_french", "spend"]
    );
    assert_eq!(
        run(&f, None, &["path:segments/behaviour.seg"], &[]),
        ["french_payers", "overview", "spenders"]
    );
    assert_eq!(
        run(&f, None, &["path:segments/*.seg"], &[]),
        ["french_payers", "overview", "spenders"]
    );
    assert_eq!(run(&f, None, &["path:**/crm.seg"], &[]).len(), 3);
    let e = try_run(&f, None, &["path:segmnts"], &[]).unwrap_err();
    assert_eq!(e.code, codes::SELECT_NO_PATH);
}

#[test]
fn exclude_takes_the_same_syntax() {
    let f = fixture();
    assert_eq!(
        run(&f, None, &["+overview"], &["kind:trait", "paying+"]),
        ["spenders"]
    );
    assert_eq!(
        run(&f, None, &[], &["path:**/crm/*", "kind:test"]),
        ["overview", "spenders"]
    );
    let e = try_run(&f, None, &[], &["payng"]).unwrap_err();
    assert_eq!(e.flag, "--exclude");
    assert_eq!(
        e.to_string(),
        "--exclude: nothing called `payng` in this project\n  hint: did you mean `paying`?"
    );
}

#[test]
fn names_that_match_nothing_are_errors_with_a_suggestion() {
    let f = fixture();
    let e = try_run(&f, None, &["payng+"], &[]).unwrap_err();
    assert_eq!(e.code, codes::SELECT_UNKNOWN_NAME);
    assert_eq!(e.hint.as_deref(), Some("did you mean `paying`?"));
    let e = try_run(&f, None, &["churn_*"], &[]).unwrap_err();
    assert_eq!(e.code, codes::SELECT_UNKNOWN_NAME);
    assert!(e.message.contains("matches nothing"), "{e}");
    let e = try_run(&f, None, &["tag:revnue"], &[]).unwrap_err();
    assert_eq!(e.code, codes::SELECT_UNKNOWN_TAG);
    assert_eq!(e.hint.as_deref(), Some("did you mean `tag:revenue`?"));
    let e = try_run(&f, None, &[" "], &[]).unwrap_err();
    assert_eq!(e.code, codes::SELECT_MALFORMED);
}

#[test]
fn state_selectors_need_a_state() {
    let f = fixture();
    let e = try_run(&f, None, &["state:modified"], &[]).unwrap_err();
    assert_eq!(e.code, codes::STATE_MISSING);
    let p = f.ws.program.as_ref().unwrap();
    let id = |name: &str| {
        Graph::new(p)
            .nodes()
            .iter()
            .copied()
            .find(|n| n.name(p) == name)
            .unwrap()
    };
    let state = State {
        modified: BTreeSet::from([id("paying")]),
        new: BTreeSet::from([id("spenders")]),
    };
    assert_eq!(
        run(&f, Some(&state), &["state:modified"], &[]),
        ["paying", "spenders"]
    );
    assert_eq!(run(&f, Some(&state), &["state:new"], &[]), ["spenders"]);
    assert_eq!(
        run(&f, Some(&state), &["state:modified+"], &[]),
        [
            "french_payers",
            "overview",
            "paying",
            "paying_french",
            "spenders"
        ]
    );
}
