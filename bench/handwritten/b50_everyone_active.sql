-- Logged in or viewed a page in the last 365 days: the distinct users of those events,
-- joined to the users.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT DISTINCT user_id
  FROM analytics.events
  WHERE event_name IN ('login', 'page_viewed')
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS a ON a.user_id = u.user_id
