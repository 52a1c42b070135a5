-- Spent at least 500 in the last 365 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'purchase'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING sum(amount) >= 500
) AS s ON s.user_id = u.user_id
