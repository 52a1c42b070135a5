-- French and at least 18: two filters on the users (an unset country or age is not a
-- member).
SELECT user_id
FROM analytics.users
WHERE country = 'FR' AND age >= 18
