//! Parse and format throughput on a generated ~10 MB project.
//!
//! The project text comes from a seeded generator (no external data): entities with
//! columns and references, events relations, segments of every kind (attributes,
//! behaviour with windows, sequences, frequencies, `stopped`, quantifiers, scores,
//! aggregates, `ntile`, composition), traits, reports, splits, priority lists, tests with
//! tables and assertions, and comments. It is formatted once, so the measured input is
//! canonical, as committed files are.
//!
//! Run: `cargo bench -p segql-syntax --bench parse_format`. Results: docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fmt::Write;
use std::hint::black_box;

use segql_syntax::{format_file, parse, FileId};

/// The size the generator stops at.
const TARGET_BYTES: usize = 10 * 1024 * 1024;

/// SplitMix64: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const COUNTRIES: &[&str] = &[
    "FR", "DE", "ES", "IT", "GB", "US", "CA", "BR", "JP", "IN", "NL", "SE",
];
const PLANS: &[&str] = &["free", "trial", "starter", "pro", "business", "enterprise"];
const EVENTS: &[&str] = &[
    "login",
    "signup",
    "purchase",
    "refund",
    "page_viewed",
    "email_opened",
    "email_clicked",
    "invite_sent",
    "project_created",
    "report_exported",
    "upgrade",
    "downgrade",
    "unsubscribed",
    "support_ticket",
    "search",
    "add_to_cart",
];
const PAGES: &[&str] = &[
    "/pricing",
    "/docs",
    "/blog",
    "/signup",
    "/checkout",
    "/account",
];
const UNITS: &[&str] = &["hours", "days", "weeks", "months", "years"];
const COMMENTS: &[&str] = &[
    "owned by growth; see the lifecycle doc",
    "TODO: revisit the threshold after the Q3 review",
    "kept for the weekly newsletter",
    "do not change without telling CRM ops",
    "matches the definition in the board deck",
];

struct Gen {
    rng: Rng,
    out: String,
    /// Segments defined so far in the current module (for `in`, reports, splits).
    segments: Vec<String>,
}

impl Gen {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn comment(&mut self) {
        if self.rng.chance(15) {
            let c = self.rng.pick(COMMENTS);
            let _ = writeln!(self.out, "# {c}");
        }
    }

    fn duration(&mut self) -> String {
        let u = self.rng.pick(UNITS);
        let n = match u {
            "hours" => self.rng.range(1, 72),
            "days" => self.rng.range(1, 365),
            "weeks" => self.rng.range(1, 52),
            "months" => self.rng.range(1, 24),
            _ => self.rng.range(1, 5),
        };
        format!("{n} {u}")
    }

