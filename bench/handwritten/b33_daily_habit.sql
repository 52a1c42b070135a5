-- Logged in on at least 10 of the last 30 days, a day being a 24-hour period ending at
-- as_of (day i is [as_of - (i+1) days, as_of - i days)): one bit per day in a mask.
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING bit_count(bit_or(1::BIGINT << ((epoch_us(TIMESTAMP '{as_of}') - epoch_us(occurred_at) - 1) // 86400000000))) >= 10
) AS d ON d.user_id = u.user_id
