-- On a trial and last seen more than 14 days before as_of: two filters on the users
-- (an unset plan or last_seen_at is not a member).
SELECT user_id
FROM analytics.users
WHERE plan = 'trial'
  AND last_seen_at < TIMESTAMP '{as_of}' - INTERVAL 14 DAY
