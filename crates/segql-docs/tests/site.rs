//! The site of the example project, read as files (the browser tests open it): every
//! page and link there, nothing from the network, conditions in words, what each item
//! reads, escaping of hostile names, and the sizes input.

mod support;

/// The benchmarks' generated project (segql-plan), by path as segql-lsp's bench does.
#[path = "../../segql-plan/benches/common/project_gen.rs"]
#[allow(dead_code)]
mod project_gen;

use segql_docs::words::Renderer;
use segql_docs::Sizes;
use segql_syntax::ast::ItemKind;
use std::collections::BTreeSet;
use support::{example_site, page, site_of, workspace};

/// `href="..."` and `src="..."` values of an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

/// A link's target, relative to the site's root, resolved from the page at `from`.
fn resolve(from: &str, link: &str) -> String {
    let link = link.split(['#', '?']).next().unwrap_or("");
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn every_link_and_asset_is_in_the_site_and_nothing_comes_from_the_network() {
    let site = example_site(None);
    let mut checked = 0;
    for (path, bytes) in &site.files {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        if path.ends_with(".css") || path.ends_with(".js") {
            // No CDN, no web font, no request of any kind.
            for bad in ["http://", "https://", "@import", "fetch(", "XMLHttpRequest"] {
                assert!(!text.contains(bad), "{path} holds {bad}");
            }
            continue;
        }
        if !path.ends_with(".html") {
            continue;
        }
        for link in links(&text) {
            assert!(
                !link.contains("://") && !link.starts_with("//"),
                "{path} links out: {link}"
            );
            let target = resolve(path, &link);
            assert!(
                site.files.contains_key(&target),
                "{path} links to {link}, which is not in the site ({target})"
            );
            // Links into the graph name a node it has.
            if let Some(id) = link.split_once("lineage.html#").map(|x| x.1) {
                let graph = page(&site, "lineage.html");
                assert!(
                    graph.contains(&format!("data-id=\"{id}\"")),
                    "{path}: no node {id}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn the_index_and_the_graph_hold_every_item() {
    let ws = workspace(&support::example_dir());
    let p = ws.program.as_ref().expect("program");
    let site = support::site_of(&ws, None);
    let items = p.segments.len()
        + p.traits.len()
        + p.actions.len()
        + p.reports.len()
        + p.splits.len()
        + p.priorities.len()
        + p.catalog.entities.len()
        + p.catalog.events.len();
    let index = page(&site, "index.html");
    assert_eq!(index.matches("<tr data-kind=").count(), items);
    let graph = page(&site, "lineage.html");
    assert_eq!(graph.matches("<a class=\"node ").count(), items);
    let js = page(&site, "search-index.js");
    let json = js
        .strip_prefix("window.SEGQL_INDEX = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .expect("the index script's shape");
    let entries: Vec<serde_json::Value> = serde_json::from_str(json).expect("JSON");
    assert_eq!(entries.len(), items);
    let champions = entries
        .iter()
        .find(|e| e["n"] == "champions")
        .expect("champions in the index");
    assert_eq!(champions["h"], "segment/champions.html");
    assert_eq!(champions["e"], "user");
    assert!(champions["w"]
        .as_str()
        .unwrap_or("")
        .contains("lifetime_value"));
    for s in &p.segments {
        assert!(
            site.files.contains_key(&format!("segment/{}.html", s.name)),
            "no page for {}",
            s.name
        );
    }
}

/// Every segment's, trait's and action's conditions in words, as the pages show them.
/// Read the snapshot: each line must say what the definition means (docs/semantics.md).
#[test]
fn conditions_in_words() {
    let ws = workspace(&support::example_dir());
    let p = ws.program.as_ref().expect("program");
    let r = Renderer { p };
    let mut out = String::new();
    for l in &ws.files {
        for item in &l.parsed.file.items {
            match &item.kind {
                ItemKind::Segment(s) => {
                    let id = p.segment_by_name(&s.name.name).expect("checked");
                    let e = p.segments[id].entity;
                    let entity = &p.catalog.entities[e].name;
                    let words = match &s.condition {
                        Some(c) => r.cond(c, e, s.score.is_some()).plain(),
                        None => "(every one)".into(),
                    };
                    out.push_str(&format!(
                        "segment {} ({}): {words}\n",
                        s.name.name,
                        segql_docs::words::plural(entity)
                    ));
                    if let Some(block) = &s.score {
                        for rule in &block.rules {
                            out.push_str(&format!(
                                "  {} if {}\n",
                                segql_syntax::fmt::literal_text(&rule.weight.kind),
                                r.rule(&rule.cond, e).plain()
                            ));
                        }
                    }
                }
                ItemKind::Trait(t) => {
                    let id = p
                        .traits
                        .iter()
                        .position(|x| x.name == t.name.name)
                        .expect("checked");
                    let e = p.traits[id].entity;
                    out.push_str(&format!(
                        "trait {}: {}\n",
                        t.name.name,
                        segql_docs::words::plain(&r.value(&t.value, e))
                    ));
                    if let segql_syntax::ast::ValueKind::Score(block) = &t.value.kind {
                        for rule in &block.rules {
                            out.push_str(&format!(
                                "  {} if {}\n",
                                segql_syntax::fmt::literal_text(&rule.weight.kind),
                                r.rule(&rule.cond, e).plain()
                            ));
                        }
                    }
                }
                ItemKind::Action(a) => {
                    let id = p
                        .actions
                        .iter()
                        .position(|x| x.name == a.name.name)
                        .expect("checked");
                    let e = p.actions[id].entity;
                    out.push_str(&format!(
                        "action {} ({}): {}\n",
                        a.name.name,
                        segql_docs::words::plural(&p.catalog.entities[e].name),
                        segql_docs::words::plain(&r.action(a, e))
                    ));
                }
                _ => {}
            }
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn what_items_read_and_what_the_graph_draws() {
    let site = example_site(None);
    let hot = page(&site, "segment/hot_leads.html");
    // hot_leads names the trait lead_score and two segments; through the trait it reads
    // the accounts' employees and the events.
    let reads = &hot
        [hot.find("id=\"reads\"").expect("reads")..hot.find("id=\"used-by\"").expect("used by")];
    for want in [
        "trait/lead_score.html",
        "segment/paying.html",
        "segment/internal_test_users.html",
        "analytics.accounts.employees",
        "<code>unsubscribed</code>",
    ] {
        assert!(reads.contains(want), "hot_leads does not read {want}");
    }
    // The graph: the trait between the accounts and hot_leads, no edge straight from
    // the accounts (hot_leads names no account column itself).
    let graph = page(&site, "lineage.html");
    let edge = |a: &str, b: &str| graph.contains(&format!("data-from=\"{a}\" data-to=\"{b}\""));
    assert!(edge("trait/lead_score", "segment/hot_leads"));
    assert!(edge("entity/account", "trait/lead_score"));
    assert!(edge("segment/activated", "trait/lead_score"));
    assert!(edge("segment/paying", "segment/hot_leads"));
    assert!(!edge("entity/account", "segment/hot_leads"));
    assert!(edge("segment/new_signups", "split/onboarding_test"));
    assert!(edge("segment/champions", "report/lifecycle_overview"));
    // Used by, both ways.
    let lead = page(&site, "trait/lead_score.html");
    let used = &lead[lead.find("id=\"used-by\"").expect("used by")..];
    assert!(used.contains("segment/hot_leads.html"));
    let events = page(&site, "events/user-2e.events.html");
    assert!(events.contains("<code>page_viewed</code>"));
    let user = page(&site, "entity/user.html");
    let plan_row = user
        .split("<tr>")
        .find(|r| r.contains("<td><code>plan</code></td>"))
        .expect("the plan column");
    assert!(plan_row.contains("segment/paying.html"), "{plan_row}");
    // A column of an extra table: on its entity's page with the table that holds it,
    // and read from that table.
    let owner_row = user
        .split("<tr>")
        .find(|r| r.contains("<td><code>sales_owner</code></td>"))
        .expect("the sales_owner column");
    assert!(
        owner_row.contains("extra table <code>sales</code>: <code>sales.contacts</code>")
            && owner_row.contains("segment/unworked_pqls.html"),
        "{owner_row}"
    );
    let unworked = page(&site, "segment/unworked_pqls.html");
    assert!(
        unworked.contains("<code>sales.contacts.sales_owner</code>"),
        "{unworked}"
    );
}

/// An action has a page: its definition, its events in words, what it reads and what
/// uses it (the checker's dependency graph says the same); its uses link to it.
#[test]
fn actions_have_pages_and_their_uses_link_to_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("segql.toml"), "name = \"a\"\n").expect("write");
    std::fs::write(
        dir.path().join("p.seg"),
        r#"entity user { table t.users  key user_id  columns { plan string } }
events of user {
  table t.events
  key user_id
  name event_name
  time at
  properties { page string  amount decimal }
}
action checkout = "page_viewed" with page = "/checkout" or "purchase" with amount > 0
action engaged = checkout or ["login", "invite_sent"]
trait checkout_total = sum(amount) of checkout
segment spenders { where did checkout with amount > 100 at least 2 times in last 30 days }
segment engaged_users { where did engaged in last 7 days and checkout_total > 10 }
"#,
    )
    .expect("write");
    let ws = workspace(dir.path());
    let p = ws.program.as_ref().expect("program");
    let site = site_of(&ws, None);

    let checkout = page(&site, "action/checkout.html");
    assert!(checkout.contains("<span class=\"badge action\">action</span>"));
    assert!(
        checkout.contains("The events of each user that count as <code>checkout</code>: <code>page_viewed</code> events where <code>page</code> is <code>/checkout</code>, or <code>purchase</code> events where <code>amount</code> is more than 0."),
        "{checkout}"
    );
    assert!(checkout.contains("<span class=\"k\">action</span> checkout = "));
    let section = |html: &str, id: &str| -> String {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"));
        let rest = &html[start..];
        rest[..rest.find("</section>").unwrap_or(rest.len())].to_string()
    };
    let reads = section(&checkout, "reads");
    for want in [
        "events/user-2e.events.html",
        "t.events.page",
        "t.events.amount",
        "t.events.event_name",
        "<code>page_viewed</code>",
        "<code>purchase</code>",
    ] {
        assert!(
            reads.contains(want),
            "checkout does not read {want}: {reads}"
        );
    }
    // Used by: what the checker's graph says uses it, each linked.
    let used = section(&checkout, "used-by");
    let graph = segql_plan::deps::Graph::new(p);
    let id = p.actions.iter().position(|a| a.name == "checkout").unwrap();
    let users: Vec<segql_plan::deps::Node> =
        graph.used_by(segql_plan::deps::Node::Action(id)).collect();
    assert_eq!(users.len(), 3, "{users:?}");
    for n in users {
        let href = format!("../{}/{}.html", n.kind(), n.name(p));
        assert!(used.contains(&href), "{href} missing from {used}");
    }

    // Uses link to the action: in words, in what they read, in the definition.
    let spenders = page(&site, "segment/spenders.html");
    let link = "<a class=\"ref action\" href=\"../action/checkout.html\"><code>checkout</code></a>";
    assert!(
        spenders.contains(&format!("Users who did {link} where <code>amount</code> is more than 100 at least 2 times in the last 30 days.")),
        "{spenders}"
    );
    assert!(section(&spenders, "reads").contains(link));
    assert!(section(&spenders, "definition")
        .contains("<a href=\"../action/checkout.html\">checkout</a>"));
    let engaged = page(&site, "action/engaged.html");
    assert!(
        engaged.contains(&format!(
            "{link} events, or <code>login</code> or <code>invite_sent</code> events."
        )),
        "{engaged}"
    );
    assert!(section(&engaged, "definition")
        .contains("<a href=\"../action/checkout.html\">checkout</a>"));
    let total = page(&site, "trait/checkout_total.html");
    assert!(total.contains(&format!("the total <code>amount</code> of {link} events")));

    // The graph: events → action → its users; the segment reads `amount` itself, the
    // other segment reads the events only through the action and the trait.
    let lineage = page(&site, "lineage.html");
    let edge = |a: &str, b: &str| lineage.contains(&format!("data-from=\"{a}\" data-to=\"{b}\""));
    assert!(edge("events/user-2e.events", "action/checkout"));
    assert!(edge("action/checkout", "segment/spenders"));
    assert!(edge("action/checkout", "action/engaged"));
    assert!(edge("action/checkout", "trait/checkout_total"));
    assert!(edge("action/engaged", "segment/engaged_users"));
    assert!(edge("events/user-2e.events", "segment/spenders"));
    assert!(!edge("events/user-2e.events", "segment/engaged_users"));
    // The relation's page names the action among those reading its columns.
    let events = page(&site, "events/user-2e.events.html");
    assert!(events.contains("action/checkout.html"));

    // The index and the search index list actions, with their words.
    let index = page(&site, "index.html");
    assert_eq!(index.matches("<tr data-kind=\"action\"").count(), 2);
    let js = page(&site, "search-index.js");
    assert!(js.contains("\"h\":\"action/checkout.html\""), "{js}");
    assert!(js.contains("`page_viewed` events where `page` is `/checkout`, or `purchase` events where `amount` is more than 0"));
}

#[test]
fn pages_show_definition_words_sql_and_tests() {
    let site = example_site(None);
    let p = page(&site, "segment/pricing_lurkers.html");
    assert!(p.contains("<span class=\"k\">segment</span> pricing_lurkers {"));
    assert!(p.contains("Users who did <code>page_viewed</code> where <code>page</code> is <code>/pricing</code> at least 3 times in the last 14 days and who did not do <code>purchase</code> in the last 90 days."));
    for d in segql_plan::dialect::all() {
        assert!(
            p.contains(&format!(
                "-- segment pricing_lurkers, {}, as of 2026-01-01T00:00:00Z",
                d.name()
            )),
            "no {} SQL",
            d.name()
        );
    }
    assert!(
        p.contains("segments/behaviour.seg:"),
        "declared in, relative to the project"
    );
    // Tests and asserts that name a segment.
    let paying = page(&site, "segment/paying.html");
    assert!(paying.contains("disjoint with"));
    assert!(paying.contains("assert on the bound data: size &gt;= 150 and &lt;= 450"));
    // A comment directly above an item belongs to its definition.
    let split = page(&site, "split/onboarding_test.html");
    assert!(split.contains("<span class=\"k\">salt</span>"));
    assert!(split.contains("control"));
    // Without sizes, no size section and no size column.
    assert!(!paying.contains("id=\"size\""));
    assert!(!page(&site, "index.html").contains("<th class=\"num\">Size</th>"));
}

#[test]
fn sizes_show_on_pages_and_in_the_index() {
    let sizes: Sizes = segql_docs::sizes::parse(
        r#"{"as_of": "2026-01-01", "segments": {"paying": {"size": 1234, "population": 2000, "sample": ["u1", 7],
            "history": [{"as_of": "2025-12-01", "size": 1200}, {"as_of": "2026-01-01", "size": 1234, "entered": 40, "left": 6}]}}}"#,
        segql_syntax::FileId(0),
    )
    .expect("valid sizes");
    let site = example_site(Some(&sizes));
    let paying = page(&site, "segment/paying.html");
    assert!(paying.contains("<span class=\"big\">1,234</span> members · 61.7% of 2,000"));
    assert!(paying.contains("<code class=\"key\">7</code>"));
    assert_eq!(paying.matches("<circle class=\"dot\"").count(), 2);
    assert!(paying.contains("2026-01-01: 1234, 40 entered, 6 left"));
    assert!(page(&site, "index.html").contains("<td class=\"num\">1,234</td>"));
    assert!(!page(&site, "segment/hot_leads.html").contains("id=\"size\""));
}

#[test]
fn bad_sizes_files_get_coded_errors() {
    let ws = workspace(&support::example_dir());
    let p = ws.program.as_ref().expect("program");
    let file = segql_syntax::FileId(7);
    let parse = |t: &str| segql_docs::sizes::parse(t, file);
    // Not JSON, a wrong type, an unknown field: E0901 at the place.
    let e = parse("{\"segments\": {\"paying\": {\"size\": -1}}}").unwrap_err();
    assert_eq!(e.code, "E0901");
    assert!(
        e.message.contains("invalid value: integer `-1`"),
        "{}",
        e.message
    );
    assert_eq!(e.span.file, file);
    assert_eq!(e.span.start, 34); // inside `-1`
    let e = parse("{\n  \"segments\": {\"paying\": {\"sise\": 3}}\n}").unwrap_err();
    assert!(e.message.contains("unknown field `sise`"), "{}", e.message);
    assert_eq!(e.span.start, 33); // the key `"sise"`
    let e = parse("[1, 2").unwrap_err();
    assert!(e.message.starts_with("invalid sizes file"), "{}", e.message);
    // Figures that do not fit: errors naming the field; an unknown segment: a warning.
    let s = parse(
        r#"{"as_of": "yesterday", "segments": {
            "paying": {"size": 5, "population": 3, "history": [
                {"as_of": "2025-12-01", "size": 1}, {"as_of": "2025-11-01", "size": 2}, {"as_of": "2025-13-01", "size": 2}]},
            "payng": {"size": 1}}}"#,
    )
    .expect("well-formed");
    let d = s.check(p, file);
    let msgs: Vec<String> = d
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    let has = |code: &str, text: &str| msgs.iter().any(|m| m.starts_with(code) && m.contains(text));
    assert!(has("E0901", "as_of `yesterday` is not a date"), "{msgs:#?}");
    assert!(
        has(
            "E0901",
            "segments.paying.size is 5, more than its population (3)"
        ),
        "{msgs:#?}"
    );
    assert!(
        has(
            "E0901",
            "segments.paying.history[1].as_of `2025-11-01` is not after"
        ),
        "{msgs:#?}"
    );
    assert!(
        has(
            "E0901",
            "segments.paying.history[2].as_of `2025-13-01` is not a date in the calendar"
        ),
        "{msgs:#?}"
    );
    assert!(has("W0902", "`payng`, which is not a segment"), "{msgs:#?}");
    let w = d.iter().find(|d| d.code == "W0902").expect("warning");
    assert!(!w.is_error());
    assert!(w
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("did you mean `paying`?"));
}

#[test]
fn hostile_names_and_texts_are_escaped_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("segql.toml"),
        "name = \"<b>x</b>\"\npaths = [\"p.seg\"]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("p.seg"),
        r#"entity user {
  description "</script><script>alert(1)</script>"
  table t.users
  key user_id
  columns { `<img src=x onerror=alert(2)>` string }
}
segment `</textarea><script>alert(3)</script>` {
  description "\" onmouseover=\"alert(4)"
  owner "<i>o</i>"
  tags ["'><svg onload=alert(5)>", "a\u{2028}b"]
  where `<img src=x onerror=alert(2)>` = "</code><script>alert(6)</script>"
}
segment Paying { where in `</textarea><script>alert(3)</script>` }
segment paying { where not in Paying }
"#,
    )
    .expect("write");
    let ws = workspace(dir.path());
    let site = site_of(&ws, None);
    let mut pages = BTreeSet::new();
    for (path, bytes) in &site.files {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        if path.ends_with(".html") {
            for bad in [
                "<script>alert",
                "<img src=x",
                "<svg onload",
                "\" onmouseover",
                "<b>x</b>",
                "<i>o</i>",
            ] {
                assert!(!text.contains(bad), "{path} holds {bad} unescaped");
            }
            pages.insert(path.clone());
        }
        if path == "search-index.js" {
            assert!(!text.contains("</script"), "the index could end a script");
            assert!(!text.contains('\u{2028}'));
        }
    }
    // Names differing in case and punctuation get pages of their own.
    assert!(pages.contains("segment/paying.html"));
    assert!(pages.contains("segment/-50.aying.html"));
    assert_eq!(
        pages.iter().filter(|p| p.starts_with("segment/")).count(),
        3
    );
    let paying = page(&site, "segment/paying.html");
    assert!(
        paying.contains("segment/-50.aying.html"),
        "the link to Paying"
    );
}

