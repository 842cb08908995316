package auth

// Observer is told the outcomes the Service decides, so they can be counted
// (internal/metrics implements it). It lives here, in the domain, so auth
// knows nothing of Prometheus; the values it receives are the label values
// of API.md's Metrics section and never a username, email, IP or token.
// Its methods are called on the request's goroutine and must not block.
type Observer interface {
	// LoginAttempt counts one decided login attempt (authd_login_attempts_total).
	// Login reports it once, from the error it returns (see loginResult):
	// code inside Login returns its error and never reports a result itself.
	LoginAttempt(result LoginResult)
	// RefreshAttempt counts one decided refresh (authd_refresh_total).
	RefreshAttempt(result RefreshResult)
	// SessionsEnded counts n sessions ended for one reason (authd_sessions_ended_total).
	SessionsEnded(reason EndReason, n int)
	// ThrottleRefusal counts one attempt refused by the throttling policy
	// (authd_throttle_refusals_total).
	ThrottleRefusal(scope ThrottleScope)
	// Mail counts one mail's outcome (authd_mail_sent_total): sent,
	// failed (a delivery to retry), dropped, or suppressed by the
	// per-account limit.
	Mail(kind MailKind, result MailResult)
	// MailQueueDepth is the queue's length as a sender last counted it
	// (authd_mail_queue_depth).
	MailQueueDepth(n int64)
	// MFAAttempt counts one decided second-factor check
	// (authd_mfa_attempts_total).
	MFAAttempt(result MFAResult)
}

// MFAResult is the result label of authd_mfa_attempts_total.
type MFAResult string

// The results of a second-factor check: a TOTP code accepted, a wrong
// code, a TOTP code of a step already used, a recovery code accepted.
const (
	MFASuccess      MFAResult = "success"
	MFAInvalid      MFAResult = "invalid"
	MFAReplayed     MFAResult = "replayed"
	MFARecoveryCode MFAResult = "recovery_code"
)

// MFAResults lists every MFAResult.
func MFAResults() []MFAResult {
	return []MFAResult{MFASuccess, MFAInvalid, MFAReplayed, MFARecoveryCode}
}

// LoginResult is the result label of authd_login_attempts_total.
type LoginResult string

// The login results of API.md.
const (
	LoginSucceeded          LoginResult = "success"
	LoginInvalidCredentials LoginResult = "invalid_credentials"
	LoginInactive           LoginResult = "inactive"
	LoginThrottled          LoginResult = "throttled"
	LoginOverloaded         LoginResult = "overloaded"
	LoginError              LoginResult = "error"
)

// LoginResults lists every LoginResult, so a counter can start each at zero.
func LoginResults() []LoginResult {
	return []LoginResult{LoginSucceeded, LoginInvalidCredentials, LoginInactive, LoginThrottled, LoginOverloaded, LoginError}
}

// RefreshResult is the result label of authd_refresh_total.
type RefreshResult string

// The refresh results of API.md: rotated is a new pair for a current token;
// grace is the same answer for a just-rotated token presented again within
// AUTHD_REFRESH_REUSE_GRACE; reused is a rotated token presented after it.
const (
	RefreshRotated RefreshResult = "rotated"
	RefreshGrace   RefreshResult = "grace"
	RefreshReused  RefreshResult = "reused"
	RefreshExpired RefreshResult = "expired"
	RefreshRevoked RefreshResult = "revoked"
	RefreshInvalid RefreshResult = "invalid"
)

// RefreshResults lists every RefreshResult.
func RefreshResults() []RefreshResult {
	return []RefreshResult{RefreshRotated, RefreshGrace, RefreshReused, RefreshExpired, RefreshRevoked, RefreshInvalid}
}

// EndExpired is the reason label of authd_sessions_ended_total for a
// session that ran out its lifetime. No request ends such a session, so no
// store records it as a reason.
const EndExpired EndReason = "expired"

// EndReasons lists every reason label of authd_sessions_ended_total.
func EndReasons() []EndReason {
	return []EndReason{EndLogout, EndReuse, EndPassword, EndDeactivated, EndExpired, EndCap, EndReset, EndMFA}
}

// ThrottleScope is the scope label of authd_throttle_refusals_total: which
// of API.md's throttling rules refused the attempt.
type ThrottleScope string

// ThrottleScopes lists every ThrottleScope: the Scope* constants of the
// throttling rules.
func ThrottleScopes() []ThrottleScope {
	return []ThrottleScope{ScopePair, ScopeAccount, ScopeIP, ScopeRegister, ScopeMail}
}

// loginResult is the result of a login that returned err. Login reports it
// once, on its way out, so every return path, including ones added later
// (throttling), is counted exactly once. A malformed request (400) decided
// nothing about an account and is not counted; ok is false for it.
func loginResult(err error) (result LoginResult, ok bool) {
	if err == nil {
		return LoginSucceeded, true
	}
	switch AsError(err).Code {
	case CodeValidation, CodeMFARequired:
		// A right password of a user with two-factor on is decided by
		// the second step, which authd_mfa_attempts_total counts.
		return "", false
	case CodeInvalidCredentials:
		return LoginInvalidCredentials, true
	case CodeUserInactive:
		return LoginInactive, true
	case CodeRateLimited:
		return LoginThrottled, true
	case CodeOverloaded:
		return LoginOverloaded, true
	}
	return LoginError, true
}

// nopObserver is the Observer of Deps without one.
type nopObserver struct{}

func (nopObserver) LoginAttempt(LoginResult)      {}
func (nopObserver) MFAAttempt(MFAResult)          {}
func (nopObserver) RefreshAttempt(RefreshResult)  {}
func (nopObserver) SessionsEnded(EndReason, int)  {}
func (nopObserver) ThrottleRefusal(ThrottleScope) {}
func (nopObserver) Mail(MailKind, MailResult)     {}
func (nopObserver) MailQueueDepth(int64)          {}

// refreshFailed reports a refresh that failed before any rule was applied:
// invalid when the token names no session; a database failure says nothing
// about the token and is not counted.
func (s *Service) refreshFailed(err error) {
	if AsError(err).Code == CodeInvalidToken {
		s.deps.Observer.RefreshAttempt(RefreshInvalid)
	}
}
