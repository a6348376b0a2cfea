package graph

import (
	"usergraph/graph/model"
	"usergraph/internal/accounts"
	"usergraph/internal/auth"
)

func authPayload(res *accounts.LoginResult, err error) (*model.AuthPayload, error) {
	if err != nil {
		return nil, err
	}
	if res.TwoFactorRequired {
		return &model.AuthPayload{TwoFactorRequired: true, SessionHash: &res.SessionHash, UserID: &res.User.ID}, nil
	}
	p := tokenPayload(res.Tokens)
	p.User = res.User
	return p, nil
}

func tokenPayload(t auth.Tokens) *model.AuthPayload {
	bearer := "Bearer"
	return &model.AuthPayload{AccessToken: &t.AccessToken, RefreshToken: &t.RefreshToken, TokenType: &bearer, ExpiresIn: &t.ExpiresIn}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