    fn date(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}",
            self.rng.range(2019, 2025),
            self.rng.range(1, 12),
            self.rng.range(1, 28)
        )
    }

    fn timestamp(&mut self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            self.rng.range(0, 23),
            self.rng.range(0, 59),
            self.rng.range(0, 59)
        )
    }

    fn window(&mut self) -> String {
        match self.rng.below(6) {
            0..=2 => format!("in last {}", self.duration()),
            3 => format!("between {} and {}", self.date(), self.date()),
            4 => format!(
                "in at least {} of last {} weeks",
                self.rng.range(1, 4),
                self.rng.range(4, 12)
            ),
            _ => "ever".to_string(),
        }
    }

    fn event(&mut self) -> String {
        match self.rng.below(10) {
            0 => "any event".to_string(),
            1 => format!(
                "[\"{}\", \"{}\"]",
                self.rng.pick(EVENTS),
                self.rng.pick(EVENTS)
            ),
            _ => format!("\"{}\"", self.rng.pick(EVENTS)),
        }
    }

    fn step(&mut self) -> String {
        let mut s = self.event();
        if self.rng.chance(20) {
            let _ = write!(s, " with page = \"{}\"", self.rng.pick(PAGES));
        } else if self.rng.chance(10) {
            let _ = write!(s, " with amount > {}", self.rng.range(1, 500));
        }
        s
    }

    fn attribute(&mut self, e: usize) -> String {
        match self.rng.below(12) {
            0 => format!(
                "country in [\"{}\", \"{}\"]",
                self.rng.pick(COUNTRIES),
                self.rng.pick(COUNTRIES)
            ),
            1 => format!("plan = \"{}\"", self.rng.pick(PLANS)),
            2 => format!(
                "age between {} and {}",
                self.rng.range(18, 40),
                self.rng.range(41, 80)
            ),
            3 => format!("last_seen_at < {} ago", self.duration()),
            4 => format!("signup_at in last {}", self.duration()),
            5 => format!(
                "mrr >= {}.{:02}",
                self.rng.range(0, 999),
                self.rng.range(0, 99)
            ),
            6 => "email is set".to_string(),
            7 => format!(
                "email ends with \"@{}.com\"",
                self.rng.pick(&["gmail", "yahoo", "acme", "corp"])
            ),
            8 => format!("nps <= {}", self.rng.range(-100, 10)),
            9 => format!("birthday between {} and {}", self.date(), self.date()),
            10 => format!("org_{e}.employees > {}", self.rng.range(10, 5000)),
            _ => format!("is_verified = {}", self.rng.chance(50)),
        }
    }

    fn behaviour(&mut self) -> String {
        match self.rng.below(9) {
            0 | 1 => format!("did {} {}", self.step(), self.window()),
            2 => format!(
                "did {} at least {} times {}",
                self.step(),
                self.rng.range(2, 20),
                self.window()
            ),
            3 => format!(
                "did {} then {} within {} then {} {}",
                self.step(),
                self.step(),
                self.duration(),
                self.step(),
                self.window()
            ),
            4 => format!("stopped {} for {}", self.step(), self.duration()),
            5 => format!(
                "sum(amount) of \"purchase\" {} >= {}",
                self.window(),
                self.rng.range(10, 10_000)
            ),
            6 => format!(
                "count distinct(page) of \"page_viewed\" {} > {}",
                self.window(),
                self.rng.range(1, 30)
            ),
            7 => format!("first time of {} in last {}", self.step(), self.duration()),
            _ => format!("last time of \"login\" < {} ago", self.duration()),
        }
    }

    fn atom(&mut self, e: usize) -> String {
        match self.rng.below(10) {
            0..=3 => self.attribute(e),
            4..=7 => self.behaviour(),
            8 if !self.segments.is_empty() => {
                let s = self.segments[self.rng.below(self.segments.len())].clone();
                if self.rng.chance(30) {
                    format!("not in {s}")
                } else {
                    format!("in {s}")
                }
            }
            _ => format!("ntile({}) of ltv_{e} = {}", 10, self.rng.range(1, 10)),
        }
    }

    fn cond(&mut self, e: usize, depth: usize) -> String {
        let n = self.rng.range(1, 4) as usize;
        let join = if self.rng.chance(70) { " and " } else { " or " };
        let mut parts = Vec::new();
        for _ in 0..n {
            if depth > 0 && self.rng.chance(15) {
                parts.push(format!("({})", self.cond(e, depth - 1)));
            } else if self.rng.chance(10) {
                parts.push(format!("not {}", self.atom(e)));
            } else {
                parts.push(self.atom(e));
            }
        }
        parts.join(join)
    }

    fn entity(&mut self, e: usize) {
        self.comment();
        let _ = writeln!(self.out, "entity user_{e} {{");
        let _ = writeln!(self.out, "  description \"Users of product line {e}\"");
        let _ = writeln!(
            self.out,
            "  table analytics_{e}.users\n  key user_id\n  columns {{"
        );
        for c in [
            "country string",
            "age int",
            "plan string",
            "signup_at timestamp",
            "last_seen_at timestamp",
            "birthday date",
            "nps int",
            "is_verified bool",
            "mrr decimal",
            "email string",
        ] {
            let _ = writeln!(self.out, "    {c}");
        }
        let _ = writeln!(
            self.out,
            "    org_id string references org_{e} as org_{e}\n  }}\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "entity org_{e} {{\n  table analytics_{e}.orgs\n  key org_id\n  columns {{\n    industry string\n    employees int\n  }}\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "events of user_{e} {{\n  table analytics_{e}.events\n  key user_id\n  name event_name\n  time occurred_at\n  properties {{\n    page string\n    amount decimal\n  }}\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "events orders_{e} of user_{e} {{\n  table shop_{e}.orders\n  key customer_id\n  event \"purchase\"\n  time ordered_at\n  properties {{\n    amount decimal\n    currency string\n  }}\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "trait ltv_{e} of user_{e} = sum(amount) of \"purchase\" in last 365 days\n"
        );
        let _ = writeln!(
            self.out,
            "trait engagement_{e} of user_{e} = score {{\n  10 if did \"login\" in last 7 days\n  2.5 if did \"page_viewed\" with page = \"/pricing\" in last 14 days\n  -15 if did \"unsubscribed\"\n}}\n"
        );
    }

    fn segment(&mut self, e: usize, i: usize) {
        let name = format!("seg_{e}_{i}");
        self.comment();
        let _ = writeln!(self.out, "segment {name} of user_{e} {{");
        if self.rng.chance(40) {
            let _ = writeln!(
                self.out,
                "  description \"Audience {i} of line {e}: {}\"",
                self.rng.pick(COMMENTS)
            );
            let _ = writeln!(
                self.out,
                "  owner \"team-{}@example.com\"",
                self.rng.below(20)
            );
            let _ = writeln!(self.out, "  tags [\"lifecycle\", \"line-{e}\"]");
        }
        if self.rng.chance(10) {
            self.w("  score {\n");
            for _ in 0..self.rng.range(2, 4) {
                let w = self.rng.range(-20, 40);
                let c = self.atom(e);
                let _ = writeln!(self.out, "    {w} if {c}");
            }
            self.w("  }\n");
            let _ = writeln!(self.out, "  where score >= {}", self.rng.range(10, 60));
        } else if self.rng.chance(8) {
            let c = self.attribute(e);
            let _ = writeln!(self.out, "  where any user_{e} where {c}");
        } else {
            let c = self.cond(e, 2);
            let trailing = if self.rng.chance(10) {
                format!("  # {}", self.rng.pick(COMMENTS))
            } else {
                String::new()
            };
            let _ = writeln!(self.out, "  where {c}{trailing}");
        }
        self.w("}\n\n");
        self.segments.push(name);
    }

    fn extras(&mut self, e: usize) {
        let segs = self.segments.clone();
        let pick = |g: &mut Gen, n: usize| -> Vec<String> {
            (0..n)
                .map(|_| segs[g.rng.below(segs.len())].clone())
                .collect()
        };
        let list = pick(self, 4).join(", ");
        let _ = writeln!(
            self.out,
            "report weekly_{e} {{\n  description \"Weekly comparison for line {e}\"\n  owner \"analytics\"\n  segments [{list}]\n  metric members = count\n  metric avg_age = avg(age)\n  metric spend = sum(sum(amount) of \"purchase\" in last 30 days)\n  metric active = share where did \"login\" in last 7 days\n  metric french = count where country = \"FR\"\n}}\n"
        );
        let target = pick(self, 1).remove(0);
        let _ = writeln!(
            self.out,
            "split exp_{e} of {target} {{\n  salt \"exp-{e}-2024\"\n  group control 50%\n  group variant_a 25%\n  group variant_b 25%\n}}\n"
        );
        let list = pick(self, 5).join(", ");
        let _ = writeln!(self.out, "priority stage_{e} {{\n  segments [{list}]\n}}\n");
        let target = pick(self, 1).remove(0);
        let as_of = self.timestamp();
        let _ = write!(
            self.out,
            "test {target}_works {{\n  as_of {as_of}\n  given user_{e} {{\n    | user_id | plan | country | age | last_seen_at |\n"
        );
        for r in 0..self.rng.range(5, 15) {
            let plan = self.rng.pick(PLANS);
            let country = self.rng.pick(COUNTRIES);
            let age = self.rng.range(18, 90);
            let ts = if self.rng.chance(10) {
                "null".to_string()
            } else {
                self.timestamp()
            };
            let _ = writeln!(
                self.out,
                "    | \"u{r}\" | \"{plan}\" | \"{country}\" | {age} | {ts} |"
            );
        }
        let _ = writeln!(
            self.out,
            "  }}\n  given events from \"data/events_{e}.csv\"\n  expect {target} = [\"u1\", \"u3\"]\n}}\n"
        );
        let (lo, hi) = (self.rng.range(1, 100), self.rng.range(1000, 100_000));
        let other = pick(self, 1).remove(0);
        let _ = writeln!(
            self.out,
            "assert {target} {{\n  size between {lo} and {hi}\n  disjoint with {other}\n}}\n"
        );
    }
}

/// The benchmark's project: canonical text of about [`TARGET_BYTES`].
pub fn project_text() -> String {
    let mut g = Gen {
        rng: Rng(0x5E6_0001),
        out: String::with_capacity(TARGET_BYTES + 64 * 1024),
        segments: Vec::new(),
    };
    let mut e = 0;
    while g.out.len() < TARGET_BYTES {
        g.segments.clear();
        g.entity(e);
        for i in 0..40 {
            g.segment(e, i);
        }
        g.extras(e);
        e += 1;
    }
    let parsed = parse(&g.out, FileId(0));
    assert!(
        parsed.diags.is_empty(),
        "the generated project does not parse: {:?}",
        &parsed.diags[..parsed.diags.len().min(5)]
    );
    format_file(&parsed.file)
}

fn bench(c: &mut Criterion) {
    let text = project_text();
    let parsed = parse(&text, FileId(0));
    assert!(parsed.diags.is_empty());
    assert_eq!(format_file(&parsed.file), text, "the input is canonical");
    let mut kinds = std::collections::BTreeMap::new();
    for item in &parsed.file.items {
        *kinds.entry(item.kind.keyword()).or_insert(0usize) += 1;
    }
    eprintln!(
        "project: {} bytes, {} lines, {} comments, items {:?}",
        text.len(),
        text.lines().count(),
        parsed.file.comments.len(),
        kinds
    );

    let mut group = c.benchmark_group("parse_format");
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(15));
    group.throughput(Throughput::Bytes(text.len() as u64));
    // The tree is dropped outside the timed region: freeing it is not parsing (and in a
    // parse-free-parse loop glibc's malloc does its consolidation work in the next parse).
    group.bench_function("parse", |b| {
        b.iter_with_large_drop(|| parse(black_box(&text), FileId(0)))
    });
    // The same with the tree freed inside the timed region, for comparison.
    group.bench_function("parse_and_drop", |b| {
        b.iter(|| parse(black_box(&text), FileId(0)))
    });
    group.bench_function("format", |b| {
        b.iter(|| format_file(black_box(&parsed.file)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
