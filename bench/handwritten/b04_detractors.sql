-- An NPS answer from 0 to 6, both included (never answered is not a detractor).
SELECT user_id
FROM analytics.users
WHERE nps BETWEEN 0 AND 6
