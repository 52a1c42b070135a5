-- Did any event in the last 7 days: the distinct users of those events, joined to the
-- users.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT DISTINCT user_id
  FROM analytics.events
  WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS a ON a.user_id = u.user_id
