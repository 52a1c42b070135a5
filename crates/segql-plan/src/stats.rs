//! Statistics: how often each event name occurs in an events relation, and the most of
//! it one key has, as `segql stats` counts them in the data (segql-run collects them, segql-project reads them from the
//! project's `segql-stats.json` into [`Program::stats`](crate::ir::Program)).
//!
//! The planner reads them for choices that depend on the data and that no catalog
//! states: whether a lapse is tested as two sets of keys (worth it over a frequent event,
//! not over a rare one) and whether a scan's name list gets a range the parquet reader
//! can apply (worth it when the range leaves out the frequent names). Without statistics
//! for a relation every choice is the one made before statistics existed, so the SQL of
//! a project without the file does not change. Statistics never change the members: every
//! choice they drive is between statements with the same meaning.

use std::collections::BTreeMap;

/// Event name counts of each events relation, by the relation's table (its
/// dotted name, `analytics.events`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    pub relations: BTreeMap<String, NameCounts>,
}

/// One relation's counts: how many rows the names were counted in, and each name's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameCounts {
    /// The rows the names were counted in (`segql stats` counts every row).
    pub sampled: u64,
    /// The rows of each name among them; a name absent here was not seen.
    pub names: BTreeMap<String, u64>,
    /// The relation's rows.
    pub rows: u64,
    /// The most rows of each name one key has, over the whole relation (an exact pass);
    /// a name absent here has no known maximum.
    pub max_per_key: BTreeMap<String, u64>,
}

/// The share of an events relation's rows at or above which an event is frequent: its
/// lapses are sets of keys ([`lapse_as_sets`](Statistics::lapse_as_sets)). Measured at 1M
/// users on DuckDB: `login` (21% of the rows) 0.72-0.93x as sets, `purchase` (1.4%) 1.13x.
pub const FREQUENT: f64 = 0.05;

/// The most of a relation's rows a name range may cover to be worth testing in the
/// reader ([`range_pays`](Statistics::range_pays)). Measured at 1M users on DuckDB: ranges
/// over 5-10% of the rows 0.86-0.92x, over 60% and 80% 1.08x.
pub const RANGE_AT_MOST: f64 = 0.25;

