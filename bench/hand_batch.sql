-- The 50 segments of bench/segments.seg in one statement written by hand for DuckDB 2.0,
-- the "best hand-written single pass" that issue 18 compares segql's batch with (bench/run.py
-- times both as `batch` and `hand_batch`; tests/tests/bench_project.rs checks that every
-- segment has exactly the batch's members). The batch's shape: user_id, then a boolean per
-- segment in the suite's order, never NULL, one row per user of analytics.users. Windows are
-- [as_of - N, as_of); nothing at or after as_of counts; a user without a row in a CTE gets the
-- value of "no such events" (COALESCE).
--
-- The choices (timed against the alternatives tried, at 100k and 1M generated users):
-- * Reading old row groups is most of the cost (user_id and occurred_at decompress for every
--   row whatever the filter), so the whole history is read once: `history` keeps the last
--   login and the five rarer events (signup, project_created, purchase, unsubscribed,
--   plan_changed) in one aggregate. `<> 'page_viewed'` is applied inside the parquet reader
--   (an IN list is not) and drops 60% of the rows before the IN list is tested.
-- * The three sequences test per-user lists of their steps' times (exact for any number of
--   signups) instead of self-joins, which would need those rows from a second scan.
-- * Last times stand for counts: lapsed, dormant (which implies lapsed) and "between 90 and
--   30 days ago, not since" are thresholds of the last login; "no purchase in 90 days",
--   "stopped purchase" and "purchase in 30 days" of the last purchase. An average above 40
--   is sum > 40 * count (exact decimals); active days and weeks are bits of one day mask.
-- * Recent windows come from scans that skip all but the last row groups: every event of the
--   last 30 days in one aggregate, and three names over 90 days.
-- * b50's page views (365 days) are scanned only for users without a login in 365 days.
-- * Each per-user CTE computes its flags, so the joins to the users carry booleans.
-- * ntile as SQL's NTILE over every user: COALESCE(spend, 0), ties by user_id.
WITH history AS (
  SELECT
    user_id,
    max(occurred_at) FILTER (WHERE event_name = 'login') AS last_login,
    min(occurred_at) FILTER (WHERE event_name = 'signup') AS first_signup,
    count(*) FILTER (WHERE event_name = 'unsubscribed') AS unsubscribes,
    max(occurred_at) FILTER (WHERE event_name = 'plan_changed' AND plan = 'business') AS last_upgrade,
    sum(amount) FILTER (WHERE event_name = 'purchase') AS spend,
    max(amount) FILTER (WHERE event_name = 'purchase') AS top_amount,
    max(occurred_at) FILTER (WHERE event_name = 'purchase') AS last_purchase,
    sum(amount) FILTER (WHERE event_name = 'purchase'
                          AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS spend_365d,
    count(amount) FILTER (WHERE event_name = 'purchase'
                            AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS amounts_365d,
    sum(amount) FILTER (WHERE event_name = 'purchase'
                          AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS spend_90d,
    -- calendar months back from as_of: bit 0 the latest, bits 1 and 2 the two before
    bit_or(CASE WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 1 MONTH THEN 1
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 2 MONTH THEN 2
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 3 MONTH THEN 4
                ELSE 0 END) FILTER (WHERE event_name = 'purchase') AS buying_months,
    list(occurred_at) FILTER (WHERE event_name = 'signup') AS signups,
    list(occurred_at) FILTER (WHERE event_name = 'project_created') AS projects,
    list(occurred_at) FILTER (WHERE event_name = 'purchase') AS purchases
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND event_name <> 'page_viewed'
    AND event_name IN ('login', 'signup', 'project_created', 'purchase', 'unsubscribed', 'plan_changed')
  GROUP BY user_id
), activations AS (
  -- the projects created after a signup, within 7 days of it
  SELECT
    *,
    list_filter(projects, lambda p: list_bool_or(list_transform(signups, lambda s:
      s < p AND p <= s + INTERVAL 7 DAY))) AS activated_at
  FROM history
), lifetime AS MATERIALIZED (
  SELECT
    user_id,
    spend,
    spend_90d,
    COALESCE(last_login >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY, FALSE) AS login_365d,
    unsubscribes > 0 AS unsubscribed,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY, FALSE) AS purchase_90d,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS purchase_30d,
    COALESCE(spend_365d >= 500, FALSE) AS b21,
    COALESCE(amounts_365d > 0 AND spend_365d > 40 * amounts_365d, FALSE) AS b22,
    COALESCE(top_amount >= 100, FALSE) AS b24,
    COALESCE(first_signup >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b25,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL 60 DAY, FALSE) AS b26,
    COALESCE(len(activated_at) > 0, FALSE) AS b27,
    COALESCE(list_bool_or(list_transform(projects, lambda p: list_bool_or(list_transform(signups,
      lambda s: s >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY AND s < p AND p <= s + INTERVAL 1 DAY)))),
      FALSE) AS b28,
    COALESCE(list_bool_or(list_transform(activated_at, lambda p: list_bool_or(list_transform(purchases,
      lambda q: p < q AND q <= p + INTERVAL 30 DAY)))), FALSE) AS b29,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b30,
    COALESCE(last_purchase < TIMESTAMP '{as_of}' - INTERVAL 60 DAY, FALSE) AS b31,
    COALESCE(bit_count(buying_months) >= 2, FALSE) AS b34,
    COALESCE(last_upgrade >= TIMESTAMP '{as_of}' - INTERVAL 180 DAY, FALSE) AS b43,
    COALESCE(last_login >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
             AND last_login < TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b44
  FROM activations
), browsed AS (
  -- page views in 365 days, looked for only where no login in 365 days settles b50
  SELECT DISTINCT e.user_id
  FROM analytics.events AS e
  SEMI JOIN (
    SELECT u.user_id
    FROM analytics.users AS u
    LEFT JOIN lifetime AS l ON l.user_id = u.user_id
    WHERE NOT COALESCE(l.login_365d, FALSE)
  ) AS idle ON idle.user_id = e.user_id
  WHERE e.event_name = 'page_viewed'
    AND e.occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY
    AND e.occurred_at < TIMESTAMP '{as_of}'
), ranks AS (
  SELECT
    u.user_id,
    ntile(10) OVER (ORDER BY COALESCE(l.spend, 0), u.user_id) = 10 AS b36,
    ntile(5) OVER (ORDER BY COALESCE(l.spend_90d, 0), u.user_id) >= 4 AS b37
  FROM analytics.users AS u
  LEFT JOIN lifetime AS l ON l.user_id = u.user_id
), last_month AS (
  SELECT
    user_id,
    max(occurred_at) AS last_event,
    count(*) FILTER (WHERE event_name = 'login') AS logins,
    count(*) FILTER (WHERE event_name = 'login' AND device IN ('ios', 'android')) AS mobile_logins,
    count(*) FILTER (WHERE event_name = 'login' AND device = 'desktop') AS desktop_logins,
    -- bit d: a login in [as_of - (d + 1) days, as_of - d days)
    bit_or(1::BIGINT << ((epoch_us(TIMESTAMP '{as_of}') - epoch_us(occurred_at) - 1) // 86400000000))
      FILTER (WHERE event_name = 'login') AS login_days,
    count(*) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY) AS pricing_views,
    max(occurred_at) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing') AS last_pricing_view,
    count(DISTINCT page) FILTER (WHERE event_name = 'page_viewed') AS pages,
    count(*) FILTER (WHERE event_name = 'report_exported') AS reports,
    count(*) FILTER (WHERE event_name = 'invite_sent') AS invites,
    count(*) FILTER (WHERE event_name = 'support_ticket') AS tickets,
    count(*) FILTER (WHERE event_name = 'email_opened'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 28 DAY) AS opens,
    max(occurred_at) FILTER (WHERE event_name = 'email_opened') AS last_open,
    count(*) FILTER (WHERE event_name = 'plan_changed') AS plan_changes
  FROM analytics.events
  WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
), month AS (
  SELECT
    user_id,
    last_event >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY AS b11,
    logins >= 5 AS b12,
    pricing_views >= 3 AS pricing_3x_14d,
    reports >= 2 AS b14,
    invites > 0 AS b15,
    tickets >= 2 AS b17,
    opens >= 2 AS b18,
    logins > 0 AS login_30d,
    pages >= 4 AS b23,
    -- weeks are days 0-6, 7-13, 14-20 and 21-27
    COALESCE(((login_days & 127) <> 0)::INT + ((login_days & (127 << 7)) <> 0)::INT
             + ((login_days & (127 << 14)) <> 0)::INT + ((login_days & (127 << 21)) <> 0)::INT >= 3,
             FALSE) AS b32,
    COALESCE(bit_count(login_days) >= 10, FALSE) AS b33,
    COALESCE(last_open >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY, FALSE) AS open_14d,
    COALESCE(last_pricing_view >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY, FALSE) AS pricing_7d,
    logins >= 8 AS b38,
    mobile_logins >= 3 AS b41,
    desktop_logins > 0 AND mobile_logins = 0 AS b42,
    plan_changes > 0 AS plan_change_30d
  FROM last_month
), quarter AS (
  SELECT
    user_id,
    count(*) FILTER (WHERE event_name = 'friend_added'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 60 DAY) >= 3 AS b16,
    count(*) FILTER (WHERE event_name = 'project_created') >= 2
      AND count(*) FILTER (WHERE event_name = 'report_exported') = 0 AS b46
  FROM analytics.events
  WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
    AND event_name IN ('project_created', 'report_exported', 'friend_added')
  GROUP BY user_id
)
SELECT
  u.user_id,
  COALESCE(u.plan = 'trial' AND u.last_seen_at < TIMESTAMP '{as_of}' - INTERVAL 14 DAY, FALSE) AS b01_trial_idle,
  COALESCE(u.country = 'FR' AND u.age >= 18, FALSE) AS b02_french_adults,
  COALESCE(u.country IN ('FR', 'DE', 'ES', 'IT', 'NL', 'BE'), FALSE) AS b03_europe,
  COALESCE(u.nps BETWEEN 0 AND 6, FALSE) AS b04_detractors,
  u.nps IS NULL AS b05_no_nps,
  COALESCE(u.lead_source = 'paid_search'
           AND u.signup_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
           AND u.signup_at < TIMESTAMP '{as_of}', FALSE) AS b06_paid_search,
  COALESCE(a.employees >= 500, FALSE) AS b07_big_companies,
  COALESCE(a.industry = 'software' AND a.crm = 'salesforce', FALSE) AS b08_software_salesforce,
  COALESCE(u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AS b09_verified_payers,
  COALESCE(contains(u.email, '@') AND NOT ends_with(u.email, '@gmail.com'), FALSE) AS b10_company_mail,
  COALESCE(m.b11, FALSE) AS b11_active_7d,
  COALESCE(m.b12, FALSE) AS b12_logins_5x_30d,
  COALESCE(m.pricing_3x_14d, FALSE) AND NOT COALESCE(l.purchase_90d, FALSE) AS b13_pricing_lurkers,
  COALESCE(m.b14, FALSE) AS b14_exporters,
  COALESCE(m.b15, FALSE) AS b15_inviters,
  COALESCE(q.b16, FALSE) AS b16_social,
  COALESCE(m.b17, FALSE) AS b17_support_heavy,
  COALESCE(m.b18, FALSE) AS b18_openers,
  COALESCE(l.unsubscribed, FALSE) AS b19_unsubscribed,
  NOT COALESCE(m.login_30d, FALSE) AS b20_no_login_30d,
  COALESCE(l.b21, FALSE) AS b21_big_spenders,
  COALESCE(l.b22, FALSE) AS b22_avg_basket,
  COALESCE(m.b23, FALSE) AS b23_many_pages,
  COALESCE(l.b24, FALSE) AS b24_max_purchase,
  COALESCE(l.b25, FALSE) AS b25_new_users,
  COALESCE(l.b26, FALSE) AS b26_dormant,
  COALESCE(l.b27, FALSE) AS b27_activated,
  COALESCE(l.b28, FALSE) AS b28_activated_recently,
  COALESCE(l.b29, FALSE) AS b29_converted,
  COALESCE(l.b30, FALSE) AS b30_lapsed,
  COALESCE(l.b31, FALSE) AS b31_lapsed_payers,
  COALESCE(m.b32, FALSE) AS b32_weekly_regulars,
  COALESCE(m.b33, FALSE) AS b33_daily_habit,
  COALESCE(l.b34, FALSE) AS b34_monthly_buyers,
  CASE WHEN m.open_14d THEN 10 ELSE 0 END
    + CASE WHEN m.pricing_7d THEN 20 ELSE 0 END
    + CASE WHEN a.employees >= 50 THEN 30 ELSE 0 END
    - CASE WHEN l.unsubscribed THEN 15 ELSE 0 END >= 40 AS b35_hot_leads,
  k.b36 AS b36_top_spenders,
  k.b37 AS b37_recent_value,
  COALESCE(m.b38, FALSE) AS b38_engaged,
  COALESCE(m.b38 AND u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AS b39_engaged_payers,
  COALESCE(u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AND NOT COALESCE(m.login_30d, FALSE)
    AS b40_at_risk,
  COALESCE(m.b41, FALSE) AS b41_mobile_users,
  COALESCE(m.b42, FALSE) AS b42_desktop_only,
  COALESCE(l.b43, FALSE) AS b43_upgraders,
  COALESCE(l.b44, FALSE) AS b44_last_quarter_not_this_month,
  COALESCE(l.purchase_30d, FALSE) OR COALESCE(m.plan_change_30d, FALSE) AS b45_purchase_or_renewal,
  COALESCE(q.b46, FALSE) AS b46_projects_no_reports,
  COALESCE(lower(u.country) = 'us' AND u.age > 30, FALSE) AS b47_raw_sql,
  COALESCE(regexp_matches(u.email, '^(qa|test)[0-9]*@'), FALSE) AS b48_regex_qa,
  COALESCE(l.b30 AND u.plan IN ('pro', 'business'), FALSE) AS b49_churn_risk,
  COALESCE(l.login_365d, FALSE) OR b.user_id IS NOT NULL AS b50_everyone_active
FROM analytics.users AS u
LEFT JOIN analytics.accounts AS a ON a.account_id = u.account_id
LEFT JOIN month AS m ON m.user_id = u.user_id
LEFT JOIN quarter AS q ON q.user_id = u.user_id
LEFT JOIN lifetime AS l ON l.user_id = u.user_id
LEFT JOIN browsed AS b ON b.user_id = u.user_id
LEFT JOIN ranks AS k ON k.user_id = u.user_id
