//! Event names that match nothing: a check error with a did-you-mean where the catalog
//! declares its `names`, and a warning from `run`/`preview` (W0721) where it does not.

mod common;
use common::*;

const CATALOG: &str = SHOP_CATALOG;

const USERS_CSV: &str = "user_id\nu1\nu2\n";

const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at
u1,purchase,2024-05-20 10:00:00
u2,login,2024-05-21 10:00:00
";

fn shop(catalog: &str, segments: &str) -> Project {
    shop_project(catalog, segments, USERS_CSV, EVENTS_CSV)
}

const SEGMENTS: &str = "\
segment buyers {
  where did \"purchse\" in last 30 days
}

segment exporters {
  where did [\"login\", \"report_exported\"] in last 30 days
}

segment loggers {
  where did \"login\" in last 30 days
}
";

fn run(p: &Project, select: &str) -> std::process::Output {
    p.segql(&[
        "run",
        "-s",
        select,
        "--as-of",
        "2024-06-01",
        "--color",
        "never",
    ])
    .output()
    .unwrap()
}

#[test]
fn a_name_no_event_carries_is_warned_about_with_the_closest_one() {
    let p = shop(CATALOG, SEGMENTS);
    let out = run(&p, "buyers exporters");
    assert_eq!(code(&out), 0, "a warning, not a failure: {}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("warning[W0721]: no event in app.events is named \"purchse\""),
        "{e}"
    );
    assert!(
        e.contains("did you mean \"purchase\"? (it occurs in app.events)"),
        "{e}"
    );
    // No close name: the hint lists the names the data holds.
    assert!(
        e.contains("no event in app.events is named \"report_exported\""),
        "{e}"
    );
    assert!(
        e.contains("the names in app.events are \"login\", \"purchase\""),
        "{e}"
    );
    // A name the data holds is not warned about, and neither is a segment not selected.
    assert!(!e.contains("named \"login\""), "{e}");
    let out = run(&p, "loggers");
    assert!(!stderr(&out).contains("W0721"), "{}", stderr(&out));
    // preview warns the same way.
    let out = p
        .segql(&["preview", "-s", "buyers", "--as-of", "2024-06-01"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("W0721"), "{}", stderr(&out));
}

#[test]
fn declared_names_make_a_misspelling_a_check_error() {
    let catalog = CATALOG.replace(
        "  time occurred_at\n",
        "  time occurred_at\n  names [\"login\", \"purchase\", \"report_exported\"]\n",
    );
    let p = shop(&catalog, SEGMENTS);
    let out = p.segql(&["check", "--color", "never"]).output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("E0213") && text.contains("declares no event \"purchse\""),
        "{text}"
    );
    assert!(text.contains("did you mean \"purchase\"?"), "{text}");
    assert!(text.contains("shop.seg:2:"), "file:line:col: {text}");
    // Declared, so the run does not scan for it: the check already refuses it. The
    // other two segments check cleanly and run without a warning.
    let ok = shop(&catalog, &SEGMENTS.replace("purchse", "purchase"));
    let out = run(&ok, "buyers exporters");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("W0721"), "{}", stderr(&out));
}
