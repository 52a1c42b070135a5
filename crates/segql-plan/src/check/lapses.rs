//! `stopped` and `restarted`: activity, a lapse without it, and (for `restarted`) a
//! return, turned into the step's last time or counts of its events over adjoining
//! windows.
//!
//! `stopped E for D [W]`: at least one event in `W` before `as_of - D` (all history
//! without `W`), none in `[as_of - D, as_of)`; that is, the last event in `W` (up to
//! as_of) is before `as_of - D`.
//! `restarted E after L in last R`: at least one event before `as_of - R - L`, none in
//! `[as_of - R - L, as_of - R)`, at least one in `[as_of - R, as_of)`.

use super::*;

/// The bounds of a duration in microseconds: a month is 28 to 31 days, a year 365 or
/// 366; hours, days and weeks are exact.
fn micros_bounds(d: &ast::Duration) -> (i128, i128) {
    let day = i128::from(MICROS_PER_DAY);
    let n = i128::from(d.n);
    match d.unit {
        Unit::Hour => (n * day / 24, n * day / 24),
        Unit::Day => (n * day, n * day),
        Unit::Week => (n * 7 * day, n * 7 * day),
        Unit::Month => (n * 28 * day, n * 31 * day),
        Unit::Year => (n * 365 * day, n * 366 * day),
    }
}

/// Two durations as one, when they share a kind of unit: hours, days and weeks add up
/// exactly (in the coarsest unit both divide), months and years in months. A day-based
/// duration and a calendar one do not add up to a fixed length.
fn add(a: &ast::Duration, b: &ast::Duration) -> Option<Duration> {
    let hours = |d: &ast::Duration| match d.unit {
        Unit::Hour => Some(d.n),
        Unit::Day => d.n.checked_mul(24),
        Unit::Week => d.n.checked_mul(24 * 7),
        Unit::Month | Unit::Year => None,
    };
    let months = |d: &ast::Duration| match d.unit {
        Unit::Month => Some(d.n),
        Unit::Year => d.n.checked_mul(12),
        _ => None,
    };
    if a.unit == b.unit {
        return Some(Duration {
            n: a.n.checked_add(b.n)?,
            unit: a.unit,
        });
    }
    if let (Some(x), Some(y)) = (hours(a), hours(b)) {
        let h = x.checked_add(y)?;
        let unit = if h % 24 == 0 { Unit::Day } else { Unit::Hour };
        let n = if unit == Unit::Day { h / 24 } else { h };
        return Some(Duration { n, unit });
    }
    let (x, y) = (months(a)?, months(b)?);
    Some(Duration {
        n: x.checked_add(y)?,
        unit: Unit::Month,
    })
}

fn count(step: &Step, window: TimeWindow) -> Scalar {
    Scalar::Agg(Box::new(EventAgg {
        kind: AggKind::Count,
        filter: step.clone().filter(window),
    }))
}

fn at_least_one(s: Scalar) -> Cond {
    Cond::Cmp(s, CmpOp::Ge, Scalar::Lit(Lit::Int(1)))
}

fn none(s: Scalar) -> Cond {
    Cond::Cmp(s, CmpOp::Eq, Scalar::Lit(Lit::Int(0)))
}

