-- Lead score: email opened (14 days) +10, pricing viewed (7 days) +20, a company of 50+
-- people +30, ever unsubscribed -15; at least 40.
WITH signals AS (
  SELECT
    user_id,
    bool_or(event_name = 'email_opened' AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 14 DAY) AS opened,
    bool_or(event_name = 'page_viewed' AND page = '/pricing'
            AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 7 DAY) AS pricing,
    bool_or(event_name = 'unsubscribed') AS unsubscribed
  FROM analytics.events
  WHERE occurred_at < TIMESTAMP '{as_of}'
    AND event_name IN ('email_opened', 'page_viewed', 'unsubscribed')
  GROUP BY user_id
)
SELECT u.user_id
FROM analytics.users AS u
LEFT JOIN analytics.accounts AS a ON a.account_id = u.account_id
LEFT JOIN signals AS s ON s.user_id = u.user_id
WHERE CASE WHEN s.opened THEN 10 ELSE 0 END
    + CASE WHEN s.pricing THEN 20 ELSE 0 END
    + CASE WHEN a.employees >= 50 THEN 30 ELSE 0 END
    - CASE WHEN s.unsubscribed THEN 15 ELSE 0 END >= 40
