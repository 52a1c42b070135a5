-- The user's company has at least 500 employees: the users joined to the accounts that
-- do (no account, or an unknown one, is not a member).
SELECT u.user_id
FROM analytics.users AS u
JOIN analytics.accounts AS a ON a.account_id = u.account_id
WHERE a.employees >= 500
