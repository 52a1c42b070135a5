-- Purchased before, and not in the last 60 days ("stopped"): the latest purchase before
-- as_of is older than as_of - 60 days.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'purchase' AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING max(occurred_at) < TIMESTAMP '{as_of}' - INTERVAL 60 DAY
) AS p ON p.user_id = u.user_id
