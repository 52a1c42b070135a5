//! The oracle's conditions as data: what the random generator writes as text
//! (`Cond`, `AccountCond` and their parts), and the actions of the rounds (`ACTIONS`).

/// A condition of the random generator (`segql_tests::random`), as data.
#[derive(Debug, Clone)]
pub enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    /// `did NAMES [with FILTER] [at least|at most|exactly K times] WINDOW`; `names: None`
    /// is `any event`.
    Did {
        names: Option<Vec<&'static str>>,
        window: Window,
        times: (Cmp, usize),
        filter: Filter,
    },
    /// `did ACTION [with FILTER] [at least|at most|exactly K times] WINDOW`.
    DidAction {
        action: usize,
        window: Window,
        times: (Cmp, usize),
        filter: Filter,
    },
    /// `AGG(amount) of SEL WINDOW CMP VALUE`, the value in thousandths (for `count
    /// distinct`, a count).
    Agg {
        agg: Agg,
        name: Sel,
        window: Window,
        cmp: Cmp,
        value: i64,
    },
    /// `first(page)` / `last(page)` `of SEL WINDOW = PAGE`: the page of the earliest
    /// (latest) event with one, events ordered by time, then by page (bytes).
    PageOf {
        last: bool,
        name: Sel,
        window: Window,
        page: &'static str,
    },
    /// `last time of SEL < DAYS days ago`.
    LastTimeBefore {
        name: Sel,
        days: i64,
    },
    /// `first time of SEL in last DAYS days`.
    FirstTimeIn {
        name: Sel,
        days: i64,
    },
    /// `stopped SEL for DAYS days [in last WITHIN days]`.
    Stopped {
        name: Sel,
        days: i64,
        within: Option<i64>,
    },
    /// `restarted SEL after AFTER days in last RECENT days`.
    Restarted {
        name: Sel,
        after: i64,
        recent: i64,
    },
    /// `did S0 then S1 [within SPAN] then ... [WINDOW]`: `within[i]` bounds step
    /// `i + 1` after step `i`.
    Then {
        steps: Vec<Sel>,
        within: Vec<Option<Span>>,
        window: Window,
    },
    /// `did SEL [at least M times] in at least K of last N PERIODs`: K periods with at
    /// least M events each (M is 1 without a count).
    Regularly {
        name: Sel,
        min_events: usize,
        at_least: usize,
        periods: i64,
        period: Span,
    },
    /// A test of the user's own attributes.
    Attr(AttrCond),
    /// `in sJ`: membership of the round's segment J.
    In(usize),
    /// `score { W if C ... } CMP VALUE`: the weights of the rules that hold, added.
    Score {
        rules: Vec<(i64, Cond)>,
        cmp: Cmp,
        value: i64,
    },
    /// `ntile(K) of OF [descending] [ties together] [among (C)] CMP BUCKET`.
    Ntile {
        k: usize,
        of: NtileOf,
        descending: bool,
        ties_together: bool,
        among: Option<Box<Cond>>,
        cmp: Cmp,
        bucket: i64,
    },
}

/// Which events a condition looks at: those of one name, or those an action of the
/// rounds (`ACTIONS`) selects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sel {
    Name(&'static str),
    Action(usize),
}

/// An action of the rounds: its name, its declaration (after `action NAME = `), and
/// what it selects, by hand: an event matches when it matches one alternative (a name,
/// or `None` for any event, and a filter). `act_nested` names `act_big_a` in its text;
/// here its alternatives are written out.
pub struct ActionSpec {
    pub name: &'static str,
    pub text: &'static str,
    pub alternatives: &'static [(Option<&'static str>, Filter)],
}

pub const ACTIONS: [ActionSpec; 4] = [
    ActionSpec {
        name: "act_big_a",
        text: "\"a\" with amount > 10",
        alternatives: &[(Some("a"), Filter::AmountGt(10_000))],
    },
    ActionSpec {
        name: "act_a_or_pricing_b",
        text: "\"a\" or \"b\" with page = \"/pricing\"",
        alternatives: &[
            (Some("a"), Filter::None),
            (Some("b"), Filter::PageEq("/pricing")),
        ],
    },
    ActionSpec {
        name: "act_big_or_c",
        text: "any event with amount > 10 or \"c\" with not (page = \"/pricing\")",
        alternatives: &[
            (None, Filter::AmountGt(10_000)),
            (Some("c"), Filter::PageNotEq("/pricing")),
        ],
    },
    ActionSpec {
        name: "act_nested",
        text: "act_big_a or [\"b\", \"c\"] with page = \"/docs\"",
        alternatives: &[
            (Some("a"), Filter::AmountGt(10_000)),
            (Some("b"), Filter::PageEq("/docs")),
            (Some("c"), Filter::PageEq("/docs")),
        ],
    },
];

