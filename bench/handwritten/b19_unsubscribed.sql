-- Ever unsubscribed (before as_of): the distinct users of those events, joined to the
-- users.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT DISTINCT user_id
  FROM analytics.events
  WHERE event_name = 'unsubscribed' AND occurred_at < TIMESTAMP '{as_of}'
) AS a ON a.user_id = u.user_id
