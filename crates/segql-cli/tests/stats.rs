//! `segql stats`: the event names' counts taken from the bound data into
//! segql-stats.json, which `compile` and `run` then plan with; a bad file is a coded
//! error pointing into it, and `segql stats` replaces it.

mod common;
use common::*;

const SEGMENTS: &str = "\
segment lapsed_buyers {
  where stopped \"purchase\" for 30 days
}

segment bought_or_upgraded {
  where did [\"purchase\", \"upgrade\"] in last 30 days
}
";

/// Mostly logins: a purchase and an upgrade among 40 events.
fn events_csv() -> String {
    let mut csv = String::from(
        "user_id,event_name,occurred_at\nu1,purchase,2024-03-01 10:00:00\nu2,upgrade,2024-05-21 10:00:00\n",
    );
    for i in 0..38 {
        csv.push_str(&format!(
            "u{},login,2024-05-{:02} 10:00:00\n",
            1 + i % 3,
            1 + i % 28
        ));
    }
    csv
}

fn shop() -> Project {
    shop_project(
        SHOP_CATALOG,
        SEGMENTS,
        "user_id\nu1\nu2\nu3\n",
        &events_csv(),
    )
}

fn text(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn compile(p: &Project, segment: &str) -> String {
    let o = p
        .segql(&[
            "compile",
            "--dialect",
            "duckdb",
            "--as-of",
            "2024-06-01",
            "-s",
            segment,
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    out
}

fn members(p: &Project) -> String {
    let o = p
        .segql(&[
            "run",
            "--as-of",
            "2024-06-01",
            "--format",
            "csv",
            "-s",
            "lapsed_buyers",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    out
}

#[test]
fn stats_are_counted_written_and_planned_with() {
    let p = shop();
    let before_lapse = compile(&p, "lapsed_buyers");
    let before_range = compile(&p, "bought_or_upgraded");
    let before_members = members(&p);
    assert!(before_lapse.contains("NOT IN (SELECT"), "{before_lapse}");
    assert!(
        !before_range.contains("event_name >= 'purchase'"),
        "{before_range}"
    );

    let o = p.segql(&["stats"]).output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("| app.events | login") && out.contains("95.00%"),
        "{out}"
    );
    assert!(err.contains("app.events: 40 rows counted"), "{err}");
    let file: serde_json::Value = serde_json::from_str(&p.read("segql-stats.json")).unwrap();
    assert_eq!(file["segql_stats"], 1);
    assert_eq!(file["relations"]["app.events"]["sampled"], 40);
    assert_eq!(file["relations"]["app.events"]["names"]["login"], 38);
    // u1, u2 and u3 take turns: 13 logins for u1 and u2, 12 for u3.
    assert_eq!(file["relations"]["app.events"]["max_per_key"]["login"], 13);
    assert_eq!(
        file["relations"]["app.events"]["max_per_key"]["purchase"],
        1
    );

    // Purchases are rare: the lapse is the last time again; the two rare names get
    // their range. The members do not change.
    let lapse = compile(&p, "lapsed_buyers");
    assert!(
        lapse.contains("planned with the data's statistics"),
        "{lapse}"
    );
    assert!(
        !lapse.contains("NOT IN (SELECT") && lapse.contains("MAX("),
        "{lapse}"
    );
    let range = compile(&p, "bought_or_upgraded");
    assert!(
        range.contains("event_name >= 'purchase' AND ev.event_name <= 'upgrade'"),
        "{range}"
    );
    assert_eq!(members(&p), before_members);
    assert!(before_members.contains("u1"), "{before_members}");
}

#[test]
fn a_bad_stats_file_is_a_coded_error_that_stats_replaces() {
    let p = shop();
    p.write(
        "segql-stats.json",
        "{\n  \"segql_stats\": 1,\n  \"sampled_at\": 3\n}\n",
    );
    let o = p
        .segql(&[
            "--color",
            "never",
            "compile",
            "--dialect",
            "duckdb",
            "-s",
            "lapsed_buyers",
        ])
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E1009") && err.contains("segql-stats.json:3:17"),
        "{err}"
    );
    assert!(err.contains("hint: run `segql stats`"), "{err}");

    p.write(
        "segql-stats.json",
        "{\"segql_stats\": 9, \"sampled_at\": \"\", \"relations\": {}}",
    );
    let o = p.segql(&["--color", "never", "check"]).output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("version 9, written by a newer segql"), "{err}");

    let o = p.segql(&["--color", "never", "stats"]).output().unwrap();
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("replaced the unreadable segql-stats.json"),
        "{err}"
    );
    let o = p.segql(&["check"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
}

#[test]
fn stats_refuses_a_missing_binding_and_writes_nothing() {
    let p = shop();
    std::fs::remove_file(p.path("data/events.csv")).unwrap();
    let o = p.segql(&["--color", "never", "stats"]).output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("not counted"), "{err}");
    assert!(!p.path("segql-stats.json").exists());
}

#[test]
fn a_run_warns_when_the_data_outgrew_the_statistics() {
    let p = shop();
    let o = p.segql(&["stats"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    let run = |p: &Project| {
        let o = p
            .segql(&[
                "--color",
                "never",
                "run",
                "--as-of",
                "2024-06-01",
                "--format",
                "csv",
            ])
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert!(o.status.success(), "{err}");
        err
    };
    assert!(!run(&p).contains("W0722"));
    // Three times the events: the counts no longer describe the data.
    let mut csv = events_csv();
    for _ in 0..2 {
        csv.push_str(events_csv().split_once('\n').unwrap().1);
    }
    p.write("data/events.csv", &csv);
    let err = run(&p);
    assert!(
        err.contains("W0722")
            && err.contains("app.events has 120 rows; segql-stats.json counted 40"),
        "{err}"
    );
    assert!(err.contains("hint: run `segql stats`"), "{err}");
}
