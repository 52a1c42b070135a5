-- Opened at least 2 emails in the last 28 days: counted per user, joined to the users.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'email_opened'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 28 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(*) >= 2
) AS e ON e.user_id = u.user_id