#[test]
fn a_large_project_builds_with_a_graph_laid_out_without_crossing_reduction() {
    let text = project_gen::project_text(300);
    let mut map = segql_syntax::SourceMap::new();
    let id = map.add("generated.seg", text.clone());
    let parsed = segql_syntax::parse(&text, id);
    assert!(parsed.diags.iter().all(|d| !d.is_error()));
    let (program, diags) = segql_plan::check(&[&parsed.file]);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "{:?}",
        diags.first().map(|d| &d.message)
    );
    let input = segql_docs::Input {
        name: "generated".into(),
        program: &program,
        files: vec![&parsed.file],
        map: &map,
        root: None,
        sizes: None,
        as_of: support::AS_OF,
    };
    let site = segql_docs::build(&input);
    let items = program.segments.len()
        + program.traits.len()
        + program.catalog.entities.len()
        + program.catalog.events.len();
    assert!(items > segql_docs::graph::OPTIMIZE_UP_TO, "{items} items");
    let graph = page(&site, "lineage.html");
    assert_eq!(graph.matches("<a class=\"node ").count(), items);
    assert!(graph.contains("skips crossing reduction"));
}

/// Negations are pushed inwards, and say when an unset value satisfies them.
#[test]
fn negations_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("segql.toml"), "name = \"n\"\n").expect("write");
    std::fs::write(
        dir.path().join("p.seg"),
        r#"entity account { table t.accounts  key account_id  columns { tier string } }
entity user {
  table t.users
  key user_id
  columns { plan string  age int  account_id string references account }
}
events of user { table t.events  key user_id  name event_name  time at  properties { amount decimal } }
segment a { where not (plan = "free") }
segment b { where not did "login" at least 3 times in last 30 days }
segment c { where not (plan = "free" and age >= 18) }
segment d { where not (did "login" in at least 2 of last 4 weeks) }
segment e of account { where not any user where plan = "pro" }
segment f of account { where not (all user where age > 30) }
segment g { where not stopped "login" for 30 days }
segment h { where not in a }
segment i { where not (avg(amount) of "purchase" > 10) and not (count of "purchase" > 2) }
segment j { where not did "login" at most 1 time }
segment k { where plan != "free" }
segment l { where stopped "login" for 14 days in last 60 days }
segment m { where not stopped "login" for 14 days since 2024-01-01 }
segment n { where restarted "login" after 30 days in last 7 days }
segment o { where not restarted "login" after 30 days in last 7 days }
"#,
    )
    .expect("write");
    let ws = workspace(dir.path());
    let p = ws.program.as_ref().expect("program");
    let r = Renderer { p };
    let mut got = Vec::new();
    for item in &ws.files[0].parsed.file.items {
        if let ItemKind::Segment(s) = &item.kind {
            let id = p.segment_by_name(&s.name.name).expect("checked");
            let c = s.condition.as_ref().expect("where");
            got.push(format!(
                "{}: {}",
                s.name.name,
                r.cond(c, p.segments[id].entity, false).plain()
            ));
        }
    }
    assert_eq!(
        got,
        [
            "a: whose `plan` is not `free` (or is not set)",
            "b: who did `login` fewer than 3 times in the last 30 days",
            "c: whose `plan` is not `free` (or is not set) or whose `age` is less than 18 (or is not set)",
            "d: who did `login` in fewer than 2 of the last 4 weeks",
            "e: with no user whose `plan` is `pro`",
            "f: with no users, or with at least one user whose `age` is at most 30 (or is not set)",
            "g: who never did `login`, or did it in the last 30 days",
            "h: who are not in `a`",
            "i: where the average `amount` of `purchase` events is at most 10 (or is not set) and where the number of `purchase` events is at most 2",
            "j: who did `login` more than 1 times",
            "k: whose `plan` is not `free`",
            "l: who did `login` in the last 60 days, but not in the last 14 days",
            "m: who did not do `login` since 2024-01-01 before the last 14 days, or did it in the last 14 days",
            "n: who returned to `login` in the last 7 days after 30 days without it, having done it before",
            "o: who did not return to `login` in the last 7 days after 30 days without it, having done it before",
        ]
    );
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/docs-site.md"
    ))
    .expect("docs/docs-site.md");
    for (code, _) in segql_docs::codes::ALL {
        assert!(
            doc.contains(&format!("| {code} |")),
            "docs/docs-site.md lists {code}"
        );
    }
}
