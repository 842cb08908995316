package auth

// The account rules of API.md's Register, exported for the use cases
// beside the core (administration, the operator's commands), so that a
// password or name is held to the same rule wherever it is set.

// AccountFields is a username, email and password to check; an empty
// field is checked only when its Check flag is set.
type AccountFields struct {
	Username, Email, Password                string
	CheckUsername, CheckEmail, CheckPassword bool
	// PasswordField names the password in a refusal ("password").
	PasswordField string
}

// CheckAccount applies the register rules to the fields f asks for and
// returns one VALIDATION_ERROR naming every failure, or nil. The password
// is checked against the username and email given (those of the account
// after the change).
func (d Deps) CheckAccount(f AccountFields) error {
	var errs []FieldError
	if f.CheckUsername {
		if msg := usernameProblem(f.Username); msg != "" {
			errs = append(errs, FieldError{Field: "username", Message: msg})
		}
	}
	if f.CheckEmail {
		if msg := emailProblem(f.Email); msg != "" {
			errs = append(errs, FieldError{Field: "email", Message: msg})
		}
	}
	if f.CheckPassword {
		field := f.PasswordField
		if field == "" {
			field = "password"
		}
		if msg := d.passwordProblem(f.Password, f.Username, f.Email); msg != "" {
			errs = append(errs, FieldError{Field: field, Message: msg})
		}
	}
	if len(errs) > 0 {
		return validationError(errs)
	}
	return nil
}
