-- Added at least 3 friends in the last 60 days: counted per user, joined to the users.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'friend_added'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 60 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(*) >= 3
) AS e ON e.user_id = u.user_id
