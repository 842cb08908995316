package httpapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/httpapi/docs"
)

// routes registers every operation of authd: the API reads here in one place.
// Each operation lists the error codes of its own work (a store call brings
// DATABASE_ERROR and CIRCUIT_BREAKER_OPEN, bcrypt brings OVERLOADED);
// specJSON adds 500 INTERNAL_ERROR to all, and 400, 408, 413 and 415 to
// every operation that takes a body.
func (s *Server) routes(mux *http.ServeMux) error {
	limit := s.opts.MaxBodyBytes + 1 // huma refuses a body that reaches the limit
	api := s.api

	register(api, huma.Operation{
		OperationID: "register", Method: http.MethodPost, Path: "/auth/register", Tags: []string{"auth"},
		Summary: "Create an account", Description: registerDoc, Security: publicSecurity(),
		DefaultStatus: http.StatusCreated, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeUserExists, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen, auth.CodeOverloaded),
	}, handleRegister(s.svc))

	register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: tokenPath, Tags: []string{"auth"},
		Summary: "Log in with username or email; the OAuth2 token endpoint", Description: loginDoc, MaxBodyBytes: limit, Security: publicSecurity(),
		Responses: s.loginResponses(auth.CodeInvalidCredentials, auth.CodeMFARequired, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeRefreshReused, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeForbidden, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen, auth.CodeOverloaded),
	}, handleLogin(s.svc))

	register(api, huma.Operation{
		OperationID: "refresh", Method: http.MethodPost, Path: "/auth/refresh", Tags: []string{"auth"},
		Summary: "Exchange a refresh token for new tokens", Description: refreshDoc, MaxBodyBytes: limit, Security: publicSecurity(),
		Responses: s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeRefreshReused, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleRefresh(s.svc))

	register(api, huma.Operation{
		OperationID: "me", Method: http.MethodGet, Path: "/auth/me", Tags: []string{"auth"},
		Summary: "The user of an access token", Description: meDoc, Security: bearerSecurity(),
		Responses: s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleMe(s.svc))

	register(api, huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/auth/logout", Tags: []string{"sessions"},
		Summary: "End the current session, the others, or all", Description: logoutDoc, Security: optionalBearerSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleLogout(s.svc))

	register(api, huma.Operation{
		OperationID: "listSessions", Method: http.MethodGet, Path: "/auth/sessions", Tags: []string{"sessions"},
		Summary: "The caller's live sessions", Description: sessionsDoc, Security: bearerSecurity(),
		Responses: s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleSessions(s.svc))

	register(api, huma.Operation{
		OperationID: "endSession", Method: http.MethodDelete, Path: "/auth/sessions/{id}", Tags: []string{"sessions"},
		Summary: "End one of the caller's sessions", Description: endSessionDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Responses:     s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeSessionNotFound, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleEndSession(s.svc))

	register(api, huma.Operation{
		OperationID: "changePassword", Method: http.MethodPost, Path: "/auth/password", Tags: []string{"sessions"},
		Summary: "Change the password; other sessions end", Description: passwordDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCredentials, auth.CodeMFARequired, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeRateLimited, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeOverloaded, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handlePassword(s.svc))

	rec := s.opts.Recovery
	register(api, huma.Operation{
		OperationID: "forgotPassword", Method: http.MethodPost, Path: "/auth/password/forgot", Tags: []string{"recovery"},
		Summary: "Send a password-reset mail", Description: forgotDoc, Security: publicSecurity(),
		DefaultStatus: http.StatusAccepted, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeRateLimited, auth.CodeNotConfigured, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleForgot(rec))

	register(api, huma.Operation{
		OperationID: "resetPassword", Method: http.MethodPost, Path: "/auth/password/reset", Tags: []string{"recovery"},
		Summary: "Set a new password with a reset link's token or code", Description: resetDoc, Security: publicSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeNotConfigured, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeOverloaded, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleReset(rec))

	register(api, huma.Operation{
		OperationID: "verifyEmail", Method: http.MethodPost, Path: "/auth/email/verify", Tags: []string{"recovery"},
		Summary: "Verify an address with a link's token or code", Description: verifyDoc, Security: publicSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeUserExists, auth.CodeNotConfigured, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleVerify(rec))

	register(api, huma.Operation{
		OperationID: "resendVerification", Method: http.MethodPost, Path: "/auth/email/verify/resend", Tags: []string{"recovery"},
		Summary: "Send the verification mail again", Description: resendDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusAccepted,
		Responses:     s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeRateLimited, auth.CodeNotConfigured, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleResend(s.svc, rec))

	register(api, huma.Operation{
		OperationID: "changeEmail", Method: http.MethodPost, Path: "/auth/email", Tags: []string{"recovery"},
		Summary: "Change the address (confirmed from the new one)", Description: changeEmailDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusAccepted, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCredentials, auth.CodeMFARequired, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeUserExists, auth.CodeRateLimited, auth.CodeNotConfigured, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeOverloaded, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleChangeEmail(s.svc, rec))

	m := s.opts.MFA
	register(api, huma.Operation{
		OperationID: "enrolTOTP", Method: http.MethodPost, Path: "/auth/mfa/totp", Tags: []string{"mfa"},
		Summary: "Start TOTP enrolment", Description: enrolTOTPDoc, Security: bearerSecurity(), MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCredentials, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeMFAAlreadyEnabled, auth.CodeRateLimited, auth.CodeNotConfigured, auth.CodeOverloaded, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleEnrolTOTP(s.svc, m))

	register(api, huma.Operation{
		OperationID: "confirmTOTP", Method: http.MethodPost, Path: "/auth/mfa/totp/confirm", Tags: []string{"mfa"},
		Summary: "Finish enrolment, get recovery codes", Description: confirmTOTPDoc, Security: bearerSecurity(), MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeMFAAlreadyEnabled, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleConfirmTOTP(s.svc, m))

	register(api, huma.Operation{
		OperationID: "disableTOTP", Method: http.MethodDelete, Path: "/auth/mfa/totp", Tags: []string{"mfa"},
		Summary: "Turn two-factor off", Description: disableTOTPDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleDisableTOTP(s.svc, m))

	register(api, huma.Operation{
		OperationID: "recoveryCodes", Method: http.MethodPost, Path: "/auth/mfa/recovery-codes", Tags: []string{"mfa"},
		Summary: "New recovery codes", Description: recoveryCodesDoc, Security: bearerSecurity(), MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleRecoveryCodes(s.svc, m))

	register(api, huma.Operation{
		OperationID: "loginMFA", Method: http.MethodPost, Path: "/auth/login/mfa", Tags: []string{"mfa"},
		Summary: "Second step of a login with two-factor", Description: loginMFADoc, Security: publicSecurity(), MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCode, auth.CodeInvalidToken, auth.CodeUserInactive, auth.CodeRateLimited, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleLoginMFA(s.svc, m))

	register(api, huma.Operation{
		OperationID: "deleteMe", Method: http.MethodDelete, Path: "/auth/me", Tags: []string{"sessions"},
		Summary: "Delete one's own account", Description: deleteMeDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: s.errorResponses(auth.CodeValidation, auth.CodeInvalidCredentials, auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeLastAdmin, auth.CodeRateLimited, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeOverloaded, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleDeleteMe(s.svc))

	register(api, huma.Operation{
		OperationID: "ownEvents", Method: http.MethodGet, Path: "/auth/events", Tags: []string{"sessions"},
		Summary: "The caller's recent security events", Description: ownEventsDoc, Security: bearerSecurity(),
		Responses: s.errorResponses(auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleOwnEvents(s.svc))

	// Administration: every handler is built through asAdmin, the one
	// check that the caller holds admin (admin.go).
	adminErrs := func(codes ...auth.Code) map[string]*huma.Response {
		return s.errorResponses(append([]auth.Code{auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked, auth.CodeUserInactive, auth.CodeForbidden, auth.CodeNotConfigured, auth.CodeDatabase, auth.CodeBreakerOpen}, codes...)...)
	}
	register(api, huma.Operation{
		OperationID: "adminListUsers", Method: http.MethodGet, Path: "/admin/users", Tags: []string{"admin"},
		Summary: "Find users", Description: adminListDoc, Security: bearerSecurity(),
		Responses: adminErrs(auth.CodeValidation),
	}, asAdmin(s, handleListUsers))
	register(api, huma.Operation{
		OperationID: "adminCreateUser", Method: http.MethodPost, Path: "/admin/users", Tags: []string{"admin"},
		Summary: "Create a user", Description: adminCreateDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusCreated, MaxBodyBytes: limit,
		Responses: adminErrs(auth.CodeUserExists, auth.CodeOverloaded),
	}, asAdmin(s, handleCreateUser()))
	register(api, huma.Operation{
		OperationID: "adminGetUser", Method: http.MethodGet, Path: "/admin/users/{id}", Tags: []string{"admin"},
		Summary: "Read a user", Description: adminGetDoc, Security: bearerSecurity(),
		Responses: adminErrs(auth.CodeUserNotFound),
	}, asAdmin(s, handleGetUser))
	register(api, huma.Operation{
		OperationID: "adminUpdateUser", Method: http.MethodPatch, Path: "/admin/users/{id}", Tags: []string{"admin"},
		Summary: "Change a user", Description: adminUpdateDoc, Security: bearerSecurity(), MaxBodyBytes: limit,
		Responses: adminErrs(auth.CodeUserNotFound, auth.CodeUserExists, auth.CodeLastAdmin),
	}, asAdmin(s, handleUpdateUser()))
	register(api, huma.Operation{
		OperationID: "adminDeleteUser", Method: http.MethodDelete, Path: "/admin/users/{id}", Tags: []string{"admin"},
		Summary: "Delete a user", Description: adminDeleteDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Responses:     adminErrs(auth.CodeUserNotFound, auth.CodeLastAdmin),
	}, asAdmin(s, userAction((*admin.Service).Delete)))
	register(api, huma.Operation{
		OperationID: "adminLogoutUser", Method: http.MethodPost, Path: "/admin/users/{id}/logout", Tags: []string{"admin"},
		Summary: "End every session of a user", Description: adminLogoutDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Responses:     adminErrs(auth.CodeUserNotFound),
	}, asAdmin(s, userAction((*admin.Service).Logout)))
	register(api, huma.Operation{
		OperationID: "adminSetPassword", Method: http.MethodPut, Path: "/admin/users/{id}/password", Tags: []string{"admin"},
		Summary: "Set a user's password", Description: adminPasswordDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent, MaxBodyBytes: limit,
		Responses: adminErrs(auth.CodeUserNotFound, auth.CodeOverloaded),
	}, asAdmin(s, handleSetPassword()))
	register(api, huma.Operation{
		OperationID: "adminSendReset", Method: http.MethodPost, Path: "/admin/users/{id}/password-reset", Tags: []string{"admin"},
		Summary: "Send a user a password-reset mail", Description: adminResetDoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusAccepted,
		Responses:     adminErrs(auth.CodeUserNotFound),
	}, asAdmin(s, userAction((*admin.Service).SendReset)))
	register(api, huma.Operation{
		OperationID: "adminResetMFA", Method: http.MethodDelete, Path: "/admin/users/{id}/mfa", Tags: []string{"admin"},
		Summary: "Turn a user's two-factor login off", Description: adminMFADoc, Security: bearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Responses:     adminErrs(auth.CodeUserNotFound),
	}, asAdmin(s, userAction((*admin.Service).ResetMFA)))
	register(api, huma.Operation{
		OperationID: "adminUserSessions", Method: http.MethodGet, Path: "/admin/users/{id}/sessions", Tags: []string{"admin"},
		Summary: "A user's live sessions", Description: adminSessionsDoc, Security: bearerSecurity(),
		Responses: adminErrs(auth.CodeUserNotFound),
	}, asAdmin(s, handleUserSessions))
	register(api, huma.Operation{
		OperationID: "adminAudit", Method: http.MethodGet, Path: "/admin/audit", Tags: []string{"admin"},
		Summary: "The audit trail", Description: adminAuditDoc, Security: bearerSecurity(),
		Responses: adminErrs(auth.CodeValidation),
	}, asAdmin(s, handleAudit))

	register(api, huma.Operation{
		OperationID: "revoke", Method: http.MethodPost, Path: revokePath, Tags: []string{"auth"},
		Summary: "Revoke a token (RFC 7009)", Description: revokeDoc, MaxBodyBytes: limit, Security: publicSecurity(),
		DefaultStatus: http.StatusOK, // RFC 7009 §2.2: 200, although the body is empty
		Responses:     s.errorResponses(auth.CodeValidation, auth.CodeForbidden, auth.CodeDatabase, auth.CodeBreakerOpen),
	}, handleRevoke(s.svc))

	register(api, huma.Operation{
		OperationID: "metadata", Method: http.MethodGet, Path: metadataPath, Tags: []string{"keys"},
		Summary: "OAuth2 authorization server metadata (RFC 8414)", Description: metadataDoc, Security: publicSecurity(),
	}, s.handleMetadata())

	register(api, huma.Operation{
		OperationID: "jwks", Method: http.MethodGet, Path: jwksPath, Tags: []string{"keys"},
		Summary: "Public keys that verify access tokens", Description: jwksDoc, Security: publicSecurity(),
	}, handleJWKS(s.opts.JWKS))

	register(api, huma.Operation{
		OperationID: "health", Method: http.MethodGet, Path: "/health", Tags: []string{"health"},
		Summary: "Liveness, with each component's state", Description: healthDoc, Security: publicSecurity(),
	}, handleHealth(s.opts.Version, s.checks))

	register(api, huma.Operation{
		OperationID: "ready", Method: http.MethodGet, Path: "/health/ready", Tags: []string{"health"},
		Summary: "Readiness: the store answers and the breaker is not open", Description: readyDoc, Security: publicSecurity(),
		Responses: s.errorResponses(auth.CodeNotReady),
	}, handleReady(s.checks))

	for path, types := range map[string]map[string]reflect.Type{
		"/auth/register":           {mediaJSON: reflect.TypeFor[RegisterRequest]()},
		tokenPath:                  {mediaJSON: reflect.TypeFor[LoginRequest](), mediaForm: reflect.TypeFor[LoginForm]()},
		"/auth/refresh":            {mediaJSON: reflect.TypeFor[RefreshRequest]()},
		"/auth/logout":             {mediaJSON: reflect.TypeFor[LogoutRequest]()},
		"/auth/password":           {mediaJSON: reflect.TypeFor[PasswordRequest]()},
		"/auth/password/forgot":    {mediaJSON: reflect.TypeFor[ForgotRequest]()},
		"/auth/password/reset":     {mediaJSON: reflect.TypeFor[ResetRequest]()},
		"/auth/email/verify":       {mediaJSON: reflect.TypeFor[VerifyRequest]()},
		"/auth/email":              {mediaJSON: reflect.TypeFor[ChangeEmailRequest]()},
		revokePath:                 {mediaForm: reflect.TypeFor[RevokeForm]()},
		"/auth/mfa/totp":           {mediaJSON: reflect.TypeFor[EnrolRequest]()},
		"/auth/mfa/totp/confirm":   {mediaJSON: reflect.TypeFor[MFACodeRequest]()},
		"/auth/mfa/recovery-codes": {mediaJSON: reflect.TypeFor[MFACodeRequest]()},
		"/auth/login/mfa":          {mediaJSON: reflect.TypeFor[MFALoginRequest]()},
	} {
		if err := s.requestBody(http.MethodPost, path, types); err != nil {
			return err
		}
	}
	for _, b := range []struct {
		method, path string
		body         reflect.Type
	}{
		{http.MethodPost, "/admin/users", reflect.TypeFor[AdminCreateRequest]()},
		{http.MethodPatch, "/admin/users/{id}", reflect.TypeFor[AdminUpdateRequest]()},
		{http.MethodPut, "/admin/users/{id}/password", reflect.TypeFor[AdminPasswordRequest]()},
		{http.MethodDelete, "/auth/me", reflect.TypeFor[DeleteMeRequest]()},
		{http.MethodDelete, "/auth/mfa/totp", reflect.TypeFor[MFACodeRequest]()},
	} {
		if err := s.requestBody(b.method, b.path, map[string]reflect.Type{mediaJSON: b.body}); err != nil {
			return err
		}
	}
	if err := s.documentForms(); err != nil {
		return err
	}
	if err := s.documentExamples(); err != nil {
		return err
	}
	spec, err := s.specJSON()
	if err != nil {
		return err
	}
	mux.Handle("GET /openapi.json", serveSpec(spec))

	mux.Handle("GET /{$}", handleRoot())
	pages := docs.New("/openapi.json")
	mux.Handle("GET /docs", pages.SwaggerUI())
	mux.Handle("GET /docs/assets/", http.StripPrefix("/docs/assets/", pages.SwaggerAssets()))
	mux.Handle("GET /redoc", pages.Redoc())
	mux.Handle("GET /redoc/assets/", http.StripPrefix("/redoc/assets/", pages.RedocAssets()))
	mux.Handle("GET /account/reset-password", accountPage(pageReset))
	mux.Handle("GET /account/verify-email", accountPage(pageVerify))
	mux.Handle("GET /account/assets/", http.StripPrefix("/account/assets/", accountAssets()))
	return nil
}

// register adds an operation whose handler errors all become *auth.Error,
// so huma hands them to transformErrors with their code and cause intact
// (huma would replace any other error with its own 500 and drop the cause).
// The body is already in memory when huma runs (see readBodies), so huma
// must leave the connection's read deadline alone: -1 stops it from setting
// its own 5 s one, which would outlive the body and cancel a slow handler.
func register[I, O any](api huma.API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	op.BodyReadTimeout = -1
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		var tf *tokenFailure
		switch {
		case err == nil:
			return out, nil
		case errors.As(err, &tf):
			return nil, tf // its status is §5.2's (see oauth2Status)
		}
		return nil, auth.AsError(err)
	})
}
