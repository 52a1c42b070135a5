-- Last login (before as_of) more than 60 days ago; never logged in is not dormant.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login' AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING max(occurred_at) < TIMESTAMP '{as_of}' - INTERVAL 60 DAY
) AS l ON l.user_id = u.user_id