impl Sel {
    /// As written in a condition: `"a"` or `act_big_a`.
    pub fn text(self) -> String {
        match self {
            Sel::Name(n) => format!("\"{n}\""),
            Sel::Action(i) => ACTIONS[i].name.to_string(),
        }
    }
}

/// A condition of an account segment.
#[derive(Debug, Clone)]
pub enum AccountCond {
    And(Box<AccountCond>, Box<AccountCond>),
    Or(Box<AccountCond>, Box<AccountCond>),
    Not(Box<AccountCond>),
    /// `QUANT user where C` (or `QUANT user did ...`): over the users whose `account_id`
    /// is this account's key.
    Quant(Quant, Cond),
    /// `employees >= V` (false when unset).
    EmployeesGe(i64),
    /// `industry = "I"` (false when unset).
    IndustryEq(&'static str),
    /// `tier = "T"`, a column of the extra table `billing` (false without its row).
    TierEq(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub enum Quant {
    Any,
    No,
    /// At least one related user, and every one satisfies the condition.
    All,
    AtLeast(usize),
    AtMost(usize),
    Exactly(usize),
}

/// What an ntile ranks the population by.
#[derive(Debug, Clone, Copy)]
pub enum NtileOf {
    /// The user's `age` (unset ranks first).
    Age,
    /// `sum(amount) of "NAME" in last DAYS days` (0 without events).
    SumAmount { name: &'static str, days: i64 },
}

/// A `with` filter on an event's properties.
#[derive(Debug, Clone, Copy)]
pub enum Filter {
    None,
    /// `with amount > V`, V in thousandths
    AmountGt(i64),
    /// `with page = "P"`
    PageEq(&'static str),
    /// `with not (page = "P")`
    PageNotEq(&'static str),
}

/// Attribute conditions of the generator (each may be negated with `Cond::Not`).
#[derive(Debug, Clone)]
pub enum AttrCond {
    PlanEq(&'static str),
    PlanNe(&'static str),
    PlanNotIn(Vec<&'static str>),
    PlanIsNotSet,
    /// `country < "S"`: strings order by their UTF-8 bytes.
    CountryLt(&'static str),
    /// `age between LO and HI`, both included.
    AgeBetween(i64, i64),
    AgeGe(i64),
    CountryStartsWith(&'static str),
    /// `country = "X" ignoring case` (and `in`, `starts with`, `contains`; `plan !=`):
    /// both sides in Unicode's simple lowercase.
    CountryEqIc(&'static str),
    CountryInIc(Vec<&'static str>),
    CountryStartsWithIc(&'static str),
    CountryContainsIc(&'static str),
    PlanNeIc(&'static str),
    /// `account.employees >= V`: unset when the user has no account, or its row is missing.
    AccountEmployeesGe(i64),
    AccountIndustryEq(&'static str),
    /// Columns of extra tables (`owner` and `lifetime_value` of `extra crm`,
    /// `account.tier` of the account's `extra billing`): unset when the row is missing.
    OwnerEq(&'static str),
    OwnerIsNotSet,
    LifetimeValueGe(i64),
    AccountTierEq(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub enum Window {
    /// `in last N days`: `[as_of - N days, as_of)`.
    Days(i64),
    /// `in last N months`: `[as_of - N calendar months, as_of)`.
    Months(i64),
    /// `between A days ago and B days ago`: `[as_of - A days, as_of - B days)`.
    Between(i64, i64),
    /// No window: everything before `as_of`.
    Ever,
    /// `since P` and `between P and now`: `[P, as_of)`, P in microseconds (a date is
    /// its first instant).
    Since(i64),
}

#[derive(Debug, Clone, Copy)]
pub enum Span {
    Days(i64),
    Months(i64),
}

#[derive(Debug, Clone, Copy)]
pub enum Agg {
    Sum,
    Avg,
    Min,
    Max,
    CountDistinct,
    /// `first(amount)`: the amount of the earliest event with one (events ordered by
    /// time, then by amount).
    First,
    /// `last(amount)`: the amount of the latest event with one, in that order.
    Last,
}

#[derive(Debug, Clone, Copy)]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}
