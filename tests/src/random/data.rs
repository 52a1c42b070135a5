//! The generated data of a round: its users, accounts and events (with the times around
//! the windows' edges), the round itself (`round`: the project's text and what each
//! segment means), and its rows as DuckDB statements (`load_sql`) and as `given` tables.

use super::{
    account_condition, condition, decimal, AccountCond, Cond, Rng, ACCOUNTS, ACCOUNT_IDS, ACTIONS,
    AGES, AMOUNTS, AS_OFS, COUNTRIES, DAY, DAYS, EMPLOYEES, INDUSTRIES, LIFETIME_VALUES, MONTHS,
    NAMES, OWNERS, PAGES, PLANS, SECOND, SMALL_AMOUNTS, TIERS,
};
use crate::oracle::add_months;

/// The catalog of fixtures/results; the rounds use `user` with its events and its extra
/// table `crm`, and `account` with its extra table `billing`.
pub const CATALOG: &str = include_str!("../../../fixtures/results/catalog.seg");

/// A time in microseconds since 1970 as timestamp text, `2024-05-31 23:59:59` or
/// `2024-05-31 23:59:59.000001` (a fraction only when there is one).
pub fn timestamp(t: i64) -> String {
    let days = t.div_euclid(DAY);
    let (rem, micros) = (t.rem_euclid(DAY) / SECOND, t.rem_euclid(SECOND));
    let (y, m, d) = segql_syntax::time::civil_from_days(days);
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{fraction}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A user's row of `crm.contacts`: owner, lifetime value in thousandths (None is unset).
pub type CrmRow = (Option<&'static str>, Option<i64>);

/// One user of a round, with attributes (None is unset).
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub plan: Option<&'static str>,
    pub country: Option<&'static str>,
    pub age: Option<u32>,
    pub account_id: Option<&'static str>,
    /// The user's row of `crm.contacts` (owner, lifetime value in thousandths), if any.
    pub crm: Option<CrmRow>,
}

/// One account of a round (`c0` to `c4`).
#[derive(Clone)]
pub struct Account {
    pub id: &'static str,
    pub industry: Option<&'static str>,
    pub employees: Option<u32>,
    /// The account's row of `billing.customers` (its tier), if any.
    pub billing: Option<Option<&'static str>>,
}

/// One event of a round: user, name, time (microseconds since 1970; `None`: no time,
/// NULL), properties (`None` is NULL; the amount in thousandths).
#[derive(Clone)]
pub struct Event {
    pub user: String,
    pub name: &'static str,
    pub time: Option<i64>,
    pub amount: Option<i64>,
    pub page: Option<&'static str>,
}

/// A round: the project's text (catalog and segments), what each segment of users
/// `s<i>` and of accounts `t<i>` means, its `as_of`, and its accounts, users and events.
#[derive(Clone)]
pub struct Round {
    pub text: String,
    pub conds: Vec<Cond>,
    pub account_conds: Vec<AccountCond>,
    pub as_of: &'static str,
    pub accounts: Vec<Account>,
    pub users: Vec<User>,
    pub events: Vec<Event>,
}

impl Round {
    /// `as_of` in microseconds since 1970.
    pub fn as_of_micros(&self) -> i64 {
        as_of_micros(self.as_of)
    }
}

fn as_of_micros(as_of: &str) -> i64 {
    segql_syntax::time::parse_instant(as_of).expect("an instant")
}

/// The time of a random event of a round at `a`: mostly before `a`, on a window's
/// start (days or calendar months back, or the sum of two day counts), a second or a
/// microsecond either side, or anywhere in the last 400 days; one in twenty exactly at `a`, one in twenty after it,
/// and one in twenty without a time.
fn event_time(r: &mut Rng, a: i64) -> Option<i64> {
    match r.below(20) {
        0 => None,
        1 => Some(a),
        2 => {
            let anywhere = 1 + (r.next_u64() % (40 * DAY as u64)) as i64;
            Some(a + *r.pick(&[1, SECOND, DAY, anywhere]))
        }
        _ => {
            let edge = match r.below(6) {
                0 => Some(r.pick(&DAYS) * DAY),
                1 => Some(a - add_months(a, -r.pick(&MONTHS))),
                // The start of a lapse before a return (`restarted ... after N days in
                // last R days`): N + R days back.
                2 => Some((r.pick(&DAYS) + r.pick(&DAYS)) * DAY),
                _ => None,
            };
            let back = match edge {
                Some(b) => b + [-SECOND, -1, 0, 0, 1, SECOND][r.below(6)],
                None => 1 + (r.next_u64() % (400 * DAY as u64)) as i64,
            };
            Some(a - back)
        }
    }
}

/// The round of a seed: `segments` random segments of users `s0`.., a quarter as many
/// of accounts `t0`.., four accounts, and `users` users `u0`.. with up to eight events
/// each.
pub fn round(seed: u64, segments: usize, users: usize) -> Round {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0001));
    let as_of = *r.pick(&AS_OFS);
    let a = as_of_micros(as_of);
    let mut text = CATALOG.to_string();
    let mut conds = Vec::new();
    for i in 0..segments {
        let (where_, cond) = condition(&mut r, i);
        text.push_str(&format!("\nsegment s{i} {{\n  where {where_}\n}}\n"));
        conds.push(cond);
    }
    let mut account_conds = Vec::new();
    for i in 0..segments / 4 {
        let (where_, cond) = account_condition(&mut r);
        text.push_str(&format!(
            "\nsegment t{i} of account {{\n  where {where_}\n}}\n"
        ));
        account_conds.push(cond);
    }
    // The actions the segments name (and those they name), declared after the catalog.
    let mut used: Vec<bool> = ACTIONS
        .iter()
        .map(|a| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == a.name)
        })
        .collect();
    for (i, a) in ACTIONS.iter().enumerate() {
        if used[i] {
            for (j, b) in ACTIONS.iter().enumerate() {
                if a.text.split([' ', '[', ']', ',']).any(|w| w == b.name) {
                    used[j] = true;
                }
            }
        }
    }
    let declarations: String = ACTIONS
        .iter()
        .zip(&used)
        .filter(|(_, &u)| u)
        .map(|(a, _)| format!("\naction {} = {}\n", a.name, a.text))
        .collect();
    text.insert_str(CATALOG.len(), &declarations);
    let accounts = ACCOUNTS
        .iter()
        .map(|&id| Account {
            id,
            industry: *r.pick(&INDUSTRIES),
            employees: *r.pick(&EMPLOYEES),
            billing: (r.below(3) > 0).then(|| *r.pick(&TIERS)),
        })
        .collect();
    let mut all_users = Vec::new();
    let mut events = Vec::new();
    for u in 0..users {
        all_users.push(User {
            id: format!("u{u}"),
            plan: *r.pick(&PLANS),
            country: *r.pick(&COUNTRIES),
            age: *r.pick(&AGES),
            account_id: *r.pick(&ACCOUNT_IDS),
            crm: (r.below(3) > 0).then(|| (*r.pick(&OWNERS), *r.pick(&LIFETIME_VALUES))),
        });
        let mut previous: Option<i64> = None;
        for _ in 0..r.below(9) {
            // One in eight at the user's previous event's instant: steps of a sequence
            // at one instant, which must not follow each other.
            let time = match previous {
                Some(t) if r.below(8) == 0 => Some(t),
                _ => event_time(&mut r, a),
            };
            previous = time.or(previous);
            let amount = match r.below(5) {
                0 => None,
                1 | 2 => Some(*r.pick(&SMALL_AMOUNTS)),
                _ => Some(*r.pick(&AMOUNTS)),
            };
            events.push(Event {
                user: format!("u{u}"),
                name: NAMES[r.below(NAMES.len())],
                time,
                amount,
                page: *r.pick(&PAGES),
            });
        }
    }
    Round {
        text,
        conds,
        account_conds,
        as_of,
        accounts,
        users: all_users,
        events,
    }
}

