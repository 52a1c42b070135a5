-- Came from paid search and signed up in the last 90 days ([as_of - 90 days, as_of)).
SELECT user_id
FROM analytics.users
WHERE lead_source = 'paid_search'
  AND signup_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
  AND signup_at < TIMESTAMP '{as_of}'
