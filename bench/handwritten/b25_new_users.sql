-- First signup ever (before as_of) was in the last 30 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'signup' AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING min(occurred_at) >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
) AS s ON s.user_id = u.user_id
