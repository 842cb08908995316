package httpapi

// Operation descriptions for the OpenAPI document: what a newcomer needs to
// know about each endpoint.
const (
	registerDoc = `Creates an active account and logs it in: the answer holds the user and
a token pair. The username is unique without regard to case; the email is
stored lower-cased and unique. Fields other than username, email and
password are refused, so no one can register themselves into a state.`

	loginDoc = `Checks a password and issues a token pair. Send JSON with username (or
email) and password, or the form-encoded OAuth2 password grant that the
Authorize button of this page uses. An unknown user and a wrong password
get the same 401; 403 USER_INACTIVE comes only after a right password.

This is also the OAuth2 token endpoint for client libraries: the form
grant_type=refresh_token&refresh_token=… (RFC 6749 §6) answers exactly as
POST /auth/refresh does. Errors of form requests add the RFC 6749 §5.2
member "error": invalid_request, invalid_grant or unsupported_grant_type.`

	refreshDoc = `Exchanges a refresh token for a new access and refresh token. An access
token is not accepted here, and a refresh token is not accepted as a
bearer token.`

	meDoc = `Returns the user an access token belongs to. Send it as
Authorization: Bearer <access_token>; a missing, expired or tampered token,
or a refresh token, answers 401 with WWW-Authenticate: Bearer.`

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
