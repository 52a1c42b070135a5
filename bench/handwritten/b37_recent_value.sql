-- The top two fifths of all users by purchase amount in the last 90 days, a non-buyer's
-- amount being 0 (ties by key, as SQL's NTILE deals them).
WITH spend AS (
  SELECT user_id, sum(amount) AS spend
  FROM analytics.events
  WHERE event_name = 'purchase'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
), ranked AS (
  SELECT u.user_id, ntile(5) OVER (ORDER BY COALESCE(s.spend, 0), u.user_id) AS bucket
  FROM analytics.users AS u
  LEFT JOIN spend AS s ON s.user_id = u.user_id
)
SELECT user_id FROM ranked WHERE bucket >= 4
