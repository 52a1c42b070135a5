-- b38_engaged and b09_verified_payers: the verified users on a paid plan with at least 8
-- logins in the last 30 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(*) >= 8
) AS l ON l.user_id = u.user_id
WHERE u.is_verified AND u.plan IN ('pro', 'business')
