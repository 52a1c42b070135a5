-- The user's company is a software company on Salesforce: the users joined to those
-- accounts (no account, or an unknown one, is not a member).
SELECT u.user_id
FROM analytics.users AS u
JOIN analytics.accounts AS a ON a.account_id = u.account_id
WHERE a.industry = 'software' AND a.crm = 'salesforce'