fn sql_text(v: Option<&str>) -> String {
    v.map_or("NULL".into(), |s| format!("'{s}'"))
}

fn sql_number(v: Option<u32>) -> String {
    v.map_or("NULL".into(), |n| n.to_string())
}

/// DuckDB statements creating and filling the round's tables.
pub fn load_sql(round: &Round) -> String {
    let mut sql = String::from(
        "CREATE SCHEMA app;
         CREATE TABLE app.users (user_id VARCHAR, plan VARCHAR, country VARCHAR, age INTEGER, \
         account_id VARCHAR);
         CREATE TABLE app.accounts (account_id VARCHAR, industry VARCHAR, employees INTEGER);
         CREATE SCHEMA crm;
         CREATE TABLE crm.contacts (contact_user_id VARCHAR, owner VARCHAR, \
         lifetime_value DECIMAL(38, 9), last_contacted DATE);
         CREATE SCHEMA billing;
         CREATE TABLE billing.customers (account_id VARCHAR, arr DECIMAL(38, 9), tier VARCHAR);
         CREATE TABLE app.events (user_id VARCHAR, event_name VARCHAR, occurred_at TIMESTAMP, \
         amount DECIMAL(38, 9), page VARCHAR);\n",
    );
    for u in &round.users {
        sql.push_str(&format!(
            "INSERT INTO app.users VALUES ('{}', {}, {}, {}, {});\n",
            u.id,
            sql_text(u.plan),
            sql_text(u.country),
            sql_number(u.age),
            sql_text(u.account_id)
        ));
    }
    for c in &round.accounts {
        sql.push_str(&format!(
            "INSERT INTO app.accounts VALUES ('{}', {}, {});\n",
            c.id,
            sql_text(c.industry),
            sql_number(c.employees)
        ));
    }
    for (key, (owner, value)) in crm_rows(round) {
        sql.push_str(&format!(
            "INSERT INTO crm.contacts VALUES ('{key}', {}, {}, NULL);\n",
            sql_text(owner),
            value.map_or("NULL".into(), decimal)
        ));
    }
    for (key, tier) in billing_rows(round) {
        sql.push_str(&format!(
            "INSERT INTO billing.customers VALUES ('{key}', NULL, {});\n",
            sql_text(tier)
        ));
    }
    for e in &round.events {
        sql.push_str(&format!(
            "INSERT INTO app.events VALUES ('{}', '{}', {}, {}, {});\n",
            e.user,
            e.name,
            e.time
                .map_or("NULL".into(), |t| format!("TIMESTAMP '{}'", timestamp(t))),
            e.amount.map_or("NULL".into(), decimal),
            sql_text(e.page)
        ));
    }
    sql
}

