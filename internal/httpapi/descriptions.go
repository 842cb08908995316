package httpapi

// Operation descriptions for the OpenAPI document: what a newcomer needs to
// know about each endpoint.
const (
	registerDoc = `Creates an active account and logs it in: the answer holds the user and
a token pair. The username is unique without regard to case; the email is
stored lower-cased and unique. Fields other than username, email and
password are refused, so no one can register themselves into a state.
One client IP may register AUTHD_REGISTER_IP_MAX accounts an hour; past
that, 429 RATE_LIMITED with Retry-After.`

	loginDoc = `Checks a password and issues a token pair. Send JSON with username (or
email) and password, or the form-encoded OAuth2 password grant that the
Authorize button of this page uses. An unknown user and a wrong password
get the same 401; 403 USER_INACTIVE comes only after a right password.
Repeated failures are throttled (by account and client IP, by account, by
client IP): a refused attempt is answered 429 RATE_LIMITED with Retry-After
in whole seconds, the same whether or not the account exists, and no
password is checked, even a right one.

This is also the OAuth2 token endpoint for client libraries: the form
grant_type=refresh_token&refresh_token=… (RFC 6749 §6) answers exactly as
POST /auth/refresh does. Errors of form requests follow RFC 6749 §5.2: they
add the member "error" (invalid_request, invalid_grant or
unsupported_grant_type) beside the usual fields, and a refused grant (wrong
credentials, a bad refresh token, an inactive or unverified user) is 400
invalid_grant with the same error_code as JSON gets; 429 stays 429.
Parameters a form does not use (resource, audience, …) are ignored; JSON
bodies stay strict. A form POST a browser sends from another site
(Sec-Fetch-Site: cross-site, or an Origin that is neither authd's own nor
listed in AUTHD_CORS_ALLOWED_ORIGINS) is 403 FORBIDDEN.

expires_in is the access token's exp minus the time of the answer, in whole
seconds rounded down: never more than the token lives.`

	revokeDoc = `RFC 7009 token revocation. Send the form token=… (and optionally
token_type_hint=refresh_token or access_token). A refresh token or an access
token ends its whole session: its refresh token and its access tokens stop
working at authd's endpoints at once. The answer is 200 with an empty body
whatever the token was (unknown, invalid, expired or already revoked), so it
tells nothing about the token. A missing token is 400 with "error":
"invalid_request". Cross-site browser form posts are refused as at the token
endpoint (403 FORBIDDEN).`

	metadataDoc = `OAuth2 authorization server metadata (RFC 8414), which client libraries
discover authd by: the token endpoint (POST /auth/login, password and refresh
grants), the revocation endpoint and the JWK Set. URLs start with
AUTHD_PUBLIC_URL, or, when it is not set, with the request's scheme and host
(X-Forwarded-Proto and X-Forwarded-Host are believed only from
AUTHD_TRUSTED_PROXIES). issuer is AUTHD_JWT_ISSUER: set it to authd's public
URL for clients that check it against the discovery URL.`

	refreshDoc = `Exchanges a refresh token for a new access and refresh token: the session
rotates, and the presented refresh token is spent. Presented again within
the reuse grace (10 s by default) while its successor is unspent, it gets
the same new refresh token again, so parallel tabs converge on one token;
presented again later, it ends the whole session (401 REFRESH_TOKEN_REUSED).
A session lives until its newest refresh token expires, and never longer
than its maximum age (401 TOKEN_EXPIRED); an ended session answers 401
SESSION_REVOKED. An access token is not accepted here, and a refresh token
is not accepted as a bearer token.`

	meDoc = `Returns the user an access token belongs to. Send it as
` + "`Authorization: Bearer <access_token>`" + `; a missing, expired or tampered token,
or a refresh token, answers 401, and a token whose session has ended
answers 401 SESSION_REVOKED. Every 401 of an operation that takes a bearer
token carries WWW-Authenticate: Bearer (RFC 6750), with
error="invalid_token" when a token was sent and refused.`

	logoutDoc = `Ends sessions. With a bearer access token, the optional body's scope says
which: current (the default) ends the token's session, others every other
session of the user, all every one. Without a bearer token, send
{"refresh_token": "..."} to end that token's session. Logging out of a
session that has already ended is a success too; a forged, malformed or
expired token is 401. The ended session's tokens stop working at authd's
endpoints at once; a service that checks access tokens offline sees the
logout when the access token expires.`

	sessionsDoc = `Lists the caller's live sessions, newest first: id (the sid claim of
the session's access tokens), when it was opened, last refreshed and will
expire, the client IP and User-Agent at login, and which one is the
caller's own (current).`

	endSessionDoc = `Ends one of the caller's live sessions (the caller's own included). An id
that is not a live session of the caller (another user's, an unknown one,
or one that could not be an id at all, whatever its length or characters)
is 404 SESSION_NOT_FOUND.`

	forgotDoc = `Queues a password-reset mail (a link and a 6-digit code) for the account
that username or email names. The answer is 202 with the same body, at about
the same time, whether or not an account matches, is active, or has reached
its hourly mail limit: it tells nothing about which accounts exist. Text that
cannot name an account is 400. More than AUTHD_MAIL_IP_MAX requests from one
client IP in an hour: 429. Mail off: 501 NOT_CONFIGURED.`

	resetDoc = `Sets a new password with the token of a reset link, or the email and
6-digit code of the mail. Every session of the user ends, every outstanding
reset code is spent, the address counts as verified, the account's throttle
failures are cleared, and a password_changed notice is queued. A bad, spent
or expired token or code is 401 INVALID_CODE; a code allows 5 tries.`

	verifyDoc = `Verifies an address with the token of a verification link, or the email
and 6-digit code of the mail; no bearer needed. For an address change it
makes the new address the account's (409 if it was taken meanwhile). A bad,
spent or expired token or code is 401 INVALID_CODE.`

	resendDoc = `Queues the verification mail of the caller's address again (202);
nothing is sent when it is verified already.`

	changeEmailDoc = `Starts an address change: a verify_email mail goes to new_email and an
email_change_notice to the current address. The address changes only when
the new one is verified. A wrong password is 401 INVALID_CREDENTIALS, counted
by throttling; a taken address 409 USER_ALREADY_EXISTS.`

	passwordDoc = `Changes the password. current_password must be right (else 401
INVALID_CREDENTIALS); new_password follows the register rules (400). Every
other session of the user ends; the calling session stays. A wrong
current_password counts as a failed login of the account, and while the
account and client IP are throttled the answer is 429 RATE_LIMITED with
Retry-After, before any password is checked.`

	enrolTOTPDoc = `Starts TOTP enrolment (RFC 6238: SHA1, 6 digits, 30 s) after checking the
password: the secret, and an otpauth:// URL for a QR code. Two-factor is
not on until POST /auth/mfa/totp/confirm; a new call replaces a pending
secret. Already on: 409 MFA_ALREADY_ENABLED. A deployment without a data
key answers 501 NOT_CONFIGURED.`

	confirmTOTPDoc = `Turns two-factor on with a first code from the app, and answers ten
recovery codes, shown this once. Every other session of the user ends. A
wrong or reused code is 401 INVALID_CODE.`

	disableTOTPDoc = `Turns two-factor off with a TOTP code or a recovery code; the recovery
codes are gone too. A wrong code is 401 INVALID_CODE.`

	recoveryCodesDoc = `Ten new recovery codes for a TOTP code or a recovery code; the old ones
stop working.`

	loginMFADoc = `The second step of a login that answered 401 MFA_REQUIRED: its mfa_token
(5 minutes) and a TOTP code or a recovery code. Answers as a login does.
A wrong code is 401 INVALID_CODE and counts as a failed login; five spend
the mfa_token (then 401 INVALID_TOKEN: log in again). A TOTP code works
once, on any replica; one step of clock skew either way is accepted.`

	jwksDoc = `The JWK Set of every key that verifies authd's access tokens, for services
that check tokens themselves: pick the key whose kid is the token's kid
header, verify with its alg (never the token's), then check iss, exp and
type "access". Cacheable for 5 minutes. Empty when authd signs with an
HS256 secret, which is never published.`

	healthDoc = `Always 200 while the process runs; status is degraded when a component
check fails. For load balancers, use /health/ready.`

	readyDoc = `200 when the database answers and the circuit breaker is not open,
else 503 NOT_READY naming what is failing.`
)
