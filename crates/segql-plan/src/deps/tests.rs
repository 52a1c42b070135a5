use super::*;
use segql_syntax::FileId;

const SRC: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan       string
    country    string
    account_id string references account as company
  }
}

entity account {
  table app.accounts
  key account_id
  columns {
    employees int
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

segment paying {
  where plan = "pro"
}

segment big_company {
  where company.employees >= 50
}

trait spend = sum(amount) of "purchase"

segment spenders {
  where spend > 100 and in paying
}

segment big_accounts of account {
  where at least 2 user where country = "FR"
}

report overview {
  segments [spenders]
  metric members = count
}

split test_a of spenders {
  salt "a"
  group control 50%
  group variant 50%
}

priority stage {
  segments [paying, big_company]
}
"#;

fn program() -> Program {
    let parsed = segql_syntax::parser::parse(SRC, FileId(0));
    assert!(parsed.diags.is_empty(), "{:?}", parsed.diags);
    let (p, diags) = crate::check(&[&parsed.file]);
    assert!(
        !diags.iter().any(|d| d.is_error()),
        "{:?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    p
}

fn node(p: &Program, name: &str) -> Node {
    *Node::all(p)
        .iter()
        .find(|n| n.name(p) == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

fn names(p: &Program, set: &BTreeSet<Node>) -> Vec<String> {
    let mut v: Vec<String> = set.iter().map(|n| n.name(p).to_string()).collect();
    v.sort();
    v
}

fn cols(m: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    m.iter()
        .flat_map(|(r, cs)| cs.iter().map(move |c| format!("{r}.{c}")))
        .collect()
}

#[test]
fn direct_uses_are_segments_and_inlined_traits() {
    let p = program();
    let g = Graph::new(&p);
    let spenders = g.reads(node(&p, "spenders"));
    assert_eq!(
        spenders.nodes,
        BTreeSet::from([node(&p, "paying"), node(&p, "spend")])
    );
    // The trait's columns are its own, not the segment's.
    assert_eq!(cols(&spenders.columns), vec!["app.users.user_id"]);
    assert_eq!(
        cols(&g.reads(node(&p, "spend")).columns),
        vec![
            "app.events.amount",
            "app.events.event_name",
            "app.events.occurred_at",
            "app.events.user_id",
            "app.users.user_id",
        ]
    );
}

#[test]
fn ancestors_and_descendants_follow_every_kind() {
    let p = program();
    let g = Graph::new(&p);
    assert_eq!(
        names(&p, &g.ancestors(node(&p, "test_a"), None)),
        vec!["paying", "spend", "spenders"]
    );
    assert_eq!(
        names(&p, &g.ancestors(node(&p, "test_a"), Some(1))),
        vec!["spenders"]
    );
    assert_eq!(
        names(&p, &g.descendants(node(&p, "paying"), None)),
        vec!["overview", "spenders", "stage", "test_a"]
    );
    assert_eq!(
        names(&p, &g.descendants(node(&p, "spend"), Some(1))),
        vec!["spenders"]
    );
    assert!(g.descendants(node(&p, "overview"), None).is_empty());
}

#[test]
fn reads_all_include_what_the_sql_inlines() {
    let p = program();
    let g = Graph::new(&p);
    assert_eq!(
        cols(&g.reads_all(node(&p, "overview"))),
        vec![
            "app.events.amount",
            "app.events.event_name",
            "app.events.occurred_at",
            "app.events.user_id",
            "app.users.plan",
            "app.users.user_id",
        ]
    );
    assert_eq!(
        g.relations([node(&p, "paying")]),
        BTreeSet::from(["app.users".to_string()])
    );
}

#[test]
fn references_and_quantifiers_read_both_tables() {
    let p = program();
    let g = Graph::new(&p);
    assert_eq!(
        cols(&g.reads_all(node(&p, "big_company"))),
        vec![
            "app.accounts.account_id",
            "app.accounts.employees",
            "app.users.account_id",
            "app.users.user_id",
        ]
    );
    assert_eq!(
        cols(&g.reads_all(node(&p, "big_accounts"))),
        vec![
            "app.accounts.account_id",
            "app.users.account_id",
            "app.users.country",
            "app.users.user_id",
        ]
    );
}
