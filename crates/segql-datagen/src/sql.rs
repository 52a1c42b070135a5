//! The generator's SQL: one script over `range()` that builds users, accounts, their
//! sessions and events, and invoices (the shape in the crate's documentation), with the
//! value lists its draws choose from.

use crate::Config;
use std::fmt::Write as _;

/// A CASE expression choosing among `items` (value, weight) by the uniform draw `u`
/// (a column or expression in [0, 1)). `None` is NULL. Weights need not add up to 1;
/// the last item takes the rest.
fn pick(u: &str, items: &[(Option<&str>, f64)]) -> String {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let lit = |v: &Option<&str>| match v {
        Some(s) => format!("'{}'", s.replace('\'', "''")),
        None => "NULL".to_string(),
    };
    let mut out = String::from("CASE");
    let mut acc = 0.0;
    for (v, w) in &items[..items.len() - 1] {
        acc += w / total;
        let _ = write!(out, " WHEN {u} < {acc:.6} THEN {}", lit(v));
    }
    let _ = write!(out, " ELSE {} END", lit(&items[items.len() - 1].0));
    out
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

const COUNTRIES: &[(Option<&str>, f64)] = &[
    (Some("US"), 30.0),
    (Some("GB"), 10.0),
    (Some("DE"), 9.0),
    (Some("FR"), 7.0),
    (Some("IN"), 7.0),
    (Some("CA"), 5.0),
    (Some("BR"), 5.0),
    (Some("NL"), 4.0),
    (Some("ES"), 4.0),
    (Some("AU"), 4.0),
    (Some("JP"), 4.0),
    (Some("SE"), 3.0),
    (Some("IT"), 3.0),
    (Some("AT"), 2.0),
    (Some("CH"), 2.0),
    (Some("MX"), 1.0),
];

const PREFIXES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Wonka",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Aperture",
    "Massive",
    "Oscorp",
    "Piedpiper",
    "Dunder",
    "Monarch",
    "Nakatomi",
    "Sirius",
    "Gekko",
    "Prestige",
    "Virtucon",
    "Zorg",
];

const SUFFIXES: &[&str] = &[
    "Labs",
    "Systems",
    "Group",
    "Inc",
    "Analytics",
    "Cloud",
    "Works",
    "Partners",
    "Health",
    "Retail",
    "Bank",
    "Media",
];

const FIRST_NAMES: &[&str] = &[
    "ann", "bob", "chen", "dana", "eva", "farid", "gita", "hugo", "ines", "jon", "kim", "lea",
    "mo", "nia", "omar", "pia", "raj", "sara", "tom", "uma", "vic", "wen", "yara", "zoe",
];

const PAGES: &[(Option<&str>, f64)] = &[
    (Some("/dashboard"), 30.0),
    (Some("/projects"), 20.0),
    (Some("/reports"), 12.0),
    (Some("/docs"), 10.0),
    (Some("/settings"), 6.0),
    (Some("/integrations"), 6.0),
    (Some("/team"), 5.0),
    (Some("/billing"), 3.0),
    (Some("/home"), 8.0),
];

const DEVICES: &[(Option<&str>, f64)] = &[
    (Some("web"), 60.0),
    (Some("ios"), 20.0),
    (Some("android"), 15.0),
    (Some("desktop"), 5.0),
];

/// The generation's SQL in three parts, run in order: `head` builds the accounts and the
/// users' draws (`u3`); `chunk` builds the sessions and events (`ev`) of the users in
/// the view `uc` (a range of `u3`, made by the caller) and keeps what `tail` needs of
/// them (`seen`, `purchases`), run once per chunk of users with `ev` written and dropped
/// in between, so that memory holds one chunk's events; `tail` builds `users`,
/// `accounts` and `invoices`.
pub(crate) struct Script {
    pub head: String,
    pub chunk: String,
    pub tail: String,
}

