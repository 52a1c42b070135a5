//! Regular activity: `did E [at least M times] in QUANT K of last N UNITs` or `... of
//! last N periods of L UNITs`, checked into a count of active periods
//! ([`AggKind::ActivePeriods`]) compared with K.

use super::*;

/// The most periods whose events are counted one by one (`at least 2 times in at least
/// 3 of last N weeks`): each is one conditional count in the scan.
const MAX_COUNTED_PERIODS: i64 = 64;

impl<'a> Checker<'a> {
    /// `d`, whose window `w` is a count of periods; `first` is its checked step.
    pub(super) fn regularly(&mut self, d: &ast::Did, w: &ast::Window, first: Step) -> Option<Cond> {
        let ast::WindowKind::Periods {
            quant,
            k,
            n,
            unit,
            length,
        } = &w.kind
        else {
            unreachable!("regularly is called with a window of periods")
        };
        let min_events = self.events_per_period(d.freq.as_ref(), n.value)?;
        // As written: `4 weeks`, `4 periods of 3 days`.
        let periods =
            segql_syntax::fmt::periods_text(n.value, *unit, length.as_ref().map(|l| l.value));
        let length = match length {
            None => 1,
            Some(l) if (1..=1000).contains(&l.value) => l.value,
            Some(l) => {
                self.err(
                    Diagnostic::error(
                        codes::BAD_COUNT,
                        l.span,
                        "a period must be between 1 and 1000 units long",
                    )
                    .with_label(format!("periods of {} {}", l.value, unit.word_for(l.value)))
                    .with_hint("for example: in at least 3 of last 4 periods of 3 days"),
                );
                return None;
            }
        };
        if n.value < 1 || n.value > 1000 {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    n.span,
                    "the number of periods must be between 1 and 1000",
                )
                .with_label(format!("{} periods", n.value))
                .with_hint("for example: in at least 3 of last 4 weeks"),
            );
            return None;
        }
        if k.value < 0 || k.value > n.value {
            let written = segql_syntax::fmt::window_text(w);
            let (message, label) = if k.value < 0 {
                (
                    format!("`{written}` counts a negative number of periods"),
                    "a negative count".to_string(),
                )
            } else {
                let outcome = if *quant == ast::CountQuant::AtMost {
                    "always holds"
                } else {
                    "can never hold"
                };
                (
                    format!("`{written}` {outcome}: the window has only {periods}"),
                    format!("more than the {periods} in the window"),
                )
            };
            self.err(
                Diagnostic::error(codes::BAD_COUNT, k.span, message)
                    .with_label(label)
                    .with_hint(format!(
                        "count between 0 and {} periods: in {} {} of last {periods}",
                        n.value,
                        quant.words(),
                        k.value.clamp(0, n.value)
                    )),
            );
            return None;
        }
        let agg = Scalar::Agg(Box::new(EventAgg {
            kind: AggKind::ActivePeriods {
                n: n.value,
                unit: *unit,
                length,
                min_events,
            },
            filter: first.filter(TimeWindow {
                start: Some(TimePoint::Ago(Duration {
                    n: n.value * length,
                    unit: *unit,
                })),
                end: TimePoint::AsOf,
            }),
        }));
        Some(count_cond(agg, *quant, k.value))
    }

    /// How many events make a period count: 1, or `at least M times` before a count of
    /// periods (each counted period has at least M events).
    fn events_per_period(&mut self, freq: Option<&ast::Freq>, periods: i64) -> Option<i64> {
        let Some(f) = freq else {
            return Some(1);
        };
        if f.quant != ast::CountQuant::AtLeast || f.max.is_some() {
            self.err(
                Diagnostic::error(
                    codes::SEQUENCE_SHAPE,
                    f.span,
                    "a count of times before a count of periods is per period, and only `at least`",
                )
                .with_label("only `at least N times` can count per period")
                .with_hint("a period counts when it has at least M events: did \"login\" at least 2 times in at least 3 of last 4 weeks"),
            );
            return None;
        }
        if f.n.value < 1 {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    f.n.span,
                    "a period counts with at least 1 event",
                )
                .with_label(format!("{} events", f.n.value))
                .with_hint(
                    "for example: did \"login\" at least 2 times in at least 3 of last 4 weeks",
                ),
            );
            return None;
        }
        if f.n.value > 1 && periods > MAX_COUNTED_PERIODS {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    f.span,
                    format!(
                        "events are counted per period over at most {MAX_COUNTED_PERIODS} periods"
                    ),
                )
                .with_label(format!("{} events in each of {periods} periods", f.n.value))
                .with_hint("use longer periods: in at least 3 of last 4 periods of 2 weeks"),
            );
            return None;
        }
        Some(f.n.value)
    }
}