/// The rows of `crm.contacts`: the users' own, and one of a user that does not exist
/// (`x9`, never a member).
fn crm_rows(round: &Round) -> Vec<(&str, CrmRow)> {
    let mut rows: Vec<_> = round
        .users
        .iter()
        .filter_map(|u| Some((u.id.as_str(), u.crm?)))
        .collect();
    rows.push(("x9", (Some("ann"), Some(25_000))));
    rows
}

/// The rows of `billing.customers`: the accounts' own, and one of `c9`, an account
/// some users name that has no row in `app.accounts` (so not an account).
fn billing_rows(round: &Round) -> Vec<(&'static str, Option<&'static str>)> {
    let mut rows: Vec<_> = round
        .accounts
        .iter()
        .filter_map(|c| Some((c.id, c.billing?)))
        .collect();
    rows.push(("c9", Some("gold")));
    rows
}

fn cell_text(v: Option<&str>) -> String {
    v.map_or("null".into(), |s| format!("\"{s}\""))
}

fn cell_number(v: Option<u32>) -> String {
    v.map_or("null".into(), |n| n.to_string())
}

/// The `given` tables of a test block holding the round's rows.
pub fn given(round: &Round) -> String {
    let mut out =
        String::from("  given user {\n    | user_id | plan | country | age | account_id |\n");
    for u in &round.users {
        out.push_str(&format!(
            "    | \"{}\" | {} | {} | {} | {} |\n",
            u.id,
            cell_text(u.plan),
            cell_text(u.country),
            cell_number(u.age),
            cell_text(u.account_id)
        ));
    }
    out.push_str("  }\n  given account {\n    | account_id | industry | employees |\n");
    for c in &round.accounts {
        out.push_str(&format!(
            "    | \"{}\" | {} | {} |\n",
            c.id,
            cell_text(c.industry),
            cell_number(c.employees)
        ));
    }
    out.push_str("  }\n  given crm {\n    | contact_user_id | owner | lifetime_value |\n");
    for (key, (owner, value)) in crm_rows(round) {
        out.push_str(&format!(
            "    | \"{key}\" | {} | {} |\n",
            cell_text(owner),
            value.map_or("null".into(), decimal)
        ));
    }
    out.push_str("  }\n  given billing {\n    | account_id | tier |\n");
    for (key, tier) in billing_rows(round) {
        out.push_str(&format!("    | \"{key}\" | {} |\n", cell_text(tier)));
    }
    out.push_str(
        "  }\n  given events {\n    | user_id | event_name | occurred_at | amount | page |\n",
    );
    for e in &round.events {
        out.push_str(&format!(
            "    | \"{}\" | \"{}\" | {} | {} | {} |\n",
            e.user,
            e.name,
            e.time.map_or("null".into(), |t| format!(
                "{}Z",
                timestamp(t).replace(' ', "T")
            )),
            e.amount.map_or("null".into(), decimal),
            cell_text(e.page)
        ));
    }
    out.push_str("  }\n");
    out
}
