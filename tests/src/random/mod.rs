//! Random segments and data for the randomized suites (tests/tiers_random.rs,
//! tests/random_engines.rs).
//!
//! A round is a project of segments of one or two conditions, each given both as text
//! and as data (`oracle::Cond`, what the oracle evaluates), and users with attributes
//! (some unset, strings that order differently by bytes and by language) and events
//! around the windows' edges: exactly on a window's start in days or calendar months, a
//! second or a microsecond either side, or anywhere in the last 400 days (to the
//! microsecond); some exactly at `as_of` or after it (which never count), some with no
//! time at all (which never count either). Amounts are exact decimals, some of them
//! summing to others (0.1 + 0.2 against 0.3), some a thousandth either side of the
//! values the conditions compare with. Each round has one of a few `as_of` instants,
//! among them the end of a month, where calendar months clamp, and one with a fraction
//! of a second. Deterministic for a seed, the same on every machine.
//!
//! Here: the random numbers and the values the rounds pick from. The conditions are in
//! `conditions` (composite) and `leaves` (single), the rounds' data in `data`, the CI
//! seeds in `seeds`.

pub use crate::oracle::{
    AccountCond, Agg, AttrCond, Cmp, Cond, Filter, NtileOf, Quant, Sel, Span, Window, ACTIONS,
};

mod conditions;
mod data;
mod leaves;
mod seeds;
pub use conditions::{account_condition, condition};
pub use data::{given, load_sql, round, timestamp, Account, CrmRow, Event, Round, User, CATALOG};
pub use seeds::{missing_from, CI_SEEDS_AFTER};

/// Times are microseconds since 1970 (UTC), as segql's own.
pub const SECOND: i64 = 1_000_000;
pub const DAY: i64 = 86_400 * SECOND;

/// A round's project text with a test block `test NAME` at its as-of whose expectations
/// are the oracle's members of every segment (`s0`, `s1`, ..., `t0`, ...).
pub fn with_expectations(rd: &Round, name: &str) -> String {
    let mut block = format!("\ntest {name} {{\n  as_of {}\n{}", rd.as_of, given(rd));
    let names = (0..rd.conds.len())
        .map(|i| format!("s{i}"))
        .chain((0..rd.account_conds.len()).map(|i| format!("t{i}")));
    for seg in names {
        let members: Vec<String> = crate::oracle::expected(rd, &seg)
            .into_iter()
            .map(|k| format!("\"{k}\""))
            .collect();
        block.push_str(&format!("  expect {seg} = [{}]\n", members.join(", ")));
    }
    block.push_str("}\n");
    format!("{}{block}", rd.text)
}

/// How many rounds a suite runs: `SEGQL_RANDOM_ROUNDS` when set (seeds 1 to N, for
/// longer local runs), else the suite's own number.
pub fn rounds(default: u64) -> u64 {
    std::env::var("SEGQL_RANDOM_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: enough to pick from small lists, the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n`, from the high bits of the output (xorshift64*'s low bits
    /// are weak: two picks in a row from them were not independent).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

pub const NAMES: [&str; 3] = ["a", "b", "c"];
pub const DAYS: [i64; 11] = [1, 7, 14, 30, 31, 32, 60, 91, 92, 93, 365];
pub const MONTHS: [i64; 4] = [1, 2, 3, 4];
/// The rounds' `as_of`: a month's first instant, the last day of March of a leap year
/// (one month back is February 29th), the last second of a 31-day month, and the last
/// microsecond of a leap day.
pub const AS_OFS: [&str; 4] = [
    "2024-06-01T00:00:00Z",
    "2024-03-31T10:00:00Z",
    "2024-05-31T23:59:59Z",
    "2024-02-29T23:59:59.999999Z",
];
/// The instants of `since` windows, as written and in microseconds: a month before
/// 2024-06-01T00:00:00Z (a date), a month before 2024-03-31T10:00:00Z (clamped to
/// February 29th), and 2024-05-31T23:59:59Z, an as_of (an empty window there).
const SINCE: [(&str, i64); 3] = [
    ("2024-05-01", 1_714_521_600_000_000),
    ("2024-02-29T10:00:00Z", 1_709_200_800_000_000),
    ("2024-05-31T23:59:59Z", 1_717_199_999_000_000),
];
const PLANS: [Option<&str>; 4] = [None, Some("trial"), Some("pro"), Some("free")];
/// Byte order and language order disagree on these: "a" and "É" sort after "Z". The
/// last three differ from others only in case (`ignoring case`), with the `İ` whose
/// lowercase engines disagree on.
const COUNTRIES: [Option<&str>; 11] = [
    None,
    Some("B"),
    Some("a"),
    Some("É"),
    Some("M"),
    Some("Ma"),
    Some("FR"),
    Some("Zürich"),
    Some("fr"),
    Some("İZMİR"),
    Some("izmir"),
];
const AGES: [Option<u32>; 5] = [None, Some(17), Some(18), Some(30), Some(31)];
/// The accounts: `c4` has no users (`all user where ..` is false for it, `no user` true).
const ACCOUNTS: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];
/// A user's account: none, one of the first four, or `c9`, which has no row.
const ACCOUNT_IDS: [Option<&str>; 6] = [
    None,
    Some("c0"),
    Some("c1"),
    Some("c2"),
    Some("c3"),
    Some("c9"),
];
const INDUSTRIES: [Option<&str>; 3] = [None, Some("software"), Some("retail")];
const EMPLOYEES: [Option<u32>; 4] = [None, Some(10), Some(50), Some(500)];
/// A user's CRM row (`extra crm`): none, or one with an owner (some unset) and a
/// lifetime value in thousandths (some unset).
const OWNERS: [Option<&str>; 3] = [None, Some("ann"), Some("bo")];
const LIFETIME_VALUES: [Option<i64>; 4] = [None, Some(9_999), Some(10_000), Some(25_000)];
/// An account's billing row (`extra billing`): none, or one with a tier (some unset).
const TIERS: [Option<&str>; 3] = [None, Some("gold"), Some("basic")];
const PAGES: [Option<&str>; 3] = [None, Some("/pricing"), Some("/docs")];
/// Amounts in thousandths: tenths that add up to each other in binary floating point
/// only approximately (0.1 + 0.2 is not 0.3 in a double), and values a thousandth either
/// side of the ones the conditions compare with (10, 12, 20).
const SMALL_AMOUNTS: [i64; 3] = [100, 200, 300];
const AMOUNTS: [i64; 12] = [
    0, 1, 5_000, 9_999, 10_000, 10_001, 12_000, 12_500, 15_000, 19_999, 20_000, 25_000,
];

/// An amount in thousandths as decimal text: `300` is `0.3`, `20000` is `20`, `10001`
/// is `10.001`.
pub fn decimal(thousandths: i64) -> String {
    let sign = if thousandths < 0 { "-" } else { "" };
    let (whole, frac) = (thousandths.abs() / 1000, thousandths.abs() % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}