impl Statistics {
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }

    /// The counts of the relation stored in `table`, when it was counted and held rows.
    fn of(&self, table: &[String]) -> Option<&NameCounts> {
        self.relations
            .get(&table.join("."))
            .filter(|c| c.sampled > 0)
    }

    /// The share of the relation's rows whose name is one of `names`.
    pub fn share<'a>(
        &self,
        table: &[String],
        names: impl IntoIterator<Item = &'a str>,
    ) -> Option<f64> {
        let c = self.of(table)?;
        let n: u64 = names
            .into_iter()
            .map(|n| c.names.get(n).copied().unwrap_or(0))
            .sum();
        Some(n as f64 / c.sampled as f64)
    }

    /// The share of the relation's rows whose name lies between `lo` and `hi` (byte
    /// order, both included): what a range test keeps.
    pub fn share_between(&self, table: &[String], lo: &str, hi: &str) -> Option<f64> {
        let c = self.of(table)?;
        let n: u64 = c
            .names
            .range::<str, _>((std::ops::Bound::Included(lo), std::ops::Bound::Included(hi)))
            .map(|(_, n)| n)
            .sum();
        Some(n as f64 / c.sampled as f64)
    }

    /// Whether the statistics say `name` is rare in the relation (under [`FREQUENT`] of
    /// its rows); never without statistics for it.
    pub fn rare(&self, table: &[String], name: &str) -> bool {
        self.share(table, [name]).is_some_and(|s| s < FREQUENT)
    }

    /// Whether a lapse of `name` is worth two sets of keys: yes when the statistics
    /// say the name is frequent, and, without statistics for the relation, yes (what
    /// the dialect chose without them).
    pub fn lapse_as_sets<'a>(
        &self,
        table: &[String],
        names: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        self.share(table, names).is_none_or(|s| s >= FREQUENT)
    }

    /// Whether joining the events of each step to those of the next on the key (the
    /// steps' names in order) makes at most as many pairs as the relation has rows, by
    /// the per-key maxima: the pairs of steps a and b are at most `max_a x rows_b` and
    /// at most `max_b x rows_a` (a step of several names: the sums). Never without the
    /// maxima of every name.
    pub fn joins_fit(&self, table: &[String], steps: &[&[String]]) -> bool {
        let Some(c) = self.of(table) else {
            return false;
        };
        if c.rows == 0 || steps.len() < 2 {
            return false;
        }
        let step = |names: &[String]| -> Option<(f64, f64)> {
            let mut max = 0u64;
            for n in names {
                max = max.checked_add(*c.max_per_key.get(n)?)?;
            }
            let share = self.share(table, names.iter().map(String::as_str))?;
            Some((max as f64, share * c.rows as f64))
        };
        let Some(known) = steps.iter().map(|s| step(s)).collect::<Option<Vec<_>>>() else {
            return false;
        };
        known.windows(2).all(|w| {
            let ((max_a, rows_a), (max_b, rows_b)) = (w[0], w[1]);
            (max_a * rows_b).min(max_b * rows_a) <= c.rows as f64
        })
    }

    /// The range (smallest and largest name) to test beside a list of several names,
    /// when the statistics say it keeps at most [`RANGE_AT_MOST`] of the rows; never
    /// without statistics.
    ///
    /// Only for names of lowercase ASCII letters and `_`: a row the list keeps must lie
    /// in the range under whatever collation compares the column, and for those names
    /// byte order, case-insensitive order and ICU's order agree (`_` before the letters in
    /// each; digits, capitals and other punctuation do not sort alike in all three).
    pub fn range_pays<'a>(
        &self,
        table: &[String],
        names: &'a [String],
    ) -> Option<(&'a str, &'a str)> {
        let plain = |n: &String| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if names.len() < 2 || !names.iter().all(plain) {
            return None;
        }
        let lo = names.iter().min()?;
        let hi = names.iter().max()?;
        let share = self.share_between(table, lo, hi)?;
        (share <= RANGE_AT_MOST).then_some((lo.as_str(), hi.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench() -> Statistics {
        // The bench data's shares at 1M users (per mille).
        let names = [
            ("page_viewed", 597),
            ("login", 209),
            ("report_exported", 43),
            ("project_created", 30),
            ("email_opened", 29),
            ("friend_added", 25),
            ("invite_sent", 20),
            ("signup", 16),
            ("purchase", 14),
            ("plan_changed", 9),
            ("support_ticket", 7),
            ("unsubscribed", 1),
        ];
        let mut c = NameCounts::default();
        for (n, k) in names {
            c.names.insert(n.to_string(), k);
            c.sampled += k;
        }
        c.rows = 62_040_482;
        // The most per user at 1M users.
        for (n, m) in [
            ("page_viewed", 15372),
            ("login", 4346),
            ("project_created", 557),
            ("signup", 1),
            ("purchase", 24),
        ] {
            c.max_per_key.insert(n.to_string(), m);
        }
        Statistics {
            relations: [("analytics.events".to_string(), c)].into(),
        }
    }

    #[test]
    fn joins_fit_where_a_step_is_rare_per_key() {
        let s = bench();
        let (a, b, c) = (v(&["signup"]), v(&["project_created"]), v(&["purchase"]));
        assert!(s.joins_fit(&t(), &[&a, &b]));
        // project_created to purchase: at most 24 x 1.86M pairs, under 62M.
        assert!(s.joins_fit(&t(), &[&a, &b, &c]));
        // Logins then page views: thousands of each for one user.
        let (l, p) = (v(&["login"]), v(&["page_viewed"]));
        assert!(!s.joins_fit(&t(), &[&l, &p]));
        assert!(!s.joins_fit(&t(), &[&a, &l, &p]));
        // A name without a known maximum, or no statistics: no joins.
        assert!(!s.joins_fit(&t(), &[&a, &v(&["invite_sent"])]));
        assert!(!Statistics::default().joins_fit(&t(), &[&a, &b]));
    }

    fn t() -> Vec<String> {
        vec!["analytics".to_string(), "events".to_string()]
    }

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn frequent_names_lapse_as_sets_and_rare_ones_do_not() {
        let s = bench();
        assert!(s.lapse_as_sets(&t(), ["login"]));
        assert!(!s.lapse_as_sets(&t(), ["purchase"]));
        // A name the sample never saw is rare.
        assert!(!s.lapse_as_sets(&t(), ["churned"]));
        // Without statistics for the relation: sets, as before statistics.
        assert!(Statistics::default().lapse_as_sets(&t(), ["purchase"]));
        assert!(s.lapse_as_sets(&v(&["other", "events"]), ["purchase"]));
    }

    #[test]
    fn a_range_pays_only_where_it_leaves_the_frequent_names_out() {
        let s = bench();
        // plan_changed..purchase also holds project_created: 5.3% of the rows.
        assert_eq!(
            s.range_pays(&t(), &v(&["purchase", "plan_changed"])),
            Some(("plan_changed", "purchase"))
        );
        assert_eq!(
            s.range_pays(&t(), &v(&["signup", "project_created", "purchase"])),
            Some(("project_created", "signup"))
        );
        // page_viewed..purchase holds page_viewed; login..page_viewed is 80% of rows.
        assert_eq!(s.range_pays(&t(), &v(&["page_viewed", "purchase"])), None);
        assert_eq!(s.range_pays(&t(), &v(&["login", "page_viewed"])), None);
        // Names whose order could depend on the column's collation: no range.
        assert_eq!(s.range_pays(&t(), &v(&["purchase", "Plan_changed"])), None);
        assert_eq!(s.range_pays(&t(), &v(&["purchase", "plan2"])), None);
        // One name is an equality already; no statistics, no range.
        assert_eq!(s.range_pays(&t(), &v(&["purchase"])), None);
        assert_eq!(
            Statistics::default().range_pays(&t(), &v(&["purchase", "plan_changed"])),
            None
        );
        let between = s.share_between(&t(), "plan_changed", "purchase").unwrap();
        assert!((between - 53.0 / 1000.0).abs() < 1e-9, "{between}");
    }
}
