-- Logged in from the desktop app in the last 30 days, and never from a phone in them.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(*) FILTER (WHERE device = 'desktop') > 0
     AND count(*) FILTER (WHERE device IN ('ios', 'android')) = 0
) AS l ON l.user_id = u.user_id
