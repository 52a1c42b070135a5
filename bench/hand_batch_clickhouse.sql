-- The 50 segments of bench/segments.seg in one statement written by hand for ClickHouse (chdb
-- 4.4, ClickHouse 26.9), the ClickHouse counterpart of bench/hand_batch.sql (same shape:
-- user_id, then one column per segment in the suite's order, never NULL, one row per user of
-- analytics.users; UInt8 like segql's ClickHouse batch; windows are [as_of - N, as_of)).
-- bench/engines.py times it as `hand_batch` beside segql's batch;
-- tests/tests/hand_batch_engines.rs checks that every segment has exactly the members of
-- segql's ClickHouse batch at three instants on 3,000 generated users.
--
-- The choices (timed against the alternatives tried, 100k users, MergeTree tables as
-- bench/engines.py loads them, server defaults: join_use_nulls = 0):
-- * Two aggregates over the events, each computing its segments' flags in its own SELECT:
--   `history` (the whole history of six names, the last year's page views for b50, and the
--   two names counted over 90 days) and `month` (every event of the last 30 days, whose
--   time filter PREWHERE applies before the other columns are read). The last quarter in a
--   third aggregate was 0.1 s slower (its join); everything in one aggregate was slower too,
--   as every -If condition is computed on every row of the block; splitting the logins and
--   page views from the rare events was slower (a second full scan).
-- * No join to the per-user aggregates: ClickHouse 26.9 builds the users as the hash table and
--   filters every event row through a runtime filter on user_id; that cost 0.15 s. Instead
--   `flags` is a UNION ALL of the users (with their account) and the two aggregates, each
--   row's flags as bits of one UInt64, and one more aggregate ORs them per user; a user is
--   a row of analytics.users (known = 1), so events of unknown users count for no one.
-- * The sequences are per-user arrays (groupArrayIf) tested with nested arrayExists, exact
--   for any number of signups; b29 reuses b27's activated projects.
-- * maxIfOrNull and minIfOrNull: a user without such events has NULL, not 1970 (what the
--   plain -If combinators return), so the last-time thresholds hold only with events.
-- * Last times stand for counts, as in the DuckDB file; an average above 40 is
--   sum > 40 * count; days and weeks are bits of one day mask, months of one month mask.
-- * A missing account leaves its columns at NULL or their type's default (0, ''), and no
--   condition of the suite on them holds for either.
-- * ntile in the final SELECT over every user: the sum of spend is 0 without purchases, ties
--   by user_id (bytes).
WITH history AS (
  SELECT
    user_id,
    maxIfOrNull(occurred_at, event_name = 'login') AS last_login,
    maxIfOrNull(occurred_at, event_name = 'purchase') AS last_purchase,
    sumIf(amount, event_name = 'purchase' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 365 DAY) AS spend_365d,
    countIf(amount IS NOT NULL AND event_name = 'purchase'
            AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 365 DAY) AS amounts_365d,
    groupArrayIf(occurred_at, event_name = 'signup') AS signups,
    groupArrayIf(occurred_at, event_name = 'project_created') AS projects,
    groupArrayIf(occurred_at, event_name = 'purchase') AS purchases,
    arrayFilter(p -> arrayExists(s -> s < p AND p <= s + INTERVAL 7 DAY, signups), projects) AS activated_at,
    countIf(event_name = 'unsubscribed') > 0 AS unsubscribed,
    COALESCE(last_purchase >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY, false) AS purchase_90d,
    COALESCE(last_purchase >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 30 DAY, false) AS purchase_30d,
    countIf(event_name = 'friend_added' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 60 DAY) >= 3 AS b16,
    COALESCE(spend_365d >= 500, false) AS b21,
    COALESCE(amounts_365d > 0 AND spend_365d > 40 * amounts_365d, false) AS b22,
    COALESCE(maxIfOrNull(amount, event_name = 'purchase') >= 100, false) AS b24,
    COALESCE(minIfOrNull(occurred_at, event_name = 'signup') >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 30 DAY, false) AS b25,
    COALESCE(last_login < toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 60 DAY, false) AS b26,
    notEmpty(activated_at) AS b27,
    arrayExists(p -> arrayExists(s -> s >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY AND s < p AND p <= s + INTERVAL 1 DAY,
                                 signups), projects) AS b28,
    arrayExists(p -> arrayExists(q -> p < q AND q <= p + INTERVAL 30 DAY, purchases), activated_at) AS b29,
    COALESCE(last_login < toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 30 DAY, false) AS b30,
    COALESCE(last_purchase < toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 60 DAY, false) AS b31,
    bitCount(groupBitOrIf(multiIf(occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 1 MONTH, 1,
                                  occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 2 MONTH, 2,
                                  occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 3 MONTH, 4, 0),
                          event_name = 'purchase')) >= 2 AS b34,
    COALESCE(maxIfOrNull(occurred_at, event_name = 'plan_changed' AND plan = 'business')
             >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 180 DAY, false) AS b43,
    COALESCE(last_login >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY
             AND last_login < toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 30 DAY, false) AS b44,
    countIf(event_name = 'project_created' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY) >= 2
      AND countIf(event_name = 'report_exported' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY) = 0 AS b46,
    COALESCE(maxIfOrNull(occurred_at, event_name IN ('login', 'page_viewed'))
             >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 365 DAY, false) AS b50,
    sumIf(amount, event_name = 'purchase') AS spend,
    sumIf(amount, event_name = 'purchase' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY) AS spend_90d
  FROM analytics.events
  WHERE occurred_at < toDateTime64('{as_of}', 6, 'UTC')
    AND (event_name IN ('login', 'signup', 'project_created', 'purchase', 'unsubscribed', 'plan_changed')
         OR event_name = 'page_viewed' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 365 DAY
         OR event_name IN ('friend_added', 'report_exported') AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY)
  GROUP BY user_id
), month AS (
  SELECT
    user_id,
    countIf(event_name = 'login') AS logins,
    countIf(event_name = 'login' AND device IN ('ios', 'android')) AS mobile_logins,
    groupBitOrIf(bitShiftLeft(toUInt64(1), intDiv(toUnixTimestamp64Micro(toDateTime64('{as_of}', 6, 'UTC'))
                 - toUnixTimestamp64Micro(occurred_at) - 1, 86400000000)), event_name = 'login') AS login_days,
    max(occurred_at) >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 7 DAY AS b11,
    logins >= 5 AS b12,
    countIf(event_name = 'page_viewed' AND page = '/pricing'
            AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 14 DAY) >= 3 AS pricing_3x_14d,
    countIf(event_name = 'report_exported') >= 2 AS b14,
    countIf(event_name = 'invite_sent') > 0 AS b15,
    countIf(event_name = 'support_ticket') >= 2 AS b17,
    countIf(event_name = 'email_opened' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 28 DAY) >= 2 AS b18,
    logins > 0 AS login_30d,
    uniqExactIf(page, event_name = 'page_viewed') >= 4 AS b23,
    (bitAnd(login_days, 127) != 0) + (bitAnd(login_days, bitShiftLeft(toUInt64(127), 7)) != 0)
      + (bitAnd(login_days, bitShiftLeft(toUInt64(127), 14)) != 0) + (bitAnd(login_days, bitShiftLeft(toUInt64(127), 21)) != 0) >= 3 AS b32,
    bitCount(login_days) >= 10 AS b33,
    countIf(event_name = 'email_opened' AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 14 DAY) > 0 AS open_14d,
    countIf(event_name = 'page_viewed' AND page = '/pricing'
            AND occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 7 DAY) > 0 AS pricing_7d,
    logins >= 8 AS b38,
    mobile_logins >= 3 AS b41,
    countIf(event_name = 'login' AND device = 'desktop') > 0 AND mobile_logins = 0 AS b42,
    countIf(event_name = 'plan_changed') > 0 AS plan_change_30d
  FROM analytics.events
  WHERE occurred_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 30 DAY
    AND occurred_at < toDateTime64('{as_of}', 6, 'UTC')
  GROUP BY user_id
), flags AS (
  -- one row per user and source: the user's own columns (known = 1), the history, the last
  -- month; each source's flags as bits of one UInt64 (users 0-13, history 16-34, month 40-56)
  SELECT
    u.user_id AS user_id,
    1 AS known,
    toUInt64(COALESCE(u.plan = 'trial' AND u.last_seen_at < toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 14 DAY, false))
    + bitShiftLeft(toUInt64(COALESCE(u.country = 'FR' AND u.age >= 18, false)), 1)
    + bitShiftLeft(toUInt64(COALESCE(u.country IN ('FR', 'DE', 'ES', 'IT', 'NL', 'BE'), false)), 2)
    + bitShiftLeft(toUInt64(COALESCE(u.nps BETWEEN 0 AND 6, false)), 3)
    + bitShiftLeft(toUInt64(u.nps IS NULL), 4)
    + bitShiftLeft(toUInt64(COALESCE(u.lead_source = 'paid_search'
                                     AND u.signup_at >= toDateTime64('{as_of}', 6, 'UTC') - INTERVAL 90 DAY
                                     AND u.signup_at < toDateTime64('{as_of}', 6, 'UTC'), false)), 5)
    + bitShiftLeft(toUInt64(COALESCE(a.employees >= 500, false)), 6)
    + bitShiftLeft(toUInt64(COALESCE(a.industry = 'software' AND a.crm = 'salesforce', false)), 7)
    + bitShiftLeft(toUInt64(COALESCE(u.is_verified AND u.plan IN ('pro', 'business'), false)), 8)
    + bitShiftLeft(toUInt64(COALESCE(position(u.email, '@') > 0 AND NOT endsWith(u.email, '@gmail.com'), false)), 9)
    + bitShiftLeft(toUInt64(COALESCE(lowerUTF8(u.country) = 'us' AND u.age > 30, false)), 10)
    + bitShiftLeft(toUInt64(COALESCE(match(u.email, '^(qa|test)[0-9]*@'), false)), 11)
    + bitShiftLeft(toUInt64(COALESCE(a.employees >= 50, false)), 12)
    + bitShiftLeft(toUInt64(COALESCE(u.plan IN ('pro', 'business'), false)), 13) AS bits,
    0 AS spend,
    0 AS spend_90d
  FROM analytics.users AS u
  LEFT JOIN analytics.accounts AS a ON a.account_id = u.account_id
  UNION ALL
  SELECT
    user_id,
    0,
    bitShiftLeft(toUInt64(unsubscribed), 16) + bitShiftLeft(toUInt64(purchase_90d), 17)
    + bitShiftLeft(toUInt64(purchase_30d), 18) + bitShiftLeft(toUInt64(b16), 19) + bitShiftLeft(toUInt64(b21), 20)
    + bitShiftLeft(toUInt64(b22), 21) + bitShiftLeft(toUInt64(b24), 22) + bitShiftLeft(toUInt64(b25), 23)
    + bitShiftLeft(toUInt64(b26), 24) + bitShiftLeft(toUInt64(b27), 25) + bitShiftLeft(toUInt64(b28), 26)
    + bitShiftLeft(toUInt64(b29), 27) + bitShiftLeft(toUInt64(b30), 28) + bitShiftLeft(toUInt64(b31), 29)
    + bitShiftLeft(toUInt64(b34), 30) + bitShiftLeft(toUInt64(b43), 31) + bitShiftLeft(toUInt64(b44), 32)
    + bitShiftLeft(toUInt64(b46), 33) + bitShiftLeft(toUInt64(b50), 34),
    COALESCE(spend, 0),
    COALESCE(spend_90d, 0)
  FROM history
  UNION ALL
  SELECT
    user_id,
    0,
    bitShiftLeft(toUInt64(b11), 40) + bitShiftLeft(toUInt64(b12), 41) + bitShiftLeft(toUInt64(pricing_3x_14d), 42)
    + bitShiftLeft(toUInt64(b14), 43) + bitShiftLeft(toUInt64(b15), 44) + bitShiftLeft(toUInt64(b17), 45)
    + bitShiftLeft(toUInt64(b18), 46) + bitShiftLeft(toUInt64(login_30d), 47) + bitShiftLeft(toUInt64(b23), 48)
    + bitShiftLeft(toUInt64(b32), 49) + bitShiftLeft(toUInt64(b33), 50) + bitShiftLeft(toUInt64(open_14d), 51)
    + bitShiftLeft(toUInt64(pricing_7d), 52) + bitShiftLeft(toUInt64(b38), 53) + bitShiftLeft(toUInt64(b41), 54)
    + bitShiftLeft(toUInt64(b42), 55) + bitShiftLeft(toUInt64(plan_change_30d), 56),
    0,
    0
  FROM month
), per_user AS (
  SELECT user_id, groupBitOr(bits) AS f, sum(spend) AS spend, sum(spend_90d) AS spend_90d
  FROM flags
  GROUP BY user_id
  HAVING max(known) = 1
)
SELECT
  assumeNotNull(user_id) AS user_id,
  bitTest(f, 0) AS b01_trial_idle,
  bitTest(f, 1) AS b02_french_adults,
  bitTest(f, 2) AS b03_europe,
  bitTest(f, 3) AS b04_detractors,
  bitTest(f, 4) AS b05_no_nps,
  bitTest(f, 5) AS b06_paid_search,
  bitTest(f, 6) AS b07_big_companies,
  bitTest(f, 7) AS b08_software_salesforce,
  bitTest(f, 8) AS b09_verified_payers,
  bitTest(f, 9) AS b10_company_mail,
  bitTest(f, 40) AS b11_active_7d,
  bitTest(f, 41) AS b12_logins_5x_30d,
  bitTest(f, 42) AND NOT bitTest(f, 17) AS b13_pricing_lurkers,
  bitTest(f, 43) AS b14_exporters,
  bitTest(f, 44) AS b15_inviters,
  bitTest(f, 19) AS b16_social,
  bitTest(f, 45) AS b17_support_heavy,
  bitTest(f, 46) AS b18_openers,
  bitTest(f, 16) AS b19_unsubscribed,
  NOT bitTest(f, 47) AS b20_no_login_30d,
  bitTest(f, 20) AS b21_big_spenders,
  bitTest(f, 21) AS b22_avg_basket,
  bitTest(f, 48) AS b23_many_pages,
  bitTest(f, 22) AS b24_max_purchase,
  bitTest(f, 23) AS b25_new_users,
  bitTest(f, 24) AS b26_dormant,
  bitTest(f, 25) AS b27_activated,
  bitTest(f, 26) AS b28_activated_recently,
  bitTest(f, 27) AS b29_converted,
  bitTest(f, 28) AS b30_lapsed,
  bitTest(f, 29) AS b31_lapsed_payers,
  bitTest(f, 49) AS b32_weekly_regulars,
  bitTest(f, 50) AS b33_daily_habit,
  bitTest(f, 30) AS b34_monthly_buyers,
  10 * bitTest(f, 51) + 20 * bitTest(f, 52) + 30 * bitTest(f, 12) - 15 * bitTest(f, 16) >= 40 AS b35_hot_leads,
  ntile(10) OVER (ORDER BY spend, user_id) = 10 AS b36_top_spenders,
  ntile(5) OVER (ORDER BY spend_90d, user_id) >= 4 AS b37_recent_value,
  bitTest(f, 53) AS b38_engaged,
  bitTest(f, 53) AND bitTest(f, 8) AS b39_engaged_payers,
  bitTest(f, 8) AND NOT bitTest(f, 47) AS b40_at_risk,
  bitTest(f, 54) AS b41_mobile_users,
  bitTest(f, 55) AS b42_desktop_only,
  bitTest(f, 31) AS b43_upgraders,
  bitTest(f, 32) AS b44_last_quarter_not_this_month,
  bitTest(f, 18) OR bitTest(f, 56) AS b45_purchase_or_renewal,
  bitTest(f, 33) AS b46_projects_no_reports,
  bitTest(f, 10) AS b47_raw_sql,
  bitTest(f, 11) AS b48_regex_qa,
  bitTest(f, 28) AND bitTest(f, 13) AS b49_churn_risk,
  bitTest(f, 34) AS b50_everyone_active
FROM per_user
