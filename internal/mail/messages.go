package mail

import (
	"fmt"
	"html"
	"strings"
)

// The wording of every mail the server sends is decided here.
//
// Every subject starts with the code as its first word, as Liquid's do:
// "<code> is your <appName> verification code". Mail clients show it in the
// notification, and tests read the code from it (smtptest.Server.Code).

// VerificationCode is the mail sent to confirm an email address (sign-up or a
// changed address).
func VerificationCode(appName, to, code string) Message {
	appName = displayName(appName)
	return codeMessage(appName, to, code,
		"Enter this code to verify your email address for "+appName+".",
		"If you did not sign up for "+appName+", you can ignore this email.")
}

// LoginCode is the mail sent with a one-time code to finish signing in (the
// email second factor).
func LoginCode(appName, to, code string) Message {
	appName = displayName(appName)
	return codeMessage(appName, to, code,
		"Enter this code to finish signing in to "+appName+".",
		"If you did not try to sign in, someone else may know your password: change it.")
}

// PasswordReset is the mail sent with the code that allows setting a new
// password.
func PasswordReset(appName, to, code string) Message {
	appName = displayName(appName)
	return codeMessage(appName, to, code,
		"Enter this code to reset your "+appName+" password.",
		"If you did not ask to reset your password, you can ignore this email; your password stays unchanged.")
}

const expiry = "The code expires soon; if it has, request a new one."

// displayName is appName, or "usergraph" when it is empty.
func displayName(appName string) string {
	if s := strings.TrimSpace(appName); s != "" {
		return s
	}
	return "usergraph"
}

// codeMessage builds the text and HTML bodies shared by all code mails.
func codeMessage(appName, to, code, purpose, ignore string) Message {
	subject := fmt.Sprintf("%s is your %s verification code", code, appName)

	text := fmt.Sprintf("Your %s verification code is:\n\n    %s\n\n%s\n%s\n\n%s\n",
		appName, code, purpose, expiry, ignore)

	e := html.EscapeString
	htmlBody := fmt.Sprintf(`<!DOCTYPE html>
<html>
<body style="font-family: sans-serif; line-height: 1.5;">
<p>Your %s verification code is:</p>
<p style="font-size: 24px; font-weight: bold; letter-spacing: 4px; font-family: monospace;">%s</p>
<p>%s<br>%s</p>
<p style="color: #666666;">%s</p>
</body>
</html>
`, e(appName), e(code), e(purpose), e(expiry), e(ignore))

	return Message{To: to, Subject: subject, Text: text, HTML: htmlBody}
}