impl Checker<'_> {
    pub(super) fn stopped(&mut self, st: &ast::Stopped, ctx: &Ctx) -> Option<Cond> {
        let step = self.step(&st.step, ctx)?;
        self.positive_duration(&st.for_)?;
        let start = match &st.window {
            None => None,
            Some(w) => self.activity_start(w, &st.for_)?,
        };
        let d = duration(&st.for_);
        // Did it (inside the window) before the last D, and not within it: its last time
        // in the window is before the last D (unset, so false, when it never did). One
        // `MAX` of the time instead of two counts, shared with `last time of` the same
        // events when the window is all history (docs/benchmarks.md).
        let last = Scalar::Agg(Box::new(EventAgg {
            kind: AggKind::Last,
            filter: step.filter(TimeWindow {
                start,
                end: TimePoint::AsOf,
            }),
        }));
        Some(Cond::Cmp(last, CmpOp::Lt, Scalar::Time(TimePoint::Ago(d))))
    }

    /// Where the activity of `stopped ... for D W` may start: `W` must end now and leave
    /// time before the last `D`.
    fn activity_start(
        &mut self,
        w: &ast::Window,
        for_: &ast::Duration,
    ) -> Option<Option<TimePoint>> {
        let for_text = format!("{} {}", for_.n, for_.unit.word_for(for_.n));
        match &w.kind {
            ast::WindowKind::Ever => Some(None),
            ast::WindowKind::Last(span) => {
                self.positive_duration(span)?;
                if micros_bounds(span).1 <= micros_bounds(for_).0 {
                    let span_text = format!("{} {}", span.n, span.unit.word_for(span.n));
                    self.err(
                        Diagnostic::error(
                            codes::LAPSE_WINDOW,
                            w.span,
                            format!("the last {span_text} are not longer than the {for_text} stopped, so no earlier event can be in them"),
                        )
                        .with_label(format!("not longer than the {for_text} without the event"))
                        .with_hint(format!(
                            "the window is when it was still done, and includes the lapse: stopped \"login\" for {for_text} in last {} {}",
                            for_.n * 4,
                            for_.unit.word_for(for_.n * 4)
                        )),
                    );
                    return None;
                }
                Some(Some(TimePoint::Ago(duration(span))))
            }
            ast::WindowKind::Since(ast::TimePoint::Now)
            | ast::WindowKind::Between(ast::TimePoint::Now, _) => {
                self.starts_now(w).ok()?;
                None
            }
            ast::WindowKind::Since(a) | ast::WindowKind::Between(a, ast::TimePoint::Now) => {
                let (start, _, _) = self.time_point(a)?;
                Some(Some(start))
            }
            ast::WindowKind::Between(a, _) => {
                let a = super::time_point_text(a);
                self.err(
                    Diagnostic::error(
                        codes::LAPSE_WINDOW,
                        w.span,
                        "the window of `stopped` ends now: the lapse is the time just before as_of",
                    )
                    .with_label("this window ends before now")
                    .with_hint(format!("write `since {a}` or `between {a} and now`")),
                );
                None
            }
            ast::WindowKind::Periods { .. } => {
                self.err(
                    Diagnostic::error(
                        codes::LAPSE_WINDOW,
                        w.span,
                        "`stopped` takes a window of time, not a count of periods",
                    )
                    .with_label("a count of periods")
                    .with_hint(format!(
                        "stopped \"login\" for {for_text} in last 90 days: done in the last 90 days, not in the last {for_text}"
                    )),
                );
                None
            }
        }
    }

    pub(super) fn restarted(&mut self, r: &ast::Restarted, ctx: &Ctx) -> Option<Cond> {
        let step = self.step(&r.step, ctx)?;
        self.positive_duration(&r.after)?;
        let after_text = format!("{} {}", r.after.n, r.after.unit.word_for(r.after.n));
        let ast::WindowKind::Last(recent) = &r.window.kind else {
            self.err(
                Diagnostic::error(
                    codes::LAPSE_WINDOW,
                    r.window.span,
                    "the return of `restarted` is a window that ends now: `in last` a duration",
                )
                .with_label("not `in last ...`")
                .with_hint(format!(
                    "restarted \"login\" after {after_text} in last 7 days: done before, not for {after_text}, then again in the last 7 days"
                )),
            );
            return None;
        };
        self.positive_duration(recent)?;
        let Some(lapse_start) = add(recent, &r.after) else {
            let recent_text = format!("{} {}", recent.n, recent.unit.word_for(recent.n));
            self.err(
                Diagnostic::error(
                    codes::LAPSE_WINDOW,
                    r.after.span.to(r.window.span),
                    format!("{after_text} and {recent_text} do not add up to a fixed length"),
                )
                .with_label("days and calendar months mixed")
                .with_hint("write both in hours, days or weeks, or both in months or years: restarted \"login\" after 30 days in last 7 days"),
            );
            return None;
        };
        let recent = duration(recent);
        let count = |start, end| count(&step, TimeWindow { start, end });
        Some(Cond::And(vec![
            // Done before the lapse,
            at_least_one(count(None, TimePoint::Ago(lapse_start))),
            // not during it,
            none(count(
                Some(TimePoint::Ago(lapse_start)),
                TimePoint::Ago(recent),
            )),
            // and again in the recent window.
            at_least_one(count(Some(TimePoint::Ago(recent)), TimePoint::AsOf)),
        ]))
    }
}
