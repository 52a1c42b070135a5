//! Publishing a snapshot: its changes, the current members, its segments and the run
//! row, in one transaction ([`Store::publish`]).

use super::store::{ts, Flavor, Point, Publish, Result, StateError, Store};
use crate::codes;
use crate::sqltext::literal;

impl Store<'_> {
    /// Writes the temporary tables a backfill compares with (before the transaction:
    /// DuckDB writes one database per transaction): `segql_prev` (members just before
    /// the new run), `segql_next` (each segment's next run, its cause recomputed) and
    /// `segql_next_members`.
    fn stage_backfill(&self, p: &Publish) -> Result<()> {
        let names: Vec<String> = p
            .segments
            .iter()
            .filter(|s| s.backfill)
            .map(|s| s.segment.clone())
            .collect();
        let next = self.next_runs(&names, p.as_of)?;
        let mut values = vec![
            "SELECT CAST(NULL AS VARCHAR) AS segment, CAST(NULL AS VARCHAR) AS run_id, CAST(NULL AS BIGINT) AS seq, CAST(NULL AS TIMESTAMP) AS as_of, CAST(NULL AS VARCHAR) AS cause WHERE false".to_string(),
        ];
        for n in &next {
            let def = p
                .segments
                .iter()
                .find(|s| s.segment == n.segment)
                .map(|s| s.definition.as_str())
                .unwrap_or("");
            let cause = if n.definition == def {
                "data"
            } else {
                "definition"
            };
            values.push(format!(
                "SELECT {}, {}, {}, {}, {}",
                literal(&n.segment),
                literal(&n.run_id),
                n.seq,
                ts(n.as_of),
                literal(cause)
            ));
        }
        let doing = "preparing the backfill";
        self.temp(
            "segql_next",
            &format!("AS {}", values.join(" UNION ALL ")),
            doing,
        )?;
        self.temp(
            "segql_next_members",
            &format!("AS {}", self.members_at("segql_next")),
            doing,
        )?;
        // Just before the new run: every run at or before its as_of (the new run's
        // commit number is above all of theirs).
        let mut bounds = vec![
            "SELECT CAST(NULL AS VARCHAR) AS segment, CAST(NULL AS TIMESTAMP) AS as_of, CAST(NULL AS BIGINT) AS seq WHERE false".to_string(),
        ];
        for n in &names {
            bounds.push(format!(
                "SELECT {}, {}, {}",
                literal(n),
                ts(p.as_of),
                i64::MAX
            ));
        }
        self.temp(
            "segql_bounds",
            &format!("AS {}", bounds.join(" UNION ALL ")),
            doing,
        )?;
        self.temp(
            "segql_prev",
            &format!("AS {}", self.members_at("segql_bounds")),
            doing,
        )
    }

    /// Publishes a run in one transaction: its changes (against the current members,
    /// or for a backfill against the members rebuilt at its as_of, with the next run's
    /// changes recomputed), the current members, its segments and the run row last.
    /// Fails, changing nothing, if another run was published since `p.head` was read.
    /// `fault` is called at each [`Point`] (tests make it fail there or stop the process).
    pub fn publish(
        &self,
        p: &Publish,
        fault: &dyn Fn(Point) -> std::result::Result<(), String>,
    ) -> Result<i64> {
        let started = std::time::Instant::now();
        let mut plan = vec![
            "SELECT CAST(NULL AS VARCHAR) AS segment, CAST(NULL AS VARCHAR) AS entity, CAST(NULL AS VARCHAR) AS definition, CAST(NULL AS VARCHAR) AS cause, CAST(NULL AS BOOLEAN) AS backfill WHERE false".to_string(),
        ];
        for s in &p.segments {
            plan.push(format!(
                "SELECT {}, {}, {}, {}, {}",
                literal(&s.segment),
                literal(&s.entity),
                literal(&s.definition),
                literal(s.cause),
                s.backfill
            ));
        }
        self.temp(
            "segql_publish",
            &format!("AS {}", plan.join(" UNION ALL ")),
            "preparing the snapshot",
        )?;
        if p.segments.iter().any(|s| s.backfill) {
            self.stage_backfill(p)?;
        }
        let injected = |at: Point| fault(at).map_err(|m| StateError::new(codes::STATE_FAILED, m));
        injected(Point::Staged)?;
        self.exec("BEGIN TRANSACTION", "starting the snapshot's transaction")?;
        match self
            .lock()
            .and_then(|()| self.publish_in_transaction(p, &injected, started))
        {
            Ok(seq) => {
                self.exec("COMMIT", "committing the snapshot")?;
                Ok(seq)
            }
            Err(e) => {
                let _ = self.sql.execute("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Inside the transaction: one snapshot publishes at a time. DuckDB's state file is
    /// held by one process; on PostgreSQL a second publisher waits here for the first
    /// to commit, then sees its run and stops (E0714) instead of writing a second one.
    fn lock(&self) -> Result<()> {
        match self.flavor {
            Flavor::DuckDb => Ok(()),
            Flavor::Postgres => self.exec(
                &format!("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", self.t("runs")),
                "waiting for another snapshot to finish",
            ),
        }
    }

    fn publish_in_transaction(
        &self,
        p: &Publish,
        fault: &dyn Fn(Point) -> Result<()>,
        started: std::time::Instant,
    ) -> Result<i64> {
        let head = self.head()?;
        if head != p.head {
            return Err(StateError::new(
                codes::STATE_CHANGED,
                "another snapshot was recorded while this one ran; nothing was recorded by this one",
            )
            .hint("run the snapshot again: it will compare with the state as it is now"));
        }
        let seq = head + 1;
        let run = literal(&p.run_id);
        let as_of = ts(p.as_of);
        let observed = ts(p.observed_at);
        let changes = self.t("changes");
        let current = self.t("current_members");
        let doing = "recording the snapshot";
        let diff = |new: &str, old: &str, mode: bool| {
            format!(
                "SELECT {run}, {seq}, n.segment, n.\"key\", 'entered', {as_of}, {observed}, p.cause FROM {new} AS n JOIN segql_publish AS p ON p.segment = n.segment AND p.backfill = {mode} WHERE NOT EXISTS (SELECT 1 FROM {old} AS o WHERE o.segment = n.segment AND o.\"key\" = n.\"key\") \
                 UNION ALL SELECT {run}, {seq}, o.segment, o.\"key\", 'left', {as_of}, {observed}, p.cause FROM {old} AS o JOIN segql_publish AS p ON p.segment = o.segment AND p.backfill = {mode} WHERE NOT EXISTS (SELECT 1 FROM {new} AS n WHERE n.segment = o.segment AND n.\"key\" = o.\"key\")"
            )
        };
        let backfill = p.segments.iter().any(|s| s.backfill);
        let mut sources = vec![diff("segql_staged", &current, false)];
        if backfill {
            sources.push(diff("segql_staged", "segql_prev", true));
        }
        self.exec(
            &format!("INSERT INTO {changes} {}", sources.join(" UNION ALL ")),
            doing,
        )?;
        if backfill {
            // The next run's changes, now against the backfilled members.
            self.exec(
                &format!("DELETE FROM {changes} AS c WHERE EXISTS (SELECT 1 FROM segql_next AS x WHERE x.segment = c.segment AND x.seq = c.seq)"),
                doing,
            )?;
            self.exec(
                &format!(
                    "INSERT INTO {changes} SELECT x.run_id, x.seq, n.segment, n.\"key\", 'entered', x.as_of, {observed}, x.cause FROM segql_next_members AS n JOIN segql_next AS x ON x.segment = n.segment WHERE NOT EXISTS (SELECT 1 FROM segql_staged AS o WHERE o.segment = n.segment AND o.\"key\" = n.\"key\") \
                     UNION ALL SELECT x.run_id, x.seq, o.segment, o.\"key\", 'left', x.as_of, {observed}, x.cause FROM segql_staged AS o JOIN segql_next AS x ON x.segment = o.segment WHERE NOT EXISTS (SELECT 1 FROM segql_next_members AS n WHERE n.segment = o.segment AND n.\"key\" = o.\"key\")"
                ),
                doing,
            )?;
            self.exec(
                &format!(
                    "UPDATE {rs} AS r SET entered = (SELECT count(*) FROM {changes} AS c WHERE c.seq = r.seq AND c.segment = r.segment AND c.change = 'entered'), left_count = (SELECT count(*) FROM {changes} AS c WHERE c.seq = r.seq AND c.segment = r.segment AND c.change = 'left'), cause = x.cause FROM segql_next AS x WHERE x.segment = r.segment AND x.seq = r.seq",
                    rs = self.t("run_segments")
                ),
                doing,
            )?;
        }
        fault(Point::Changes)?;
        // Current members: the latest run of each segment (a backfill is never the latest).
        self.exec(
            &format!("DELETE FROM {current} AS m WHERE EXISTS (SELECT 1 FROM {changes} AS c JOIN segql_publish AS p ON p.segment = c.segment AND NOT p.backfill WHERE c.seq = {seq} AND c.change = 'left' AND c.segment = m.segment AND c.\"key\" = m.\"key\")"),
            doing,
        )?;
        self.exec(
            &format!("INSERT INTO {current} SELECT c.segment, c.\"key\", {as_of}, {run} FROM {changes} AS c JOIN segql_publish AS p ON p.segment = c.segment AND NOT p.backfill WHERE c.seq = {seq} AND c.change = 'entered'"),
            doing,
        )?;
        fault(Point::Current)?;
        self.exec(
            &format!(
                "INSERT INTO {} SELECT {run}, {seq}, p.segment, p.entity, p.definition, {as_of}, coalesce(z.size, 0), coalesce(e.n, 0), coalesce(l.n, 0), p.cause, p.backfill FROM segql_publish AS p \
                 LEFT JOIN (SELECT segment, count(*) AS size FROM segql_staged GROUP BY segment) AS z ON z.segment = p.segment \
                 LEFT JOIN (SELECT segment, count(*) AS n FROM {changes} WHERE seq = {seq} AND change = 'entered' GROUP BY segment) AS e ON e.segment = p.segment \
                 LEFT JOIN (SELECT segment, count(*) AS n FROM {changes} WHERE seq = {seq} AND change = 'left' GROUP BY segment) AS l ON l.segment = p.segment",
                self.t("run_segments")
            ),
            doing,
        )?;
        let started_at = ts(p.started_at);
        self.exec(
            &format!(
                "INSERT INTO {} VALUES ({seq}, {run}, {as_of}, {observed}, 'published', {backfill}, {started_at}, {}, {}, {})",
                self.t("runs"),
                p.compute_ms,
                started.elapsed().as_millis() as i64,
                literal(env!("CARGO_PKG_VERSION"))
            ),
            doing,
        )?;
        fault(Point::Run)?;
        Ok(seq)
    }
}
