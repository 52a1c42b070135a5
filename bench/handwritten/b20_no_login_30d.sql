-- No login in the last 30 days: every user but those with a login in the window (users
-- without any events included).
SELECT u.user_id
FROM analytics.users AS u
ANTI JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS l ON l.user_id = u.user_id
