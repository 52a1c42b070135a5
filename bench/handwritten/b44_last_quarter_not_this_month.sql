-- Logged in between 90 and 30 days ago, and not in the last 30 days: the latest login
-- of the last 90 days is more than 30 days old.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING max(occurred_at) < TIMESTAMP '{as_of}' - INTERVAL 30 DAY
) AS l ON l.user_id = u.user_id
