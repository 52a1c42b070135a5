-- logins_30d >= 8: at least 8 logins in the last 30 days, counted per user, joined to the
-- users.
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
) AS e ON e.user_id = u.user_id
