-- Logged in in at least 3 of the last 4 weeks (weeks counted back from as_of: week i is
-- [as_of - (i+1) weeks, as_of - i weeks), so a login exactly a week before as_of is in
-- week 0, hence the microsecond taken off).
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 28 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING count(DISTINCT (epoch_us(TIMESTAMP '{as_of}') - epoch_us(occurred_at) - 1) // 604800000000) >= 3
) AS w ON w.user_id = u.user_id
