-- Verified, on a paid plan (pro or business): two filters on the users.
SELECT user_id
FROM analytics.users
WHERE is_verified AND plan IN ('pro', 'business')
