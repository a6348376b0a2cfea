package accounts

import (
	"usergraph/internal/apperr"
	"usergraph/internal/metrics"
)

// SetMetrics makes the service count logins and sign-ups in m.
func (s *Service) SetMetrics(m *metrics.Metrics) { s.metrics = m }

// countLogin counts a login step by its outcome.
func (s *Service) countLogin(step string, res *LoginResult, err error) {
	if s.metrics == nil {
		return
	}
	s.metrics.Login(step, loginOutcome(step, res, err))
}

func loginOutcome(step string, res *LoginResult, err error) string {
	if err == nil {
		if res != nil && res.TwoFactorRequired {
			return metrics.LoginTwoFactorRequired
		}
		return metrics.LoginSuccess
	}
	var code apperr.Code
	if e, ok := err.(*apperr.Error); ok {
		code = e.Code
	}
	switch code {
	case apperr.Unauthorized:
		return metrics.LoginRejected
	case apperr.Banned:
		return metrics.LoginBanned
	case apperr.ResourceNotActive:
		return metrics.LoginNotVerified
	case apperr.RateLimitError:
		return metrics.LoginRateLimited
	case apperr.ClientInputError:
		// A wrong or expired 2FA code is answered as a field error (Liquid's shape); counting
		// it as a rejection is what an operator watching for code guessing needs.
		if step == metrics.StepTwoFactor {
			return metrics.LoginRejected
		}
		return metrics.LoginInvalidInput
	}
	return metrics.LoginError
}
