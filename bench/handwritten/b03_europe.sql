-- In one of six European countries: a filter on the users' country.
SELECT user_id
FROM analytics.users
WHERE country IN ('FR', 'DE', 'ES', 'IT', 'NL', 'BE')
