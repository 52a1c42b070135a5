//! The generated project of the benchmarks: a catalog of two entities (users
//! referencing accounts) with two events relations, 24 traits, and any number of
//! segments mixing every construct the language has. Seeded, so the same on every
//! machine; the segments are named `s0000`, `s0001`, ... and each may refer to earlier
//! ones. Used by segql-plan's `compile` bench and segql-lsp's `diagnostics` bench
//! (which includes this file by path).

use std::fmt::Write;

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

const CATALOG: &str = r#"
entity user {
  table analytics.users
  key user_id
  columns {
    country      string
    age          int
    plan         string
    signup_at    timestamp
    last_seen_at timestamp
    birthday     date
    nps          int
    is_verified  bool
    mrr          decimal
    email        string
    account_id   string references account
  }
}

entity account {
  table analytics.accounts
  key account_id
  columns {
    industry  string
    employees int
    region    string
  }
}

events of user {
  table analytics.events
  key user_id
  name event_name
  time occurred_at
  properties {
    page   string
    amount decimal
    device string
  }
}

events orders of user {
  table shop.orders
  key customer_id
  event "order"
  time ordered_at
  properties {
    total    decimal
    currency string
  }
}
"#;

const COUNTRIES: &[&str] = &["FR", "DE", "ES", "IT", "GB", "US", "CA", "BR", "JP", "IN"];
const PLANS: &[&str] = &["free", "trial", "starter", "pro", "business", "enterprise"];
const INDUSTRIES: &[&str] = &["software", "retail", "finance", "health", "media"];
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
    "unsubscribed",
    "support_ticket",
    "search",
    "add_to_cart",
];
const PAGES: &[&str] = &["/pricing", "/docs", "/blog", "/signup", "/checkout"];
const DEVICES: &[&str] = &["ios", "android", "web"];
const CURRENCIES: &[&str] = &["EUR", "USD", "GBP"];
const UNITS: &[&str] = &["hours", "days", "weeks", "months"];
const CMP: &[&str] = &["=", "!=", "<", "<=", ">", ">="];
const ORDER: &[&str] = &["<", "<=", ">", ">="];
const QUANT: &[&str] = &["at least", "at most", "exactly"];

/// A segment already written: its name, entity and how deep its `in` references go.
struct Seg {
    name: String,
    account: bool,
    depth: usize,
}

struct Gen {
    rng: Rng,
    out: String,
    segs: Vec<Seg>,
    /// Traits of `user` (all numeric).
    traits: Vec<String>,
}

impl Gen {
    fn duration(&mut self) -> String {
        let u = self.rng.pick(UNITS);
        let n = match u {
            "hours" => self.rng.range(1, 72),
            "days" => self.rng.range(1, 365),
            "weeks" => self.rng.range(1, 52),
            _ => self.rng.range(1, 24),
        };
        format!("{n} {u}")
    }

    fn date(&mut self) -> String {
        format!(
            "20{:02}-{:02}-{:02}",
            self.rng.range(15, 23),
            self.rng.range(1, 12),
            self.rng.range(1, 28)
        )
    }

    fn event(&mut self) -> String {
        format!("\"{}\"", self.rng.pick(EVENTS))
    }

    /// A property filter on the default events relation.
    fn filter(&mut self) -> String {
        match self.rng.below(5) {
            0 => format!("page = \"{}\"", self.rng.pick(PAGES)),
            1 => format!(
                "amount > {}.{:02}",
                self.rng.range(1, 500),
                self.rng.range(0, 99)
            ),
            2 => format!(
                "device in [\"{}\", \"{}\"]",
                self.rng.pick(DEVICES),
                self.rng.pick(DEVICES)
            ),
            3 => format!("page starts with \"{}\"", self.rng.pick(PAGES)),
            _ => format!(
                "(page = \"{}\" and amount >= {})",
                self.rng.pick(PAGES),
                self.rng.range(1, 100)
            ),
        }
    }

    /// A window after `did` or an aggregate (no periods).
    fn window(&mut self) -> String {
        match self.rng.below(6) {
            0..=2 => format!(" in last {}", self.duration()),
            3 => {
                let a = self.rng.range(31, 120);
                let b = self.rng.range(1, 30);
                format!(" between {a} days ago and {b} days ago")
            }
            4 => {
                let (a, b) = (self.date(), self.date());
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                format!(" between {a} and {b}")
            }
            _ => " ever".to_string(),
        }
    }

    /// One event step: an event (or a list, or any event), maybe a filter or `from`.
    fn step(&mut self) -> String {
        if self.rng.chance(10) {
            let f = if self.rng.chance(50) {
                format!(" with currency = \"{}\"", self.rng.pick(CURRENCIES))
            } else {
                format!(" with total > {}", self.rng.range(10, 500))
            };
            return format!("\"order\" from orders{f}");
        }
        let mut s = match self.rng.below(10) {
            0 => "any event".to_string(),
            1 => format!("[{}, {}]", self.event(), self.event()),
            _ => self.event(),
        };
        if self.rng.chance(35) {
            s.push_str(" with ");
            s.push_str(&self.filter());
        }
        s
    }

