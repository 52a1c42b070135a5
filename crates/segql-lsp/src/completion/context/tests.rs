//! Where the cursor is, for snippets of text with `|` as the cursor.

use super::*;

fn want(src: &str) -> Want {
    let at = src.find('|').expect("a cursor");
    let text = src.replacen('|', "", 1);
    super::at(&text, at).want
}

#[test]
fn positions() {
    assert_eq!(want("|"), Want::Item);
    assert_eq!(want("segment a { where |"), Want::Condition);
    assert_eq!(want("segment a { where pl|"), Want::Condition);
    assert_eq!(
        want("segment a { where did |"),
        Want::Event { in_list: false }
    );
    assert_eq!(
        want("segment a { where did \"lo|"),
        Want::Event { in_list: false }
    );
    assert_eq!(
        want("segment a { where did [\"a\", |"),
        Want::Event { in_list: true }
    );
    assert_eq!(want("segment a { where did \"x\" with |"), Want::Property);
    assert_eq!(
        want("segment a { where did \"x\" with (page = \"/\" and |"),
        Want::Property
    );
    assert_eq!(want("segment a { where did \"x\" |"), Want::AfterStep);
    assert_eq!(
        want("segment a { where did \"x\" from |"),
        Want::EventsRelation
    );
    assert_eq!(want("segment a { where in |"), Want::Segment);
    assert_eq!(want("segment a { where not in |"), Want::Segment);
    assert_eq!(want("segment a { where plan not in |"), Want::Nothing);
    assert_eq!(want("segment a { where plan |"), Want::Predicate);
    assert_eq!(
        want("segment a { where company.|"),
        Want::RefColumn("company".into())
    );
    assert_eq!(want("segment a of |"), Want::Entity);
    assert_eq!(
        want("segment a {\n  |"),
        Want::Field {
            block: "segment",
            in_condition: false
        }
    );
    assert_eq!(
        want("segment a {\n  where x = 1\n  |"),
        Want::Field {
            block: "segment",
            in_condition: true
        }
    );
    assert_eq!(want("segment a { where sum(|"), Want::Property);
    assert_eq!(want("segment a { where ntile(5) of |"), Want::Value);
    assert_eq!(
        want("segment a { where count of |"),
        Want::Event { in_list: false }
    );
    assert_eq!(want("report r { segments [a, |"), Want::Segment);
    assert_eq!(want("report r {\n metric m = |"), Want::Metric);
    assert_eq!(want("report r {\n metric m = avg(|"), Want::Value);
    assert_eq!(want("entity u {\n columns {\n  a |"), Want::Type);
    assert_eq!(
        want("entity u {\n columns {\n  a string references |"),
        Want::Entity
    );
    assert_eq!(
        want("entity u {\n columns {\n  a string |"),
        Want::Words(&["references"])
    );
    assert_eq!(want("test t {\n given |"), Want::Relation);
    assert_eq!(want("test t {\n expect |"), Want::ExpectTarget);
    assert_eq!(
        want("test t {\n expect sp.|"),
        Want::ExpectPart("sp".into())
    );
    assert_eq!(want("assert a {\n disjoint with |"), Want::Segment);
    assert_eq!(want("trait t = |"), Want::Value);
    assert_eq!(want("segment a { where x = 1 }\n|"), Want::Item);
    assert_eq!(want("action a = |"), Want::Event { in_list: false });
    assert_eq!(want("action a of user = |"), Want::Event { in_list: false });
    assert_eq!(want("action a of |"), Want::Entity);
    assert_eq!(
        want("action a = \"x\" with n = 1 or |"),
        Want::Event { in_list: false }
    );
    assert_eq!(want("action a = \"x\" with |"), Want::Property);
    assert_eq!(want("action a = \"x\" with n = |"), Want::Nothing);
    assert_eq!(want("action a = b |"), Want::Words(&["with", "or"]));
    assert_eq!(
        want("action a = \"x\" |"),
        Want::Words(&["with", "from", "or"])
    );
    assert_eq!(want("action a = \"x\"\n|"), Want::Item);
    assert_eq!(want("segment a { where did checkout |"), Want::AfterStep);
    assert_eq!(
        want("segment a { where count of checkout |"),
        Want::AfterStep
    );
    // A value, not an event step.
    assert_ne!(want("segment a { where ntile(5) of x |"), Want::AfterStep);
    assert_eq!(want("segment a { where x = 1 } # c|"), Want::Nothing);
}

#[test]
fn quantifier_and_filter_scopes() {
    let text = "segment a of account { where any user where ";
    let c = super::at(text, text.len());
    assert_eq!(c.want, Want::Condition);
    assert_eq!(c.quantified.as_deref(), Some("user"));
    assert_eq!(c.of.as_deref(), Some("account"));
    let text = "segment a { where did \"buy\" from orders with ";
    let c = super::at(text, text.len());
    assert_eq!(
        c.filter,
        Some(Step {
            names: vec!["buy".into()],
            from: Some("orders".into()),
            any: false,
            action: None,
        })
    );
    let text = "segment a { where did checkout with ";
    let c = super::at(text, text.len());
    assert_eq!(c.want, Want::Property);
    assert_eq!(c.filter.and_then(|f| f.action).as_deref(), Some("checkout"));
}

#[test]
fn the_word_being_typed_is_replaced() {
    let text = "segment a { where pla = 1 }";
    let c = super::at(text, 21);
    assert_eq!(c.replace, (18, 21));
    let text = "segment a { where did \"lo\" }";
    let c = super::at(text, 25);
    assert!(c.in_string);
    assert_eq!(c.replace, (22, 26));
}
