-- The 50 segments of bench/segments.seg in one statement written by hand for PostgreSQL 15,
-- the Postgres counterpart of bench/hand_batch.sql (same shape: user_id, then a boolean per
-- segment in the suite's order, never NULL, one row per user of analytics.users; windows are
-- [as_of - N, as_of)). bench/engines.py times it as `hand_batch` beside segql's batch;
-- tests/tests/hand_batch_engines.rs checks that every segment has exactly the members of
-- segql's Postgres batch at three instants on 3,000 generated users.
--
-- The choices (timed against the alternatives tried, 100k users, tables as bench/engines.py
-- loads them: no index, so every CTE over the events is a full sequential scan):
-- * Postgres evaluates every aggregate's FILTER on every row it aggregates, so rows and
--   aggregates are kept apart: `seen` aggregates the many rows (all logins, and the last
--   year's page views for b50) into two maxima; `rare` the few rows (signup, project_created,
--   purchase, unsubscribed, plan_changed: 7% of the events) into all the lifetime aggregates.
--   One aggregate over both (one scan less) was 0.2-0.3 s slower, and so was a separate
--   DISTINCT scan of page views for b50.
-- * The sequences are per-user arrays of their steps' times in `rare`, tested with LATERAL
--   unnest (exact for any number of signups). array_agg has no combine function before
--   Postgres 16, so `rare` aggregates in the leader (its scan is still parallel); the same
--   arrays in one aggregate with the logins cost 1 s more, and self-joins of a materialized
--   CTE of the steps (merge joins) or of three scans were slower.
-- * Postgres sorts for COUNT(DISTINCT) (no hash aggregate), so `recent` groups by user and
--   page first: distinct pages are a count of groups, and the rest sums the groups. It also
--   covers the three names counted over 90 days, so the last quarter is no scan of its own.
-- * Last times stand for counts, as in the DuckDB file (lapsed, dormant, "not in 90 days"),
--   an average above 40 is sum > 40 * count, days and weeks are bits of one day mask and
--   months bits of one month mask.
-- * `lifetime` starts from the users, so the ranks read it alone; ntile ties are broken by
--   user_id in bytes (COLLATE "C"), as segql does whatever the server's collation.
WITH seen AS (
  SELECT user_id,
    max(occurred_at) FILTER (WHERE event_name = 'login') AS last_login,
    max(occurred_at) AS last_seen
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND (event_name = 'login'
         OR event_name = 'page_viewed' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '365 days')
  GROUP BY user_id
), rare AS (
  SELECT
    user_id,
    min(occurred_at) FILTER (WHERE event_name = 'signup') AS first_signup,
    count(*) FILTER (WHERE event_name = 'unsubscribed') AS unsubscribes,
    max(occurred_at) FILTER (WHERE event_name = 'plan_changed' AND plan = 'business') AS last_upgrade,
    sum(amount) FILTER (WHERE event_name = 'purchase') AS spend,
    max(amount) FILTER (WHERE event_name = 'purchase') AS top_amount,
    max(occurred_at) FILTER (WHERE event_name = 'purchase') AS last_purchase,
    sum(amount) FILTER (WHERE event_name = 'purchase'
                          AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '365 days') AS spend_365d,
    count(amount) FILTER (WHERE event_name = 'purchase'
                            AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '365 days') AS amounts_365d,
    sum(amount) FILTER (WHERE event_name = 'purchase'
                          AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '90 days') AS spend_90d,
    -- calendar months back from as_of: bit 0 the latest, bits 1 and 2 the two before
    bit_or(CASE WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '1 month' THEN 1
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '2 months' THEN 2
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '3 months' THEN 4
                ELSE 0 END) FILTER (WHERE event_name = 'purchase') AS buying_months,
    array_agg(occurred_at) FILTER (WHERE event_name = 'signup') AS signups,
    array_agg(occurred_at) FILTER (WHERE event_name = 'project_created') AS projects,
    array_agg(occurred_at) FILTER (WHERE event_name = 'purchase') AS purchases
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND event_name IN ('signup', 'project_created', 'purchase', 'unsubscribed', 'plan_changed')
  GROUP BY user_id
), history AS (
  SELECT
    u.user_id, g.last_login, g.last_seen, r.first_signup, r.unsubscribes, r.last_upgrade, r.spend, r.top_amount,
    r.last_purchase, r.spend_365d, r.amounts_365d, r.spend_90d, r.buying_months, act.b27, act.b28, act.b29
  FROM analytics.users AS u
  LEFT JOIN seen AS g ON g.user_id = u.user_id
  LEFT JOIN rare AS r ON r.user_id = u.user_id
  LEFT JOIN LATERAL (
    -- the (signup, project) pairs within 7 days: b27 if any, b28 and b29 among them
    SELECT count(*) > 0 AS b27,
      COALESCE(bool_or(s >= TIMESTAMP '{as_of}' - INTERVAL '90 days' AND p <= s + INTERVAL '1 day'), FALSE) AS b28,
      COALESCE(bool_or(EXISTS (SELECT 1 FROM unnest(r.purchases) AS q WHERE p < q AND q <= p + INTERVAL '30 days')), FALSE) AS b29
    FROM unnest(r.projects) AS p, unnest(r.signups) AS s
    WHERE s < p AND p <= s + INTERVAL '7 days'
  ) AS act ON TRUE
), lifetime AS (
  SELECT
    user_id,
    spend,
    spend_90d,
    COALESCE(last_seen >= TIMESTAMP '{as_of}' - INTERVAL '365 days', FALSE) AS b50,
    unsubscribes > 0 AS unsubscribed,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL '90 days', FALSE) AS purchase_90d,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL '30 days', FALSE) AS purchase_30d,
    COALESCE(spend_365d >= 500, FALSE) AS b21,
    COALESCE(amounts_365d > 0 AND spend_365d > 40 * amounts_365d, FALSE) AS b22,
    COALESCE(top_amount >= 100, FALSE) AS b24,
    COALESCE(first_signup >= TIMESTAMP '{as_of}' - INTERVAL '30 days', FALSE) AS b25,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL '60 days', FALSE) AS b26,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL '30 days', FALSE) AS b30,
    COALESCE(last_purchase < TIMESTAMP '{as_of}' - INTERVAL '60 days', FALSE) AS b31,
    COALESCE((buying_months & 1 <> 0)::int + (buying_months & 2 <> 0)::int + (buying_months & 4 <> 0)::int >= 2,
             FALSE) AS b34,
    COALESCE(b27, FALSE) AS b27,
    COALESCE(b28, FALSE) AS b28,
    COALESCE(b29, FALSE) AS b29,
    COALESCE(last_upgrade >= TIMESTAMP '{as_of}' - INTERVAL '180 days', FALSE) AS b43,
    COALESCE(last_login >= TIMESTAMP '{as_of}' - INTERVAL '90 days'
             AND last_login < TIMESTAMP '{as_of}' - INTERVAL '30 days', FALSE) AS b44
  FROM history
), recent AS (
  -- the last 30 days, and three names over 90 days, per user and page viewed (NULL for the
  -- other events)
  SELECT
    user_id,
    CASE WHEN event_name = 'page_viewed' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days' THEN page END AS viewed,
    max(occurred_at) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS last_event,
    count(*) FILTER (WHERE event_name = 'login' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS logins,
    count(*) FILTER (WHERE event_name = 'login' AND device IN ('ios', 'android')
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS mobile_logins,
    count(*) FILTER (WHERE event_name = 'login' AND device = 'desktop'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS desktop_logins,
    -- bit d: a login in [as_of - (d + 1) days, as_of - d days)
    bit_or(1::BIGINT << date_part('day', TIMESTAMP '{as_of}' - INTERVAL '1 microsecond' - occurred_at)::INT)
      FILTER (WHERE event_name = 'login' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS login_days,
    count(*) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '14 days') AS pricing_views,
    max(occurred_at) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing'
                               AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS last_pricing_view,
    count(*) FILTER (WHERE event_name = 'report_exported' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days') AS reports,
    count(*) FILTER (WHERE event_name = 'report_exported') AS reports_90d,
    count(*) FILTER (WHERE event_name = 'project_created') AS projects_90d,
    count(*) FILTER (WHERE event_name = 'friend_added' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '60 days') AS friends,
    count(*) FILTER (WHERE event_name = 'invite_sent') AS invites,
    count(*) FILTER (WHERE event_name = 'support_ticket') AS tickets,
    count(*) FILTER (WHERE event_name = 'email_opened' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '28 days') AS opens,
    max(occurred_at) FILTER (WHERE event_name = 'email_opened') AS last_open,
    count(*) FILTER (WHERE event_name = 'plan_changed') AS plan_changes
  FROM analytics.events
  WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '90 days'
    AND occurred_at < TIMESTAMP '{as_of}'
    AND (occurred_at >= TIMESTAMP '{as_of}' - INTERVAL '30 days'
         OR event_name IN ('project_created', 'report_exported', 'friend_added'))
  GROUP BY 1, 2
), month AS (
  SELECT
    user_id,
    COALESCE(max(last_event) >= TIMESTAMP '{as_of}' - INTERVAL '7 days', FALSE) AS b11,
    sum(logins) >= 5 AS b12,
    sum(pricing_views) >= 3 AS pricing_3x_14d,
    sum(reports) >= 2 AS b14,
    sum(invites) > 0 AS b15,
    sum(friends) >= 3 AS b16,
    sum(tickets) >= 2 AS b17,
    sum(opens) >= 2 AS b18,
    sum(logins) > 0 AS login_30d,
    count(viewed) >= 4 AS b23,
    -- weeks are days 0-6, 7-13, 14-20 and 21-27
    COALESCE(((bit_or(login_days) & 127) <> 0)::INT + ((bit_or(login_days) & (127::BIGINT << 7)) <> 0)::INT
             + ((bit_or(login_days) & (127::BIGINT << 14)) <> 0)::INT + ((bit_or(login_days) & (127::BIGINT << 21)) <> 0)::INT >= 3,
             FALSE) AS b32,
    COALESCE(bit_count(bit_or(login_days)::BIT(64)) >= 10, FALSE) AS b33,
    COALESCE(max(last_open) >= TIMESTAMP '{as_of}' - INTERVAL '14 days', FALSE) AS open_14d,
    COALESCE(max(last_pricing_view) >= TIMESTAMP '{as_of}' - INTERVAL '7 days', FALSE) AS pricing_7d,
    sum(logins) >= 8 AS b38,
    sum(mobile_logins) >= 3 AS b41,
    sum(desktop_logins) > 0 AND sum(mobile_logins) = 0 AS b42,
    sum(plan_changes) > 0 AS plan_change_30d,
    sum(projects_90d) >= 2 AND sum(reports_90d) = 0 AS b46
  FROM recent
  GROUP BY user_id
), ranks AS (
  SELECT
    user_id,
    ntile(10) OVER (ORDER BY COALESCE(spend, 0), user_id COLLATE "C") = 10 AS b36,
    ntile(5) OVER (ORDER BY COALESCE(spend_90d, 0), user_id COLLATE "C") >= 4 AS b37
  FROM lifetime
)
SELECT
  u.user_id,
  COALESCE(u.plan = 'trial' AND u.last_seen_at < TIMESTAMP '{as_of}' - INTERVAL '14 days', FALSE) AS b01_trial_idle,
  COALESCE(u.country = 'FR' AND u.age >= 18, FALSE) AS b02_french_adults,
  COALESCE(u.country IN ('FR', 'DE', 'ES', 'IT', 'NL', 'BE'), FALSE) AS b03_europe,
  COALESCE(u.nps BETWEEN 0 AND 6, FALSE) AS b04_detractors,
  u.nps IS NULL AS b05_no_nps,
  COALESCE(u.lead_source = 'paid_search'
           AND u.signup_at >= TIMESTAMP '{as_of}' - INTERVAL '90 days'
           AND u.signup_at < TIMESTAMP '{as_of}', FALSE) AS b06_paid_search,
  COALESCE(a.employees >= 500, FALSE) AS b07_big_companies,
  COALESCE(a.industry = 'software' AND a.crm = 'salesforce', FALSE) AS b08_software_salesforce,
  COALESCE(u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AS b09_verified_payers,
  COALESCE(strpos(u.email, '@') > 0 AND u.email NOT LIKE '%@gmail.com', FALSE) AS b10_company_mail,
  COALESCE(m.b11, FALSE) AS b11_active_7d,
  COALESCE(m.b12, FALSE) AS b12_logins_5x_30d,
  COALESCE(m.pricing_3x_14d, FALSE) AND NOT COALESCE(l.purchase_90d, FALSE) AS b13_pricing_lurkers,
  COALESCE(m.b14, FALSE) AS b14_exporters,
  COALESCE(m.b15, FALSE) AS b15_inviters,
  COALESCE(m.b16, FALSE) AS b16_social,
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
  COALESCE(m.b46, FALSE) AS b46_projects_no_reports,
  COALESCE(lower(u.country) = 'us' AND u.age > 30, FALSE) AS b47_raw_sql,
  COALESCE(u.email ~ '^(qa|test)[0-9]*@', FALSE) AS b48_regex_qa,
  COALESCE(l.b30 AND u.plan IN ('pro', 'business'), FALSE) AS b49_churn_risk,
  COALESCE(l.b50, FALSE) AS b50_everyone_active
FROM analytics.users AS u
LEFT JOIN analytics.accounts AS a ON a.account_id = u.account_id
LEFT JOIN month AS m ON m.user_id = u.user_id
LEFT JOIN lifetime AS l ON l.user_id = u.user_id
LEFT JOIN ranks AS k ON k.user_id = u.user_id