    fn attribute(&mut self) -> String {
        match self.rng.below(16) {
            0 => format!("country = \"{}\"", self.rng.pick(COUNTRIES)),
            1 => format!("age {} {}", self.rng.pick(CMP), self.rng.range(13, 90)),
            2 => format!(
                "plan in [\"{}\", \"{}\"]",
                self.rng.pick(PLANS),
                self.rng.pick(PLANS)
            ),
            3 => format!("country not in [\"{}\"]", self.rng.pick(COUNTRIES)),
            4 => {
                let lo = self.rng.range(18, 40);
                format!("age between {lo} and {}", lo + self.rng.range(1, 30))
            }
            5 => format!(
                "email contains \"{}\"",
                self.rng.pick(&["@gmail", "+", ".edu"])
            ),
            6 => format!(
                "email ends with \"{}\"",
                self.rng.pick(&[".com", ".fr", ".io"])
            ),
            7 => "email matches \"^test[0-9]+@\"".to_string(),
            8 => format!(
                "{} is {}",
                self.rng.pick(&["country", "birthday", "mrr"]),
                self.rng.pick(&["set", "not set"])
            ),
            9 => format!("account.industry = \"{}\"", self.rng.pick(INDUSTRIES)),
            10 => format!("account.employees >= {}", self.rng.range(10, 5000)),
            11 => format!("signup_at in last {}", self.duration()),
            12 => format!(
                "last_seen_at {} {} ago",
                self.rng.pick(ORDER),
                self.duration()
            ),
            13 => format!("birthday {} {}", self.rng.pick(ORDER), self.date()),
            14 => format!("is_verified = {}", self.rng.pick(&["true", "false"])),
            _ => format!(
                "mrr >= {}.{:02}",
                self.rng.range(0, 500),
                self.rng.range(0, 99)
            ),
        }
    }

    fn did(&mut self) -> String {
        let step = self.step();
        let freq = if self.rng.chance(40) {
            let q = self.rng.pick(QUANT);
            let n = self.rng.range(1, 20);
            format!(" {q} {n} times")
        } else {
            String::new()
        };
        let window = if self.rng.chance(80) {
            self.window()
        } else {
            String::new()
        };
        format!("did {step}{freq}{window}")
    }

    fn aggregate(&mut self) -> String {
        match self.rng.below(7) {
            0 => format!(
                "sum(amount) of {}{} >= {}",
                self.event(),
                self.window(),
                self.rng.range(10, 5000)
            ),
            1 => format!(
                "avg(total) of \"order\" from orders{} > {}",
                self.window(),
                self.rng.range(10, 300)
            ),
            2 => format!(
                "min(amount) of {} < {}",
                self.event(),
                self.rng.range(1, 50)
            ),
            3 => format!(
                "max(amount) of {}{} >= {}",
                self.event(),
                self.window(),
                self.rng.range(100, 2000)
            ),
            4 => format!(
                "count distinct(page) of \"page_viewed\"{} >= {}",
                self.window(),
                self.rng.range(2, 10)
            ),
            5 => format!(
                "count of {}{} {} {}",
                self.step(),
                self.window(),
                self.rng.pick(CMP),
                self.rng.range(1, 50)
            ),
            _ => {
                if self.rng.chance(50) {
                    format!("first time of {} in last {}", self.event(), self.duration())
                } else {
                    format!("last time of {} < {} ago", self.event(), self.duration())
                }
            }
        }
    }

    fn sequence(&mut self) -> String {
        let mut s = format!("did {}", self.step_named());
        for _ in 0..self.rng.range(1, 2) {
            let within = if self.rng.chance(70) {
                format!(" within {}", self.duration())
            } else {
                String::new()
            };
            let _ = write!(s, " then {}{within}", self.step_named());
        }
        if self.rng.chance(70) {
            let _ = write!(s, " in last {} days", self.rng.range(30, 365));
        }
        s
    }

    /// A step of the default events relation (sequences stay in one relation).
    fn step_named(&mut self) -> String {
        let mut s = self.event();
        if self.rng.chance(25) {
            s.push_str(" with ");
            s.push_str(&self.filter());
        }
        s
    }

    fn behaviour(&mut self) -> String {
        match self.rng.below(10) {
            0..=3 => self.did(),
            4 | 5 => self.aggregate(),
            6 => self.sequence(),
            7 => format!("stopped {} for {}", self.step_named(), self.duration()),
            8 => {
                let n = self.rng.range(2, 12);
                let k = self.rng.range(1, n);
                let unit = self.rng.pick(&["weeks", "days", "months"]);
                format!(
                    "did {} in {} {k} of last {n} {unit}",
                    self.step_named(),
                    self.rng.pick(QUANT)
                )
            }
            _ => format!("not {}", self.did()),
        }
    }

    fn value_cond(&mut self) -> String {
        let t = self.traits[self.rng.below(self.traits.len())].clone();
        match self.rng.below(3) {
            0 => format!("ntile(10) of {t} = {}", self.rng.range(1, 10)),
            1 => "ntile(4) of mrr in [3, 4]".to_string(),
            _ => format!("{t} >= {}", self.rng.range(1, 100)),
        }
    }

