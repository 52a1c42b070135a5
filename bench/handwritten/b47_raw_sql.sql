-- The segment's own SQL: country "us" in any case, older than 30.
SELECT user_id
FROM analytics.users
WHERE lower(country) = 'us' AND age > 30
