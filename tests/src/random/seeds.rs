//! The seeds of the rounds CI runs on every engine (`CI_SEEDS_AFTER`) and the forms
//! they must hold (`missing_from`, and the tests that check them).

use super::ACTIONS;

/// The rounds CI runs on every engine (random_engines): seeds `CI_SEEDS_AFTER + 1` to
/// `CI_SEEDS_AFTER + 3`, chosen so that they hold every form (the tests below).
pub const CI_SEEDS_AFTER: u64 = 8060000;

/// What the CI rounds lack, of the forms that only some rounds hold.
pub fn missing_from(all: &str) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let mut need = |ok: bool, what: &'static str| {
        if !ok {
            missing.push(what);
        }
    };
    need(all.contains("restarted \""), "restarted");
    need(
        all.lines()
            .any(|l| l.contains("stopped \"") && l.contains(" days in last ")),
        "stopped ... in last",
    );
    // A window and nothing since (a batch with the event's last time tests it by that:
    // `plan::rewrite`, whose trigger fixtures/results/lapses.seg holds).
    need(
        all.lines()
            .any(|l| l.contains(" days ago and not did \"") && l.contains(" between ")),
        "a window and nothing since",
    );
    for words in [" descending", " ties together", " among ("] {
        need(all.contains(words), words);
    }
    for a in ACTIONS {
        need(all.contains(&format!("action {} = ", a.name)), a.name);
    }
    need(all.contains("did act_"), "an action counted");
    need(
        all.lines()
            .any(|l| l.contains(" of act_") || l.contains("stopped act_") || l.contains("then ")),
        "an action in an aggregate, a lapse or a sequence",
    );
    for words in [
        "last(amount) of ",
        "first(amount) of ",
        "(page) of ",
        " periods of 2 months",
        " periods of 3 days",
        " times in at least 2 of last ",
    ] {
        need(all.contains(words), words);
    }
    // Columns of extra tables: a user's own, and an account's (through a reference or
    // in an account segment).
    need(
        ["owner = \"ann\"", "owner is not set", "lifetime_value >= "]
            .iter()
            .any(|w| all.contains(w)),
        "a column of a user's extra table",
    );
    need(
        all.contains("account.tier = ") || all.contains("(tier = "),
        "a column of an account's extra table",
    );
    missing
}

#[cfg(test)]
mod tests {
    use super::{missing_from, CI_SEEDS_AFTER};
    use crate::random::round;

    /// The rounds CI runs (random_engines: 20 segments of 20 users) hold every form:
    /// lapses, rankings, each action, first and last values, periods of several units,
    /// counts per period and columns of extra tables, so the oracle checks them on
    /// every engine in every run.
    #[test]
    fn the_ci_rounds_hold_every_form() {
        let texts: Vec<String> = (1..=3)
            .map(|s| round(CI_SEEDS_AFTER + s, 20, 20).text)
            .collect();
        let missing = ci_rounds_lack(&texts);
        assert!(
            missing.is_empty(),
            "the CI rounds lack {missing:?}: choose other seeds (CI_SEEDS_AFTER)"
        );
    }

    /// What the rounds lack: a form of [`missing_from`], a sequence of three steps, in a
    /// round two sequences (so that each round's batch shares one scan among several,
    /// time buckets on DuckDB), or a funnel's drop-outs (a sequence read from the longer
    /// one it starts).
    fn ci_rounds_lack(texts: &[String]) -> Vec<String> {
        let mut missing: Vec<String> = missing_from(&texts.join("\n"))
            .into_iter()
            .map(str::to_string)
            .collect();
        for (i, t) in texts.iter().enumerate() {
            if t.lines().filter(|l| l.contains(" then ")).count() < 2 {
                missing.push(format!("two sequences in round {}", i + 1));
            }
        }
        // A round whose sequences of two and of three steps all take time buckets on
        // DuckDB (none has a `within` in months, which gives the chain window passes).
        let bucketed = |t: &String| {
            let seqs: Vec<&str> = t.lines().filter(|l| l.contains(" then ")).collect();
            // A two-step sequence of two different steps (`did X then Y`, X not Y).
            let two = seqs.iter().any(|l| {
                let parts: Vec<&str> = l.split(" then ").collect();
                let first = parts[0].rsplit("did ").next().unwrap_or("");
                let second = parts.get(1).and_then(|p| p.split(' ').next());
                parts.len() == 2 && second.is_some_and(|s| s != first)
            });
            let three = seqs.iter().any(|l| l.matches(" then ").count() == 2);
            two && three && seqs.iter().all(|l| !l.contains(" months"))
        };
        if !texts.iter().any(bucketed) {
            missing.push("a round of sequences in time buckets only".to_string());
        }
        let three_steps = |t: &String| t.lines().any(|l| l.matches(" then ").count() >= 2);
        if !texts.iter().any(three_steps) {
            missing.push("a sequence of three steps".to_string());
        }
        // A funnel's drop-outs (a sequence and the longer one it starts) in a round whose
        // sequences all take time buckets, so that the shorter one reads the longer's.
        let funnel = |t: &String| {
            t.lines()
                .any(|l| l.contains(" and not did ") && l.matches(" then ").count() == 3)
                && t.lines()
                    .all(|l| !l.contains(" then ") || !l.contains(" months"))
        };
        if !texts.iter().any(funnel) {
            missing.push("a funnel's drop-outs in time buckets".to_string());
        }
        missing
    }

    #[test]
    #[ignore = "a search, run by hand after the generator changes"]
    fn search_ci_seeds() {
        for after in (1000..20_000_000).step_by(100) {
            let texts: Vec<String> = (1..=3).map(|s| round(after + s, 20, 20).text).collect();
            if ci_rounds_lack(&texts).is_empty() {
                println!("CI_SEEDS_AFTER = {after}");
                return;
            }
        }
        let texts: Vec<String> = (1..=3).map(|s| round(1000 + s, 20, 20).text).collect();
        panic!("no seeds found; at 1000: {:?}", ci_rounds_lack(&texts));
    }
}
