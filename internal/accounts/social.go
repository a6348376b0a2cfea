package accounts

import (
	"context"

	"usergraph/ent"
)

// Social is what the account operations need from the social graph. internal/social implements
// it (it builds on this package, so it is plugged in with SetSocial rather than imported).
type Social interface {
	// ViewerRelation is how the caller relates to userID: Follower, Requester or Stranger
	// (blocked either way counts as a stranger).
	ViewerRelation(ctx context.Context, userID string) (Viewer, error)
	// ViewerBlockedBy reports whether userID has blocked the caller.
	ViewerBlockedBy(ctx context.Context, userID string) (bool, error)
	// SetPrivate makes userID's account private or public; going public approves the pending
	// follow requests and returns how many.
	SetPrivate(ctx context.Context, userID string, private bool) (int, error)
	// InviteCodeOwner checks an invite code is unused and returns who owns it.
	InviteCodeOwner(ctx context.Context, client *ent.Client, code string) (string, error)
	// OnSignUp spends the invite code (if any) and gives the new account its own codes, in the
	// sign-up transaction.
	OnSignUp(ctx context.Context, client *ent.Client, userID, inviteCode string) error
	// ForgetUser removes an account from the graph (adjusting others' counts) before it is
	// deleted, in the caller's transaction.
	ForgetUser(ctx context.Context, client *ent.Client, userID string) error
}

// SetSocial plugs in the social graph.
func (s *Service) SetSocial(soc Social) { s.social = soc }