pub(crate) fn build_sql(cfg: &Config, as_of: i64, start: i64) -> Script {
    let sql = template(cfg, as_of, start);
    let (head, rest) = sql
        .split_once("{CHUNK_MARK}")
        .expect("the template marks its chunk");
    let (chunk, tail) = rest
        .split_once("{TAIL_MARK}")
        .expect("the template marks its tail");
    Script {
        head: head.to_string(),
        chunk: chunk.to_string(),
        tail: tail.to_string(),
    }
}

/// The SQL that builds every table, with `{N}`, `{SEED}`, ... replaced.
fn template(cfg: &Config, as_of: i64, start: i64) -> String {
    let n = cfg.users;
    // 72% of users belong to an account; the rest use the product on their own.
    let n_team = n * 72 / 100;
    let max_team = (n / 50).max(10);
    let industries = pick(
        "u_ind",
        &[
            (Some("software"), 26.0),
            (Some("fintech"), 10.0),
            (Some("retail"), 11.0),
            (Some("healthcare"), 9.0),
            (Some("education"), 8.0),
            (Some("media"), 8.0),
            (Some("manufacturing"), 8.0),
            (Some("logistics"), 6.0),
            (Some("agency"), 8.0),
            (Some("nonprofit"), 2.0),
            (None, 4.0),
        ],
    );
    let crm_big = pick(
        "u_crm",
        &[
            (Some("salesforce"), 55.0),
            (Some("hubspot"), 28.0),
            (Some("dynamics"), 12.0),
            (None, 5.0),
        ],
    );
    let crm_mid = pick(
        "u_crm",
        &[
            (Some("hubspot"), 45.0),
            (Some("salesforce"), 25.0),
            (Some("pipedrive"), 15.0),
            (None, 15.0),
        ],
    );
    let crm_small = pick(
        "u_crm",
        &[
            (Some("hubspot"), 20.0),
            (Some("pipedrive"), 20.0),
            (None, 60.0),
        ],
    );
    let warehouse = pick(
        "u_wh",
        &[
            (Some("snowflake"), 30.0),
            (Some("bigquery"), 25.0),
            (Some("redshift"), 15.0),
            (Some("databricks"), 10.0),
            (Some("postgres"), 10.0),
            (None, 10.0),
        ],
    );
    let cloud = pick(
        "r1(a, 'cloud')",
        &[
            (Some("aws"), 55.0),
            (Some("gcp"), 25.0),
            (Some("azure"), 20.0),
        ],
    );
    let front = pick(
        "r1(a, 'front')",
        &[
            (Some("react"), 55.0),
            (Some("vue"), 20.0),
            (Some("angular"), 15.0),
            (Some("svelte"), 10.0),
        ],
    );
    let back = pick(
        "r1(a, 'back')",
        &[
            (Some("python"), 35.0),
            (Some("node"), 25.0),
            (Some("java"), 15.0),
            (Some("go"), 10.0),
            (Some("ruby"), 10.0),
            (Some("php"), 5.0),
        ],
    );
    let acc_country = pick("r1(a, 'country')", COUNTRIES);
    let user_country = pick("r1(i, 'country')", COUNTRIES);
    let role = pick(
        "r1(i, 'role')",
        &[
            (Some("engineer"), 30.0),
            (Some("data analyst"), 18.0),
            (Some("product manager"), 12.0),
            (Some("marketer"), 10.0),
            (Some("founder"), 7.0),
            (Some("designer"), 6.0),
            (Some("student"), 7.0),
            (None, 10.0),
        ],
    );
    let lead_source = pick(
        "r1(i, 'source')",
        &[
            (Some("organic"), 40.0),
            (Some("paid_search"), 18.0),
            (Some("referral"), 14.0),
            (Some("partner"), 6.0),
            (Some("outbound"), 8.0),
            (Some("event"), 4.0),
            (None, 10.0),
        ],
    );
    let personal_domain = pick(
        "r1(i, 'mail')",
        &[
            (Some("gmail.com"), 50.0),
            (Some("outlook.com"), 20.0),
            (Some("yahoo.com"), 10.0),
            (Some("proton.me"), 10.0),
            (Some("icloud.com"), 10.0),
        ],
    );
    let device = pick("r1(i, 'device')", DEVICES);
    let session_device = pick("r2(i, s, 'device')", DEVICES);
    let page = pick("r3(i, s, e, 'page')", PAGES);

    let sql = format!(
        r#"
CREATE MACRO r1(a, tag) AS
  (hash(CAST(a AS BIGINT), tag, CAST({{SEED}} AS UBIGINT)) >> 11)::DOUBLE / 9007199254740992.0;
CREATE MACRO r2(a, b, tag) AS
  (hash(CAST(a AS BIGINT), CAST(b AS BIGINT), tag, CAST({{SEED}} AS UBIGINT)) >> 11)::DOUBLE
  / 9007199254740992.0;
CREATE MACRO r3(a, b, c, tag) AS
  (hash(CAST(a AS BIGINT), CAST(b AS BIGINT), CAST(c AS BIGINT), tag, CAST({{SEED}} AS UBIGINT))
   >> 11)::DOUBLE / 9007199254740992.0;
CREATE MACRO gauss(a, tag) AS
  sqrt(-2 * ln(1 - r1(a, tag || '.1'))) * cos(2 * pi() * r1(a, tag || '.2'));
CREATE MACRO ts(sec) AS make_timestamp(CAST(sec AS BIGINT) * 1000000);
CREATE MACRO isodow(sec) AS (CAST(sec AS BIGINT) // 86400 + 3) % 7 + 1;

-- Accounts: heavy-tailed team sizes laid end to end over the first {{N_TEAM}} users.
CREATE TABLE acc_ranges AS
SELECT a, team,
  CAST(sum(team) OVER (ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT)
    - team AS first_user
FROM (
  SELECT a, CAST(least({{MAX_TEAM}}, floor(pow(1 - r1(a, 'team'), -0.8))) AS BIGINT) AS team
  FROM range({{N}}) t(a)
);

CREATE TABLE acc AS
SELECT a, first_user, 'a' || (a + 1) AS account_id, prefix || ' ' || suffix AS name,
  lower(prefix) || (a + 1) || '.com' AS domain, industry, employees, country,
  CASE WHEN employees >= 200 THEN {crm_big} WHEN employees >= 20 THEN {crm_mid}
    ELSE {crm_small} END AS crm,
  {warehouse} AS warehouse,
  cloud || ' ' || front || ' ' || back AS tech_stack,
  round(employees * exp(11.9 + 0.6 * gauss(a, 'revenue')) / 1e6, 2) AS annual_revenue
FROM (
  SELECT a, first_user,
    {prefixes}[1 + CAST(floor(r1(a, 'prefix') * {n_prefixes}) AS BIGINT)] AS prefix,
    {suffixes}[1 + CAST(floor(r1(a, 'suffix') * {n_suffixes}) AS BIGINT)] AS suffix,
    {industries} AS industry,
    CAST(least(250000, greatest(team * 3, round(exp(3.0 + 1.9 * gauss(a, 'employees')))))
      AS BIGINT) AS employees,
    {acc_country} AS country,
    cloud, front, back, u_crm, u_wh
  FROM (
    SELECT a, first_user, team, r1(a, 'industry') AS u_ind, r1(a, 'crm') AS u_crm,
      r1(a, 'warehouse') AS u_wh, {cloud} AS cloud, {front} AS front, {back} AS back
    FROM acc_ranges WHERE first_user < {{N_TEAM}}
  )
);

-- Users: activity rate, signup, trial, conversion, lifetime.
CREATE TABLE u1 AS
SELECT i, acct, emp, acc_country, domain, rate, least(1.0, rate / 2) AS act,
  CASE WHEN adj >= {{START}} AND adj < {{ASOF}} - 3600 THEN adj ELSE raw END AS signup,
  r1(i, 'trial') < CASE WHEN acct IS NULL THEN 0.35 ELSE 0.6 END AS trial,
  r1(i, 'qa') < 0.005 AS qa
FROM (
  SELECT *, raw // 86400 * 86400 + CAST(CASE WHEN r1(i, 'stod') < 0.8
      THEN 25200 + floor(r1(i, 'stod2') * 39600) ELSE floor(r1(i, 'stod2') * 86400) END AS BIGINT)
    AS adj
  FROM (
    SELECT t.i, CASE WHEN t.i < {{N_TEAM}} THEN acc.a END AS acct,
      least(30.0, 0.15 * pow(1 - r1(t.i, 'rate'), -0.8)) AS rate,
      {{START}} + CAST(floor(pow(r1(t.i, 'signup'), 0.75) * ({{ASOF}} - {{START}} - 7200)) AS BIGINT)
        AS raw
    FROM range({{N}}) t(i) ASOF LEFT JOIN acc ON t.i >= acc.first_user
  ) x
  LEFT JOIN (SELECT a, employees AS emp, country AS acc_country, domain FROM acc) y
    ON x.acct = y.a
);

CREATE TABLE u2 AS
SELECT *,
  CASE WHEN paid AND life_end >= {{ASOF}} THEN paid_plan
    WHEN trial AND trial_end > {{ASOF}} THEN 'trial' ELSE 'free' END AS plan,
  least(life_end, {{ASOF}}) AS end_act
FROM (
  SELECT *,
    CASE WHEN paid THEN paid_at + CAST(-ln(1 - r1(i, 'paid_life')) * 1100 * 86400 AS BIGINT)
      WHEN trial_churn THEN trial_end + CAST(r1(i, 'trial_life') * 10 * 86400 AS BIGINT)
      ELSE signup + free_life END AS life_end
  FROM (
    SELECT * REPLACE (CASE WHEN paid THEN paid_at END AS paid_at)
    FROM (
      SELECT *,
        paid_at IS NOT NULL AND paid_at < {{ASOF}}
          AND (converts OR paid_at < signup + free_life) AS paid,
        trial AND NOT converts AND r1(i, 'trial_churn') < 0.7 AS trial_churn
      FROM (
        SELECT *,
          CASE WHEN converts THEN trial_end + CAST(floor(r1(i, 'pay_delay') * 172800) AS BIGINT)
            WHEN upgrades THEN signup + 86400
              + CAST(floor(r1(i, 'upgrade_at') * 200 * 86400) AS BIGINT) END AS paid_at,
          600 + CAST(-ln(1 - r1(i, 'free_life')) * (40 + 500 * act) * 86400 AS BIGINT)
            AS free_life
        FROM (
          SELECT *, signup + 14 * 86400 AS trial_end,
            trial AND signup + 16 * 86400 < {{ASOF}} AND NOT qa
              AND r1(i, 'converts') < 0.12 + 0.45 * act AS converts,
            NOT trial AND NOT qa AND r1(i, 'upgrades') < 0.03 + 0.12 * act AS upgrades,
            CASE WHEN (coalesce(emp, 0) >= 100 AND r1(i, 'business') < 0.6)
              OR r1(i, 'business') < 0.1 THEN 'business' ELSE 'pro' END AS paid_plan,
            r1(i, 'annual') < 0.25 AS annual
          FROM u1
        )
      )
    )
  )
);

CREATE TABLE u3 AS
SELECT *,
  1 + CAST(floor(rate * (end_act - signup) / 604800.0 * (0.5 + r1(i, 'sessions'))) AS BIGINT)
    AS n_sess,
  r1(i, 'activated') < 0.45 + 0.4 * act AS activated,
  signup + 300 + CAST(-ln(1 - r1(i, 'first_project')) * 21600 AS BIGINT) AS first_project,
  CAST(floor(greatest(0, email_end - signup) / 604800.0 * (0.04 + 0.3 * act)
    * (0.5 + r1(i, 'opens'))) AS BIGINT) AS n_open,
  CASE paid_plan WHEN 'business' THEN 199 ELSE 49 END * CASE WHEN annual THEN 10 ELSE 1 END
    AS charge
FROM (
  SELECT *,
    CASE WHEN opt_in THEN least(coalesce(unsub_at, {{ASOF}}), life_end + 120 * 86400, {{ASOF}})
      ELSE signup END AS email_end
  FROM (
    SELECT *,
      CASE WHEN opt_in AND r1(i, 'unsubscribes') < 0.12 THEN signup + 3600
        + CAST(floor(r1(i, 'unsubscribed_at') * ({{ASOF}} - signup - 3600)) AS BIGINT) END
        AS unsub_at,
      {device} AS device
    FROM (SELECT *, r1(i, 'opt_in') < 0.8 AS opt_in FROM u2)
  )
);

CREATE TABLE seen (seen_i BIGINT, last_seen BIGINT);
CREATE TABLE purchases (i BIGINT, seq BIGINT, t BIGINT, amount DECIMAL(10, 2));

{{CHUNK_MARK}}
-- The users of one chunk at a time (the view uc, [lo, hi) of u3's i): their sessions and
-- events; what the users and invoices need of the events is kept in seen and purchases.
-- Sessions: the first right after signing up, the others at a time in the user's active
-- life, pulled towards weekdays and working hours.
CREATE TABLE sess AS
SELECT i, s, acct, act, paid_at, ts AS t,
  CAST(least(40, 1 + floor(-ln(1 - r2(i, s, 'length')) * (1.5 + 2 * act))) AS BIGINT) AS k,
  CASE WHEN r2(i, s, 'same_device') < 0.85 THEN device ELSE {session_device} END AS device
FROM (
  SELECT *,
    CASE WHEN s = 0 THEN t1 WHEN t3 > signup AND t3 < end_act THEN t3
      WHEN t2 > signup AND t2 < end_act THEN t2 ELSE t1 END AS ts
  FROM (
    SELECT *, t2 // 86400 * 86400 + CAST(CASE WHEN r2(i, s, 'hour') < 0.8
        THEN 25200 + floor(r2(i, s, 'minute') * 39600) ELSE floor(r2(i, s, 'minute') * 86400)
        END AS BIGINT) AS t3
    FROM (
      SELECT *, CASE WHEN isodow(t1) >= 6 AND r2(i, s, 'weekend') < 0.65
        THEN t1 - (isodow(t1) - 1 - CAST(floor(r2(i, s, 'weekday') * 5) AS BIGINT)) * 86400
        ELSE t1 END AS t2
      FROM (
        SELECT *, signup + 60 + CAST(floor(r2(i, s, 'start')
          * CASE WHEN s = 0 THEN least(1800, greatest(0, end_act - signup - 60))
            ELSE greatest(0, end_act - signup - 60) END) AS BIGINT) AS t1
        FROM (
          SELECT i, acct, act, paid_at, signup, end_act, device, unnest(range(n_sess)) AS s
          FROM uc WHERE n_sess > 0
        )
      )
    )
  )
);

-- Every event of the chunk's users, in one pass (most of the memory; unsorted: each
-- output file sorts its own rows).
CREATE TABLE ev AS
SELECT * FROM (
-- the signup
SELECT i, 0 AS seq, signup AS t, 'signup' AS event_name, NULL AS page,
  CAST(NULL AS DECIMAL(10, 2)) AS amount, CASE WHEN trial THEN 'trial' ELSE 'free' END AS plan,
  device
FROM uc
UNION ALL
-- the first project, soon after signing up
SELECT i, 1, first_project, 'project_created', NULL, NULL, NULL, device
FROM uc WHERE activated AND first_project < end_act
UNION ALL
-- sessions: a login, then pages and actions a few minutes apart
SELECT i, 1000 + s * 64 + e, t + e * 150 + CAST(floor(r3(i, s, e, 'gap') * 120) AS BIGINT),
  CASE WHEN e = 0 THEN 'login'
    WHEN u < 0.80 THEN 'page_viewed'
    WHEN u < 0.86 THEN 'report_exported'
    WHEN u < 0.89 THEN 'project_created'
    WHEN u < 0.93 THEN CASE WHEN acct IS NULL THEN 'page_viewed' ELSE 'invite_sent' END
    WHEN u < 0.965 THEN 'friend_added'
    WHEN u < 0.975 THEN 'support_ticket'
    ELSE 'page_viewed' END,
  CASE WHEN e > 0 AND (u < 0.80 OR u >= 0.975 OR (u >= 0.89 AND u < 0.93 AND acct IS NULL))
    THEN CASE WHEN r3(i, s, e, 'pricing')
        < CASE WHEN paid_at IS NULL OR t < paid_at THEN 0.12 ELSE 0.02 END
      THEN '/pricing' ELSE {page} END END,
  NULL, NULL, device
FROM (SELECT *, r3(i, s, e, 'kind') AS u FROM (SELECT *, unnest(range(k + 1)) AS e FROM sess))
UNION ALL
-- payments: monthly or yearly from the first one until the user churns
SELECT i, 10000000 + m, t, 'purchase', NULL, CAST(charge AS DECIMAL(10, 2)), paid_plan, NULL
FROM (
  SELECT i, m, charge, paid_plan, life_end,
    CAST(epoch(ts(paid_at) + to_months(CAST(m * CASE WHEN annual THEN 12 ELSE 1 END AS INTEGER)))
      AS BIGINT) AS t
  FROM (SELECT *, unnest(range({{MONTHS}} + 2)) AS m FROM uc WHERE paid)
)
WHERE t < least(life_end, {{ASOF}})
UNION ALL
SELECT i, 20000000, paid_at + 1, 'plan_changed', NULL, NULL, paid_plan, NULL FROM uc WHERE paid
UNION ALL
-- trials that end without a purchase fall back to free
SELECT i, 20000001, trial_end, 'plan_changed', NULL, NULL, 'free', NULL
FROM uc WHERE trial AND NOT paid AND trial_end < {{ASOF}}
UNION ALL
-- paying users who churn cancel
SELECT i, 20000002, life_end, 'plan_changed', NULL, NULL, 'free', NULL
FROM uc WHERE paid AND life_end < {{ASOF}}
UNION ALL
-- the weekly newsletter (Tuesdays 09:00), opened a few hours after it is sent
SELECT i, 30000000 + o, t, 'email_opened', NULL, NULL, NULL, NULL
FROM (
  SELECT i, o, email_end,
    (signup // 86400 + CASE WHEN (9 - isodow(signup)) % 7 = 0 THEN 7
      ELSE (9 - isodow(signup)) % 7 END) * 86400 + 32400
      + CAST(floor(r2(i, o, 'week') * (email_end - signup) / 604800.0) AS BIGINT) * 604800
      + CAST(-ln(1 - r2(i, o, 'open_delay')) * 14400 AS BIGINT) AS t
  FROM (SELECT *, unnest(range(n_open)) AS o FROM uc WHERE n_open > 0)
)
WHERE t < email_end
UNION ALL
SELECT i, 40000000, unsub_at, 'unsubscribed', NULL, NULL, NULL, NULL
FROM uc WHERE unsub_at IS NOT NULL AND unsub_at < {{ASOF}}
)
WHERE t < {{ASOF}};
DROP TABLE sess;
INSERT INTO seen
SELECT i, max(t) FROM ev
WHERE event_name NOT IN ('email_opened', 'purchase', 'plan_changed', 'unsubscribed')
GROUP BY i;
INSERT INTO purchases
SELECT i, seq, t, amount FROM ev WHERE event_name = 'purchase';

{{TAIL_MARK}}
DROP TABLE u2;
DROP TABLE u1;

CREATE TABLE users AS
SELECT u3.i, 'u' || (u3.i + 1) AS user_id,
  CASE WHEN qa THEN 'qa' || (u3.i + 1) || '@segql.dev'
    WHEN acct IS NOT NULL THEN first_name || '.' || (u3.i + 1) || '@' || domain
    ELSE first_name || (u3.i + 1) || '@' || {personal_domain} END AS email,
  CASE WHEN r1(u3.i, 'no_country') < 0.03 THEN NULL
    WHEN acct IS NOT NULL AND r1(u3.i, 'same_country') < 0.8 THEN acc_country
    ELSE {user_country} END AS country,
  CASE WHEN r1(u3.i, 'no_age') < 0.2 THEN NULL
    ELSE CAST(least(75, 18 + floor(-ln(1 - r1(u3.i, 'age')) * 13)) AS INTEGER) END AS age,
  {role} AS role,
  plan,
  {lead_source} AS lead_source,
  ts(signup) AS signup_at,
  ts(last_seen) AS last_seen_at,
  CASE WHEN r1(u3.i, 'nps_answered') >= 0.3 THEN NULL
    WHEN r1(u3.i, 'nps') < 0.4 - 0.3 * act
      THEN CAST(floor(r1(u3.i, 'nps_score') * 7) AS INTEGER)
    WHEN r1(u3.i, 'nps') < 0.85 - 0.5 * act
      THEN CAST(7 + floor(r1(u3.i, 'nps_score') * 2) AS INTEGER)
    ELSE CAST(9 + floor(r1(u3.i, 'nps_score') * 2) AS INTEGER) END AS nps,
  paid OR r1(u3.i, 'verified') < 0.88 AS is_verified,
  CAST(CASE WHEN plan IN ('pro', 'business') THEN
    CASE WHEN annual THEN round(charge / 12.0, 2) ELSE charge END ELSE 0 END AS DECIMAL(10, 2))
    AS mrr,
  'a' || (acct + 1) AS account_id,
  acct, paid, paid_at
FROM (
  SELECT *, {first_names}[1 + CAST(floor(r1(i, 'first_name') * {n_first}) AS BIGINT)]
    AS first_name
  FROM u3
) u3
JOIN seen ON seen.seen_i = u3.i;

CREATE TABLE accounts AS
SELECT acc.a, account_id, name, industry, employees, country, crm, warehouse, tech_stack,
  annual_revenue,
  CASE WHEN current_paid THEN 'customer' WHEN ever_paid THEN 'churned'
    WHEN in_trial THEN 'opportunity' ELSE 'lead' END AS lifecycle_stage,
  CASE WHEN current_paid THEN CAST(
    CASE WHEN ts(first_paid) + to_years(CAST(date_diff('year', ts(first_paid), ts({{ASOF}})) AS INTEGER))
        < ts({{ASOF}})
      THEN ts(first_paid) + to_years(CAST(date_diff('year', ts(first_paid), ts({{ASOF}})) + 1 AS INTEGER))
      ELSE ts(first_paid) + to_years(CAST(date_diff('year', ts(first_paid), ts({{ASOF}})) AS INTEGER))
    END AS DATE) END AS renewal_date
FROM acc LEFT JOIN (
  SELECT acct, bool_or(plan IN ('pro', 'business')) AS current_paid, bool_or(paid) AS ever_paid,
    bool_or(plan = 'trial') AS in_trial, min(paid_at) AS first_paid
  FROM users WHERE acct IS NOT NULL GROUP BY acct
) agg ON agg.acct = acc.a;

CREATE TABLE invoices AS
SELECT users.account_id, ts(p.t) AS paid_at, p.amount,
  CASE WHEN accounts.country IN ('DE', 'FR', 'NL', 'ES', 'IT', 'AT') THEN 'EUR'
    WHEN accounts.country = 'GB' THEN 'GBP' ELSE 'USD' END AS currency,
  p.t, p.i, p.seq
FROM purchases AS p JOIN users ON users.i = p.i JOIN accounts ON accounts.a = users.acct
ORDER BY p.t, p.i, p.seq;
"#,
        prefixes = list(PREFIXES),
        n_prefixes = PREFIXES.len(),
        suffixes = list(SUFFIXES),
        n_suffixes = SUFFIXES.len(),
        first_names = list(FIRST_NAMES),
        n_first = FIRST_NAMES.len(),
    );
    sql.replace("{N}", &n.to_string())
        .replace("{N_TEAM}", &n_team.to_string())
        .replace("{MAX_TEAM}", &max_team.to_string())
        .replace("{SEED}", &cfg.seed.to_string())
        .replace("{MONTHS}", &cfg.months.to_string())
        .replace("{ASOF}", &as_of.to_string())
        .replace("{START}", &start.to_string())
}
