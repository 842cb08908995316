package httpapi

// Descriptions of the administration operations and the caller's own
// account operations (see descriptions.go for the others).
const (
	deleteMeDoc = `Deletes the caller's account after checking their password (checked and
throttled like a login's: a wrong one is 401 INVALID_CREDENTIALS). The
user, their sessions and everything that references the account go at
once; the username and email are free again; the audit trail keeps the
account's events. The last active admin cannot delete themself: 409
LAST_ADMIN.`

	ownEventsDoc = `The caller's recent security activity: their own audit events (logins,
logouts, password changes, what admins changed), newest first, at most
100.`

	adminListDoc = `Users by id ascending, a page at a time: pass the answer's next_cursor as
cursor for the next page (null on the last). Paging follows ids, so a walk
sees every user once even while users are added. query keeps the users
whose username or email holds it, in any case.`

	adminCreateDoc = `Creates a user, without logging them in (no tokens). Without a password
the account cannot log in until its password is set (PUT
/admin/users/{id}/password) or reset. send_reset queues a reset mail: 501
NOT_CONFIGURED while mail is not configured.`

	adminGetDoc = `One user, with how many live sessions they have.`

	adminUpdateDoc = `Changes the fields present in the body. is_active false ends every
session of the user at once. roles replaces the user's roles: a role taken
away stops working at authd's endpoints at once, and other services see it
in the user's next access token. Taking admin from the last active admin
(roles without it, or is_active false) is 409 LAST_ADMIN; a taken username
or email is 409 USER_ALREADY_EXISTS.`

	adminDeleteDoc = `Deletes the user, their sessions and everything that references the
account; the username and email are free again; the audit trail keeps the
account's events. The last active admin cannot be deleted: 409 LAST_ADMIN.`

	adminLogoutDoc = `Ends every session of the user at once, without deactivating them.`

	adminPasswordDoc = `Sets the user's password (the register rules apply) and ends every session
of theirs.`

	adminResetDoc = `Queues a password-reset mail to the user: 501 NOT_CONFIGURED while mail is
not configured.`

	adminMFADoc = `Turns the user's two-factor login off, for a lost device: 501
NOT_CONFIGURED while two-factor login is not available.`

	adminSessionsDoc = `The user's live sessions, newest first, as GET /auth/sessions shows them
without current.`

	adminAuditDoc = `The audit trail, newest first, a page at a time (next_cursor, as for the
user list): every security event with who acted (actor_id: an admin's id,
"cli" for an operator command, null for the user themself), on whose
account, from which IP and user agent, and the request id. Filter with
user_id and action. Events are kept for AUTHD_AUDIT_RETENTION.`
)
