-- Logged in before, and not in the last 30 days ("stopped"): the latest login before
-- as_of is older than as_of - 30 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login' AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING max(occurred_at) < TIMESTAMP '{as_of}' - INTERVAL 30 DAY
) AS l ON l.user_id = u.user_id
