-- Average purchase amount above 40 in the last 365 days (compared without dividing:
-- sum > 40 * count of set amounts, exact decimal arithmetic; no purchase, no average).
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'purchase'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING sum(amount) > 40 * count(amount)
) AS p ON p.user_id = u.user_id