    /// A reference to an earlier segment of the same entity, shallow enough.
    fn in_segment(&mut self, account: bool) -> Option<(String, usize)> {
        let candidates: Vec<usize> = (0..self.segs.len())
            .filter(|&i| self.segs[i].account == account && self.segs[i].depth < 3)
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = candidates[self.rng.below(candidates.len())];
        Some((self.segs[i].name.clone(), self.segs[i].depth + 1))
    }

    /// One condition of a user segment; updates `depth` for `in` references.
    fn user_atom(&mut self, depth: &mut usize) -> String {
        match self.rng.below(20) {
            0..=6 => self.attribute(),
            7..=13 => self.behaviour(),
            14 | 15 => self.value_cond(),
            16 | 17 => match self.in_segment(false) {
                Some((name, d)) => {
                    *depth = (*depth).max(d);
                    if self.rng.chance(30) {
                        format!("not in {name}")
                    } else {
                        format!("in {name}")
                    }
                }
                None => self.attribute(),
            },
            18 => format!(
                "sql \"lower(country) = '{}'\"",
                self.rng.pick(COUNTRIES).to_lowercase()
            ),
            _ => format!("({} or {})", self.attribute(), self.behaviour()),
        }
    }

    fn account_atom(&mut self, depth: &mut usize) -> String {
        let quant = match self.rng.below(6) {
            0 => "any".to_string(),
            1 => "all".to_string(),
            2 => "no".to_string(),
            _ => format!("{} {}", self.rng.pick(QUANT), self.rng.range(1, 10)),
        };
        match self.rng.below(8) {
            0 => format!("industry = \"{}\"", self.rng.pick(INDUSTRIES)),
            1 => format!(
                "employees {} {}",
                self.rng.pick(ORDER),
                self.rng.range(5, 5000)
            ),
            2 => match self.in_segment(true) {
                Some((name, d)) => {
                    *depth = (*depth).max(d);
                    format!("in {name}")
                }
                None => format!("region = \"{}\"", self.rng.pick(&["emea", "amer", "apac"])),
            },
            3 | 4 => format!("{quant} user where {}", self.attribute()),
            5 => {
                let users: Vec<usize> = (0..self.segs.len())
                    .filter(|&i| !self.segs[i].account)
                    .collect();
                if users.is_empty() {
                    format!("{quant} user where plan = \"pro\"")
                } else {
                    let i = users[self.rng.below(users.len())];
                    format!("{quant} user where in {}", self.segs[i].name)
                }
            }
            _ => format!("{quant} user {}", self.did()),
        }
    }

    fn segment(&mut self, i: usize) {
        let account = i % 10 == 9;
        let name = format!("s{i:04}");
        let mut depth = 0;
        let n = self.rng.range(1, 4);
        let join = if self.rng.chance(75) { " and " } else { " or " };
        let mut atoms = Vec::new();
        for _ in 0..n {
            atoms.push(if account {
                self.account_atom(&mut depth)
            } else {
                self.user_atom(&mut depth)
            });
        }
        let mut cond = atoms.join(join);
        let _ = writeln!(self.out);
        if account {
            let _ = writeln!(self.out, "segment {name} of account {{");
        } else {
            let _ = writeln!(self.out, "segment {name} {{");
        }
        if !account && self.rng.chance(8) {
            let _ = writeln!(self.out, "  score {{");
            for _ in 0..self.rng.range(2, 4) {
                let w = self.rng.range(-20, 40);
                let atom = self.user_atom(&mut depth);
                let _ = writeln!(self.out, "    {w} if {atom}");
            }
            let _ = writeln!(self.out, "  }}");
            cond = format!("score >= {} and ({cond})", self.rng.range(5, 50));
        }
        let _ = writeln!(self.out, "  where {cond}");
        let _ = writeln!(self.out, "}}");
        self.segs.push(Seg {
            name,
            account,
            depth,
        });
    }

    fn traits(&mut self) {
        for i in 0..24 {
            let name = format!("t{i:02}");
            let value = match i % 4 {
                0 => format!("sum(amount) of {}{}", self.event(), self.window()),
                1 => format!("count of {}{}", self.step(), self.window()),
                2 => format!("sum(total) of \"order\" from orders{}", self.window()),
                _ => {
                    let a = self.behaviour();
                    let b = self.attribute();
                    format!(
                        "score {{\n  {} if {a}\n  {} if {b}\n}}",
                        self.rng.range(1, 20),
                        self.rng.range(1, 20)
                    )
                }
            };
            let _ = writeln!(self.out, "\ntrait {name} = {value}");
            self.traits.push(name);
        }
    }
}

/// The generated project's text.
pub fn project_text(segments: usize) -> String {
    let mut g = Gen {
        rng: Rng(0x5e9_c0de),
        out: CATALOG.to_string(),
        segs: Vec::new(),
        traits: Vec::new(),
    };
    g.traits();
    for i in 0..segments {
        g.segment(i);
    }
    g.out
}
