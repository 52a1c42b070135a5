-- The 50 segments of bench/segments.seg in one statement written by hand for Spark SQL
-- (PySpark 4.3, local mode, the databricks dialect's engine), the Spark counterpart of
-- bench/hand_batch.sql (same shape: user_id, then a boolean per segment in the suite's
-- order, never NULL, one row per user of analytics.users; windows are [as_of - N, as_of) in
-- the session's time zone, UTC). bench/engines.py times it as `hand_batch` beside segql's
-- batch; tests/tests/hand_batch_engines.rs checks that every segment has exactly the members
-- of segql's databricks batch at three instants on 3,000 generated users.
--
-- The choices (timed against the DuckDB file's shape translated to Spark, 100k users, tables
-- saved from the parquet files as bench/engines.py saves them):
-- * Spark inlines a CTE at each reference and prunes each copy to the columns it needs, so
--   the copies share no exchange: the DuckDB shape (lifetime read by b50's lookup, by the
--   ranks and by the final SELECT) planned 20 parquet scans and was no faster than segql's
--   batch. Here every CTE is read once, and the ntiles are windows of the final SELECT.
-- * One aggregate, `activity`, over the rows any condition needs (the whole history of six
--   names, every event of the last 30 days, two names over 90 days, the last year's page
--   views for b50): Spark's generated code evaluates the FILTERs cheaply, and every extra
--   scan is a stage and an exchange of its own.
-- * collect_list makes an aggregate an ObjectHashAggregate, which falls back to sorting
--   beyond 128 keys per task: the lists of the sequences' steps (and the distinct pages, a
--   collect_set) are in `steps`, an aggregate over those rows alone (11% of the events), so
--   `activity` stays a code-generated HashAggregate. COUNT(DISTINCT) beside other aggregates
--   would expand every row once per distinct argument.
-- * The sequences are tested with exists/filter on those lists, exact for any number of
--   signups; b29 reuses b27's activated projects.
-- * Last times stand for counts, as in the DuckDB file; an average above 40 is
--   sum > 40 * count; days and weeks are bits of one day mask, months of one month mask.
-- * ntile ties are broken by user_id (Spark compares strings by bytes).
WITH activity AS (
  SELECT
    user_id,
    max(occurred_at) FILTER (WHERE event_name = 'login') AS last_login,
    max(occurred_at) FILTER (WHERE event_name IN ('login', 'page_viewed')
                               AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS last_seen,
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
    bit_or(CASE WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 1 MONTH THEN 1
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 2 MONTH THEN 2
                WHEN occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 3 MONTH THEN 4
                ELSE 0 END) FILTER (WHERE event_name = 'purchase') AS buying_months,
    count(*) FILTER (WHERE event_name = 'friend_added'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 60 DAY) AS friends,
    count(*) FILTER (WHERE event_name = 'project_created'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS projects_90d,
    count(*) FILTER (WHERE event_name = 'report_exported'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS reports_90d,
    max(occurred_at) AS last_event,
    count(*) FILTER (WHERE event_name = 'login' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS logins,
    count(*) FILTER (WHERE event_name = 'login' AND device IN ('ios', 'android')
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS mobile_logins,
    count(*) FILTER (WHERE event_name = 'login' AND device = 'desktop'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS desktop_logins,
    bit_or(shiftleft(CAST(1 AS BIGINT), CAST(div(unix_micros(TIMESTAMP '{as_of}') - unix_micros(occurred_at) - 1,
                                                86400000000) AS INT)))
      FILTER (WHERE event_name = 'login' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS login_days,
    count(*) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY) AS pricing_views,
    max(occurred_at) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing') AS last_pricing_view,
    count(*) FILTER (WHERE event_name = 'report_exported'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS reports,
    count(*) FILTER (WHERE event_name = 'invite_sent') AS invites,
    count(*) FILTER (WHERE event_name = 'support_ticket') AS tickets,
    count(*) FILTER (WHERE event_name = 'email_opened'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 28 DAY) AS opens,
    max(occurred_at) FILTER (WHERE event_name = 'email_opened') AS last_open,
    count(*) FILTER (WHERE event_name = 'plan_changed'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS plan_changes
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND (event_name IN ('login', 'signup', 'project_created', 'purchase', 'unsubscribed', 'plan_changed')
         OR occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
         OR event_name IN ('friend_added', 'report_exported') AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
         OR event_name = 'page_viewed' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY)
  GROUP BY user_id
), steps AS (
  SELECT
    user_id,
    collect_list(occurred_at) FILTER (WHERE event_name = 'signup') AS signups,
    collect_list(occurred_at) FILTER (WHERE event_name = 'project_created') AS projects,
    collect_list(occurred_at) FILTER (WHERE event_name = 'purchase') AS purchases,
    size(collect_set(page) FILTER (WHERE event_name = 'page_viewed')) AS pages
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND (event_name IN ('signup', 'project_created', 'purchase')
         OR event_name = 'page_viewed' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY)
  GROUP BY user_id
), sequences AS (
  SELECT
    user_id,
    pages,
    signups,
    projects,
    purchases,
    filter(projects, p -> exists(signups, s -> s < p AND p <= s + INTERVAL 7 DAY)) AS activated_at
  FROM steps
), flags AS (
  SELECT
    user_id,
    spend,
    spend_90d,
    COALESCE(last_seen IS NOT NULL, FALSE) AS b50,
    unsubscribes > 0 AS unsubscribed,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY, FALSE) AS purchase_90d,
    COALESCE(last_purchase >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS purchase_30d,
    COALESCE(spend_365d >= 500, FALSE) AS b21,
    COALESCE(amounts_365d > 0 AND spend_365d > 40 * amounts_365d, FALSE) AS b22,
    COALESCE(top_amount >= 100, FALSE) AS b24,
    COALESCE(first_signup >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b25,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL 60 DAY, FALSE) AS b26,
    COALESCE(last_login < TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b30,
    COALESCE(last_purchase < TIMESTAMP '{as_of}' - INTERVAL 60 DAY, FALSE) AS b31,
    COALESCE(bit_count(buying_months) >= 2, FALSE) AS b34,
    COALESCE(last_upgrade >= TIMESTAMP '{as_of}' - INTERVAL 180 DAY, FALSE) AS b43,
    COALESCE(last_login >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
             AND last_login < TIMESTAMP '{as_of}' - INTERVAL 30 DAY, FALSE) AS b44,
    COALESCE(last_event >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY, FALSE) AS b11,
    logins >= 5 AS b12,
    pricing_views >= 3 AS pricing_3x_14d,
    reports >= 2 AS b14,
    invites > 0 AS b15,
    friends >= 3 AS b16,
    tickets >= 2 AS b17,
    opens >= 2 AS b18,
    logins > 0 AS login_30d,
    COALESCE(CAST((login_days & 127) <> 0 AS INT) + CAST((login_days & shiftleft(127, 7)) <> 0 AS INT)
             + CAST((login_days & shiftleft(127, 14)) <> 0 AS INT) + CAST((login_days & shiftleft(127, 21)) <> 0 AS INT) >= 3,
             FALSE) AS b32,
    COALESCE(bit_count(login_days) >= 10, FALSE) AS b33,
    COALESCE(last_open >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY, FALSE) AS open_14d,
    COALESCE(last_pricing_view >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY, FALSE) AS pricing_7d,
    logins >= 8 AS b38,
    mobile_logins >= 3 AS b41,
    desktop_logins > 0 AND mobile_logins = 0 AS b42,
    plan_changes > 0 AS plan_change_30d,
    projects_90d >= 2 AND reports_90d = 0 AS b46
  FROM activity
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
  COALESCE(contains(u.email, '@') AND NOT endswith(u.email, '@gmail.com'), FALSE) AS b10_company_mail,
  COALESCE(f.b11, FALSE) AS b11_active_7d,
  COALESCE(f.b12, FALSE) AS b12_logins_5x_30d,
  COALESCE(f.pricing_3x_14d, FALSE) AND NOT COALESCE(f.purchase_90d, FALSE) AS b13_pricing_lurkers,
  COALESCE(f.b14, FALSE) AS b14_exporters,
  COALESCE(f.b15, FALSE) AS b15_inviters,
  COALESCE(f.b16, FALSE) AS b16_social,
  COALESCE(f.b17, FALSE) AS b17_support_heavy,
  COALESCE(f.b18, FALSE) AS b18_openers,
  COALESCE(f.unsubscribed, FALSE) AS b19_unsubscribed,
  NOT COALESCE(f.login_30d, FALSE) AS b20_no_login_30d,
  COALESCE(f.b21, FALSE) AS b21_big_spenders,
  COALESCE(f.b22, FALSE) AS b22_avg_basket,
  COALESCE(s.pages >= 4, FALSE) AS b23_many_pages,
  COALESCE(f.b24, FALSE) AS b24_max_purchase,
  COALESCE(f.b25, FALSE) AS b25_new_users,
  COALESCE(f.b26, FALSE) AS b26_dormant,
  COALESCE(size(s.activated_at) > 0, FALSE) AS b27_activated,
  COALESCE(exists(s.projects, p -> exists(s.signups,
    x -> x >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY AND x < p AND p <= x + INTERVAL 1 DAY)), FALSE) AS b28_activated_recently,
  COALESCE(exists(s.activated_at, p -> exists(s.purchases, q -> p < q AND q <= p + INTERVAL 30 DAY)), FALSE) AS b29_converted,
  COALESCE(f.b30, FALSE) AS b30_lapsed,
  COALESCE(f.b31, FALSE) AS b31_lapsed_payers,
  COALESCE(f.b32, FALSE) AS b32_weekly_regulars,
  COALESCE(f.b33, FALSE) AS b33_daily_habit,
  COALESCE(f.b34, FALSE) AS b34_monthly_buyers,
  CASE WHEN f.open_14d THEN 10 ELSE 0 END
    + CASE WHEN f.pricing_7d THEN 20 ELSE 0 END
    + CASE WHEN a.employees >= 50 THEN 30 ELSE 0 END
    - CASE WHEN f.unsubscribed THEN 15 ELSE 0 END >= 40 AS b35_hot_leads,
  ntile(10) OVER (ORDER BY COALESCE(f.spend, 0), u.user_id) = 10 AS b36_top_spenders,
  ntile(5) OVER (ORDER BY COALESCE(f.spend_90d, 0), u.user_id) >= 4 AS b37_recent_value,
  COALESCE(f.b38, FALSE) AS b38_engaged,
  COALESCE(f.b38 AND u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AS b39_engaged_payers,
  COALESCE(u.is_verified AND u.plan IN ('pro', 'business'), FALSE) AND NOT COALESCE(f.login_30d, FALSE)
    AS b40_at_risk,
  COALESCE(f.b41, FALSE) AS b41_mobile_users,
  COALESCE(f.b42, FALSE) AS b42_desktop_only,
  COALESCE(f.b43, FALSE) AS b43_upgraders,
  COALESCE(f.b44, FALSE) AS b44_last_quarter_not_this_month,
  COALESCE(f.purchase_30d, FALSE) OR COALESCE(f.plan_change_30d, FALSE) AS b45_purchase_or_renewal,
  COALESCE(f.b46, FALSE) AS b46_projects_no_reports,
  COALESCE(lower(u.country) = 'us' AND u.age > 30, FALSE) AS b47_raw_sql,
  COALESCE(u.email RLIKE '^(qa|test)[0-9]*@', FALSE) AS b48_regex_qa,
  COALESCE(f.b30 AND u.plan IN ('pro', 'business'), FALSE) AS b49_churn_risk,
  COALESCE(f.b50, FALSE) AS b50_everyone_active
FROM analytics.users AS u
LEFT JOIN analytics.accounts AS a ON a.account_id = u.account_id
LEFT JOIN flags AS f ON f.user_id = u.user_id
LEFT JOIN sequences AS s ON s.user_id = u.user_id
