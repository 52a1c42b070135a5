-- The top tenth of all users by lifetime purchase amount (non-buyers first, ties by key,
-- as SQL's NTILE deals them).
WITH spend AS (
  SELECT user_id, sum(amount) AS spend
  FROM analytics.events
  WHERE event_name = 'purchase' AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
), ranked AS (
  SELECT u.user_id, ntile(10) OVER (ORDER BY s.spend ASC NULLS FIRST, u.user_id) AS bucket
  FROM analytics.users AS u
  LEFT JOIN spend AS s ON s.user_id = u.user_id
)
SELECT user_id FROM ranked WHERE bucket = 10
