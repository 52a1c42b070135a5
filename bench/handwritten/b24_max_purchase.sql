-- Largest purchase ever (before as_of) at least 100: some purchase of 100 or more.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT DISTINCT user_id
  FROM analytics.events
  WHERE event_name = 'purchase'
    AND amount >= 100
    AND occurred_at < TIMESTAMP '{as_of}'
) AS p ON p.user_id = u.user_id
