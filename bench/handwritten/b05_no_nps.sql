-- Never answered the NPS survey: nps is NULL.
SELECT user_id
FROM analytics.users
WHERE nps IS NULL
