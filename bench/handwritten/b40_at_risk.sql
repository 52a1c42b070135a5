-- b09_verified_payers and b20_no_login_30d: the verified users on a paid plan without a
-- login in the last 30 days (no events at all included).
SELECT u.user_id
FROM analytics.users AS u
ANTI JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS l ON l.user_id = u.user_id
WHERE u.is_verified AND u.plan IN ('pro', 'business')
