package rules

// Values a client hands back to the server (mailed codes, the 2FA session hash, invite codes)
// and what it says about itself (its User-Agent): Liquid's bounds. A value of the right form
// may still be refused by what the server holds: that is a Rejected violation.
var (
	// VerificationCode is the code that confirms an email address.
	VerificationCode = length("code", 1, 128, "characters")
	// LoginCode is the code that finishes a two-factor login, and a password-reset code.
	LoginCode   = length("code", 3, 128, "characters")
	SessionHash = length("sessionHash", 3, 128, "characters")
	InviteCode  = length("inviteCode", 1, 128, "characters")
	UserAgent   = Rule{ID: "userAgent", Min: 0, Max: 1024, Message: "must be at most 1024 characters"}
)

// Rejected is the rule id of a value of the right form that the server refuses: a code that
// is wrong, expired or spent, an account that has nothing to verify, a cursor that names no
// record.
const Rejected = "rejected"
