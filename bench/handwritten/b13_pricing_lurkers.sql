-- Looked at /pricing at least 3 times in the last 14 days, no purchase in 90 days.
WITH recent AS (
  SELECT
    user_id,
    count(*) FILTER (WHERE event_name = 'page_viewed' AND page = '/pricing'
                       AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY) AS pricing_views,
    count(*) FILTER (WHERE event_name = 'purchase') AS purchases
  FROM analytics.events
  WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
    AND event_name IN ('page_viewed', 'purchase')
  GROUP BY user_id
)
SELECT u.user_id
FROM analytics.users AS u
JOIN recent AS r ON r.user_id = u.user_id
WHERE r.pricing_views >= 3 AND r.purchases = 0
