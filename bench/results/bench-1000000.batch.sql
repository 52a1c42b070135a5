WITH events_per_user AS (
  SELECT
    ev.user_id AS user_id,
    COUNT(*) FILTER (WHERE ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '7' DAY)) AS any_event_7d,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS login_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'page_viewed' AND ev.page = '/pricing' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '14' DAY)) AS page_viewed_14d_filtered,
    COUNT(*) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY)) AS purchase_90d,
    COUNT(*) FILTER (WHERE ev.event_name = 'report_exported' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS report_exported_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'invite_sent' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS invite_sent_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'friend_added' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '60' DAY)) AS friend_added_60d,
    COUNT(*) FILTER (WHERE ev.event_name = 'support_ticket' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS support_ticket_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'email_opened' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '28' DAY)) AS email_opened_28d,
    COUNT(*) FILTER (WHERE ev.event_name = 'unsubscribed') AS unsubscribed,
    SUM(ev.amount) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '365' DAY)) AS purchase_amount_sum_365d,
    COUNT(*) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '365' DAY) AND ev.amount IS NOT NULL) AS purchase_amount_avg_365d_seen,
    MAX(ev.amount) FILTER (WHERE ev.event_name = 'purchase') AS purchase_amount_max,
    MIN(ev.occurred_at) FILTER (WHERE ev.event_name = 'signup') AS signup_first_at,
    MAX(ev.occurred_at) FILTER (WHERE ev.event_name = 'login') AS login_last_at,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS login_before_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '60' DAY)) AS purchase_before_60d,
    COUNT(*) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '60' DAY)) AS purchase_60d,
    bit_count(BIT_OR(CAST(1 AS BIGINT) << LEAST(((epoch_us(TIMESTAMP '2026-01-01 00:00:00') - epoch_us(ev.occurred_at)) - 1) // 604800000000, 62)) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '28' DAY))) AS login_active_weeks_4w,
    bit_count(BIT_OR(CAST(1 AS BIGINT) << LEAST(((epoch_us(TIMESTAMP '2026-01-01 00:00:00') - epoch_us(ev.occurred_at)) - 1) // 86400000000, 62)) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY))) AS login_active_days_30d,
    bit_count(BIT_OR(CAST(1 AS BIGINT) << LEAST(CASE WHEN ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '1' MONTH) THEN 0 WHEN ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '2' MONTH) THEN 1 WHEN ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '3' MONTH) THEN 2 END, 62)) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '3' MONTH))) AS purchase_active_months_3mo,
    COUNT(*) FILTER (WHERE ev.event_name = 'email_opened' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '14' DAY)) AS email_opened_14d,
    COUNT(*) FILTER (WHERE ev.event_name = 'page_viewed' AND ev.page = '/pricing' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '7' DAY)) AS page_viewed_7d_filtered,
    SUM(ev.amount) FILTER (WHERE ev.event_name = 'purchase') AS purchase_amount_sum,
    SUM(ev.amount) FILTER (WHERE ev.event_name = 'purchase' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY)) AS purchase_amount_sum_90d,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.device IN ('ios', 'android') AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS login_30d_filtered,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.device = 'desktop' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS login_30d_filtered_2,
    COUNT(*) FILTER (WHERE ev.event_name = 'plan_changed' AND ev.plan = 'business' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '180' DAY)) AS plan_changed_180d_filtered,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY) AND ev.occurred_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS login_window,
    COUNT(*) FILTER (WHERE ev.event_name IN ('purchase', 'plan_changed') AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY)) AS purchase_etc_30d,
    COUNT(*) FILTER (WHERE ev.event_name = 'project_created' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY)) AS project_created_90d,
    COUNT(*) FILTER (WHERE ev.event_name = 'report_exported' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY)) AS report_exported_90d,
    COUNT(*) FILTER (WHERE ev.event_name = 'login' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '365' DAY)) AS login_365d,
    COUNT(*) FILTER (WHERE ev.event_name = 'page_viewed' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '365' DAY)) AS page_viewed_365d
  FROM
    analytics.events AS ev
  WHERE
    ev.occurred_at < TIMESTAMP '2026-01-01 00:00:00'
  GROUP BY
    ev.user_id
), events_distinct_per_user AS (
  SELECT
    ev.user_id AS user_id,
    COUNT(DISTINCT ev.page) AS page_viewed_distinct_page_30d
  FROM
    analytics.events AS ev
  WHERE
    ev.occurred_at < TIMESTAMP '2026-01-01 00:00:00' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY) AND ev.event_name = 'page_viewed'
  GROUP BY
    ev.user_id
), sequences_steps AS (
  SELECT
    ev.user_id AS k,
    ev.occurred_at AS t,
    MAX(CASE WHEN ev.event_name = 'signup' THEN 1 ELSE 0 END) AS signup_then_project_created_s1,
    MAX(CASE WHEN ev.event_name = 'project_created' THEN 1 ELSE 0 END) AS signup_then_project_created_s2,
    MAX(CASE WHEN ev.event_name = 'signup' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY) THEN 1 ELSE 0 END) AS signup_then_project_created_2_s1,
    MAX(CASE WHEN ev.event_name = 'project_created' AND ev.occurred_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY) THEN 1 ELSE 0 END) AS signup_then_project_created_2_s2,
    MAX(CASE WHEN ev.event_name = 'purchase' THEN 1 ELSE 0 END) AS signup_then_purchase_s3
  FROM
    analytics.events AS ev
  WHERE
    ev.occurred_at < TIMESTAMP '2026-01-01 00:00:00' AND ev.event_name IN ('signup', 'project_created', 'purchase')
  GROUP BY
    ev.user_id, ev.occurred_at
), sequences_step2 AS (
  SELECT
    k,
    t,
    signup_then_project_created_s2,
    signup_then_project_created_2_s2,
    signup_then_purchase_s3,
    MAX(CASE WHEN signup_then_project_created_s1 = 1 THEN t END) OVER (
      PARTITION BY k
      ORDER BY t ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS signup_then_project_created_prev1,
    MAX(CASE WHEN signup_then_project_created_2_s1 = 1 THEN t END) OVER (
      PARTITION BY k
      ORDER BY t ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS signup_then_project_created_2_prev1
  FROM
    sequences_steps
), sequences_step3 AS (
  SELECT
    k,
    t,
    signup_then_project_created_s2,
    signup_then_project_created_prev1,
    signup_then_project_created_2_s2,
    signup_then_project_created_2_prev1,
    signup_then_purchase_s3,
    MAX(CASE WHEN signup_then_project_created_s2 = 1 AND signup_then_project_created_prev1 IS NOT NULL AND t <= (signup_then_project_created_prev1 + INTERVAL '7' DAY) THEN t END) OVER (
      PARTITION BY k
      ORDER BY t ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS signup_then_purchase_prev2
  FROM
    sequences_step2
), sequences AS (
  SELECT
    k AS user_id,
    MAX(CASE WHEN signup_then_project_created_s2 = 1 AND signup_then_project_created_prev1 IS NOT NULL AND t <= (signup_then_project_created_prev1 + INTERVAL '7' DAY) THEN 1 ELSE 0 END) AS signup_then_project_created,
    MAX(CASE WHEN signup_then_project_created_2_s2 = 1 AND signup_then_project_created_2_prev1 IS NOT NULL AND t <= (signup_then_project_created_2_prev1 + INTERVAL '1' DAY) THEN 1 ELSE 0 END) AS signup_then_project_created_2,
    MAX(CASE WHEN signup_then_purchase_s3 = 1 AND signup_then_purchase_prev2 IS NOT NULL AND t <= (signup_then_purchase_prev2 + INTERVAL '30' DAY) THEN 1 ELSE 0 END) AS signup_then_purchase
  FROM
    sequences_step3
  GROUP BY
    k
), ntile_10 AS (
  SELECT
    u.user_id AS user_id,
    NTILE(10) OVER (
      ORDER BY COALESCE(events_per_user.purchase_amount_sum, 0) ASC NULLS FIRST, u.user_id ASC
    ) AS bucket
  FROM
    analytics.users AS u
    LEFT JOIN events_per_user ON events_per_user.user_id = u.user_id
), ntile_5 AS (
  SELECT
    u.user_id AS user_id,
    NTILE(5) OVER (
      ORDER BY COALESCE(events_per_user.purchase_amount_sum_90d, 0) ASC NULLS FIRST, u.user_id ASC
    ) AS bucket
  FROM
    analytics.users AS u
    LEFT JOIN events_per_user ON events_per_user.user_id = u.user_id
)
SELECT
  u.user_id AS user_id,
  COALESCE(u.plan = 'trial' AND u.last_seen_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '14' DAY), FALSE) AS b01_trial_idle,
  COALESCE(u.country = 'FR' AND u.age >= 18, FALSE) AS b02_french_adults,
  COALESCE(u.country IN ('FR', 'DE', 'ES', 'IT', 'NL', 'BE'), FALSE) AS b03_europe,
  COALESCE(u.nps >= 0 AND u.nps <= 6, FALSE) AS b04_detractors,
  NOT (u.nps IS NOT NULL) AS b05_no_nps,
  COALESCE(u.lead_source = 'paid_search' AND u.signup_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '90' DAY) AND u.signup_at < TIMESTAMP '2026-01-01 00:00:00', FALSE) AS b06_paid_search,
  COALESCE(company.employees >= 500, FALSE) AS b07_big_companies,
  COALESCE(company.industry = 'software' AND company.crm = 'salesforce', FALSE) AS b08_software_salesforce,
  COALESCE(u.is_verified = TRUE AND u.plan IN ('pro', 'business'), FALSE) AS b09_verified_payers,
  COALESCE(strpos(u.email, '@') > 0 AND NOT (COALESCE(ends_with(u.email, '@gmail.com'), FALSE)), FALSE) AS b10_company_mail,
  COALESCE(events_per_user.any_event_7d, 0) >= 1 AS b11_active_7d,
  COALESCE(events_per_user.login_30d, 0) >= 5 AS b12_logins_5x_30d,
  COALESCE(events_per_user.page_viewed_14d_filtered, 0) >= 3 AND NOT (COALESCE(events_per_user.purchase_90d, 0) >= 1) AS b13_pricing_lurkers,
  COALESCE(events_per_user.report_exported_30d, 0) >= 2 AS b14_exporters,
  COALESCE(events_per_user.invite_sent_30d, 0) >= 1 AS b15_inviters,
  COALESCE(events_per_user.friend_added_60d, 0) >= 3 AS b16_social,
  COALESCE(events_per_user.support_ticket_30d, 0) >= 2 AS b17_support_heavy,
  COALESCE(events_per_user.email_opened_28d, 0) >= 2 AS b18_openers,
  COALESCE(events_per_user.unsubscribed, 0) >= 1 AS b19_unsubscribed,
  NOT (COALESCE(events_per_user.login_30d, 0) >= 1) AS b20_no_login_30d,
  COALESCE(events_per_user.purchase_amount_sum_365d, 0) >= 500 AS b21_big_spenders,
  COALESCE(COALESCE(events_per_user.purchase_amount_avg_365d_seen, 0) > 0 AND events_per_user.purchase_amount_sum_365d > (40 * COALESCE(events_per_user.purchase_amount_avg_365d_seen, 0)), FALSE) AS b22_avg_basket,
  COALESCE(events_distinct_per_user.page_viewed_distinct_page_30d, 0) >= 4 AS b23_many_pages,
  COALESCE(events_per_user.purchase_amount_max >= 100, FALSE) AS b24_max_purchase,
  COALESCE(events_per_user.signup_first_at >= (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '30' DAY) AND events_per_user.signup_first_at < TIMESTAMP '2026-01-01 00:00:00', FALSE) AS b25_new_users,
  COALESCE(events_per_user.login_last_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '60' DAY), FALSE) AS b26_dormant,
  COALESCE(sequences.signup_then_project_created, 0) = 1 AS b27_activated,
  COALESCE(sequences.signup_then_project_created_2, 0) = 1 AS b28_activated_recently,
  COALESCE(sequences.signup_then_purchase, 0) = 1 AS b29_converted,
  COALESCE(events_per_user.login_before_30d, 0) >= 1 AND COALESCE(events_per_user.login_30d, 0) = 0 AS b30_lapsed,
  COALESCE(events_per_user.purchase_before_60d, 0) >= 1 AND COALESCE(events_per_user.purchase_60d, 0) = 0 AS b31_lapsed_payers,
  COALESCE(events_per_user.login_active_weeks_4w, 0) >= 3 AS b32_weekly_regulars,
  COALESCE(events_per_user.login_active_days_30d, 0) >= 10 AS b33_daily_habit,
  COALESCE(events_per_user.purchase_active_months_3mo, 0) >= 2 AS b34_monthly_buyers,
  (((CASE WHEN COALESCE(events_per_user.email_opened_14d, 0) >= 1 THEN 10 ELSE 0 END + CASE WHEN COALESCE(events_per_user.page_viewed_7d_filtered, 0) >= 1 THEN 20 ELSE 0 END) + CASE WHEN company.employees >= 50 THEN 30 ELSE 0 END) + CASE WHEN COALESCE(events_per_user.unsubscribed, 0) >= 1 THEN -15 ELSE 0 END) >= 40 AS b35_hot_leads,
  ntile_10.bucket = 10 AS b36_top_spenders,
  ntile_5.bucket >= 4 AS b37_recent_value,
  COALESCE(events_per_user.login_30d, 0) >= 8 AS b38_engaged,
  COALESCE((COALESCE(events_per_user.login_30d, 0) >= 8) AND (u.is_verified = TRUE AND u.plan IN ('pro', 'business')), FALSE) AS b39_engaged_payers,
  COALESCE((u.is_verified = TRUE AND u.plan IN ('pro', 'business')) AND (NOT (COALESCE(events_per_user.login_30d, 0) >= 1)), FALSE) AS b40_at_risk,
  COALESCE(events_per_user.login_30d_filtered, 0) >= 3 AS b41_mobile_users,
  COALESCE(events_per_user.login_30d_filtered_2, 0) >= 1 AND NOT (COALESCE(events_per_user.login_30d_filtered, 0) >= 1) AS b42_desktop_only,
  COALESCE(events_per_user.plan_changed_180d_filtered, 0) >= 1 AS b43_upgraders,
  COALESCE(events_per_user.login_window, 0) >= 1 AND NOT (COALESCE(events_per_user.login_30d, 0) >= 1) AS b44_last_quarter_not_this_month,
  COALESCE(events_per_user.purchase_etc_30d, 0) >= 1 AS b45_purchase_or_renewal,
  COALESCE(events_per_user.project_created_90d, 0) >= 2 AND NOT (COALESCE(events_per_user.report_exported_90d, 0) >= 1) AS b46_projects_no_reports,
  COALESCE((lower(u.country) = 'us' AND u.age > 30), FALSE) AS b47_raw_sql,
  COALESCE(regexp_matches(u.email, '^(qa|test)[0-9]*@'), FALSE) AS b48_regex_qa,
  COALESCE((COALESCE(events_per_user.login_before_30d, 0) >= 1 AND COALESCE(events_per_user.login_30d, 0) = 0) OR (events_per_user.login_last_at < (TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '60' DAY)) AND u.plan IN ('pro', 'business'), FALSE) AS b49_churn_risk,
  COALESCE(events_per_user.login_365d, 0) >= 1 OR COALESCE(events_per_user.page_viewed_365d, 0) >= 1 AS b50_everyone_active
FROM
  analytics.users AS u
  LEFT JOIN analytics.accounts AS company ON company.account_id = u.account_id
  LEFT JOIN events_per_user ON events_per_user.user_id = u.user_id
  LEFT JOIN events_distinct_per_user ON events_distinct_per_user.user_id = u.user_id
  LEFT JOIN sequences ON sequences.user_id = u.user_id
  LEFT JOIN ntile_10 ON ntile_10.user_id = u.user_id
  LEFT JOIN ntile_5 ON ntile_5.user_id = u.user_id