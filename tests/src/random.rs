//! Random segments and events for the randomized suites (tests/tiers_random.rs,
//! tests/random_engines.rs): segments of one or two behavioural conditions over windows
//! at and around the window tiers' edges, and users with events around those edges
//! (some exactly on a window's start). Deterministic for a seed, the same on every
//! machine.

pub const DAY: i64 = 86_400;

/// xorshift64*: enough to pick from small lists, the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

pub const NAMES: [&str; 3] = ["a", "b", "c"];
pub const DAYS: [i64; 11] = [1, 7, 14, 30, 31, 32, 60, 91, 92, 93, 365];
pub const MONTHS: [i64; 4] = [1, 2, 3, 4];

pub fn condition(r: &mut Rng) -> String {
    // One in four: two conditions, so that single statements have several columns too.
    match r.below(8) {
        0 => return format!("{} and {}", one_condition(r), one_condition(r)),
        1 => return format!("{} or not ({})", one_condition(r), one_condition(r)),
        _ => {}
    }
    one_condition(r)
}

fn one_condition(r: &mut Rng) -> String {
    let e = r.pick(&NAMES);
    let n = *r.pick(&DAYS);
    match r.below(19) {
        12 => format!("avg(amount) of \"{e}\" in last {n} days > 12"),
        13 => format!("max(amount) of \"{e}\" in last {n} days >= 20"),
        14 => format!("min(amount) of \"{e}\" < 10"),
        15 => format!("count distinct(amount) of \"{e}\" in last {n} days >= 2"),
        16 => format!("did \"{e}\" with amount > 10 in last {n} days"),
        17 => format!("did [\"{e}\", \"{}\"] in last {n} days", r.pick(&NAMES)),
        18 => format!("did any event in last {n} days"),
        9 => format!(
            "did \"{e}\" then \"{}\" within {}",
            r.pick(&NAMES),
            if r.below(2) == 0 {
                format!("{n} days")
            } else {
                format!("{} months", r.pick(&MONTHS))
            }
        ),
        10 => format!(
            "did \"{e}\" in at least 2 of last {} months",
            2 + r.below(3)
        ),
        11 => format!("did \"{e}\" in at least 2 of last {} weeks", 2 + r.below(8)),
        0 => format!("did \"{e}\" in last {n} days"),
        1 => format!(
            "did \"{e}\" at least {} times in last {n} days",
            2 + r.below(2)
        ),
        2 => {
            // Two different lengths, the longer first.
            let i = r.below(DAYS.len() - 1);
            let j = i + 1 + r.below(DAYS.len() - 1 - i);
            let (a, b) = (DAYS[j], DAYS[i]);
            format!("did \"{e}\" between {a} days ago and {b} days ago")
        }
        3 => format!("sum(amount) of \"{e}\" in last {n} days >= 20"),
        4 => format!("last time of \"{e}\" < {n} days ago"),
        5 => format!("first time of \"{e}\" in last {n} days"),
        6 => format!("did \"{e}\" in last {} months", r.pick(&MONTHS)),
        7 => format!("not did \"{e}\" in last {n} days"),
        _ => format!("stopped \"{e}\" for {n} days"),
    }
}

/// The catalog of fixtures/results (users, their events with an `amount`); the rounds
/// use only `user` and its events.
pub const CATALOG: &str = include_str!("../../fixtures/results/catalog.seg");

/// `2024-06-01T00:00:00Z` minus `secs`, as DuckDB's timestamp text.
pub fn timestamp(as_of: i64, secs: i64) -> String {
    let t = as_of - secs;
    let days = t.div_euclid(DAY);
    let rem = t.rem_euclid(DAY);
    let (y, m, d) = segql_syntax::time::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// One event of a round: user, name, seconds before as_of, amount (None is NULL).
pub struct Event {
    pub user: String,
    pub name: &'static str,
    pub back: i64,
    pub amount: Option<u32>,
}

/// A round: the project's text (catalog and segments) and its users' events.
pub struct Round {
    pub text: String,
    pub users: Vec<String>,
    pub events: Vec<Event>,
}

/// The round of a seed: `segments` random segments `s0`.., `users` users `u0`.. with
/// up to eight events each.
pub fn round(seed: u64, segments: usize, users: usize) -> Round {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0001));
    let mut text = CATALOG.to_string();
    for i in 0..segments {
        text.push_str(&format!(
            "\nsegment s{i} {{\n  where {}\n}}\n",
            condition(&mut r)
        ));
    }
    let mut all_users = Vec::new();
    let mut events = Vec::new();
    for u in 0..users {
        all_users.push(format!("u{u}"));
        for _ in 0..r.below(9) {
            // Exactly on a window's start, a second either side, or anywhere.
            let back = match r.below(4) {
                0 => r.pick(&DAYS) * DAY,
                1 => r.pick(&DAYS) * DAY - 1,
                2 => r.pick(&DAYS) * DAY + 1,
                _ => 1 + (r.next_u64() % (400 * DAY as u64)) as i64,
            };
            let amount = if r.below(5) == 0 {
                None
            } else {
                Some(5 * r.below(6) as u32)
            };
            events.push(Event {
                user: format!("u{u}"),
                name: NAMES[r.below(NAMES.len())],
                back,
                amount,
            });
        }
    }
    Round {
        text,
        users: all_users,
        events,
    }
}

/// DuckDB statements creating and filling the round's tables (`as_of` in seconds).
pub fn load_sql(round: &Round, as_of: i64) -> String {
    let mut sql = String::from(
        "CREATE SCHEMA app;
         CREATE TABLE app.users (user_id VARCHAR, plan VARCHAR);
         CREATE TABLE app.events (user_id VARCHAR, event_name VARCHAR, occurred_at TIMESTAMP, amount DECIMAL(12, 2));\n",
    );
    for u in &round.users {
        sql.push_str(&format!("INSERT INTO app.users VALUES ('{u}', 'free');\n"));
    }
    for e in &round.events {
        let amount = e.amount.map_or("NULL".to_string(), |a| a.to_string());
        sql.push_str(&format!(
            "INSERT INTO app.events VALUES ('{}', '{}', TIMESTAMP '{}', {amount});\n",
            e.user,
            e.name,
            timestamp(as_of, e.back)
        ));
    }
    sql
}

/// The `given` tables of a test block holding the round's rows.
pub fn given(round: &Round, as_of: i64) -> String {
    let mut out = String::from("  given user {\n    | user_id |\n");
    for u in &round.users {
        out.push_str(&format!("    | \"{u}\" |\n"));
    }
    out.push_str("  }\n  given events {\n    | user_id | event_name | occurred_at | amount |\n");
    for e in &round.events {
        let amount = e.amount.map_or("null".to_string(), |a| a.to_string());
        out.push_str(&format!(
            "    | \"{}\" | \"{}\" | {}Z | {amount} |\n",
            e.user,
            e.name,
            timestamp(as_of, e.back).replace(' ', "T")
        ));
    }
    out.push_str("  }\n");
    out
}
