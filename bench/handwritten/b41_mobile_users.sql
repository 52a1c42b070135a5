-- Logged in from a phone (ios or android) at least 3 times in the last 30 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND device IN ('ios', 'android')
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(*) >= 3
) AS l ON l.user_id = u.user_id
