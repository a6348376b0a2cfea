package social

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"time"

	"usergraph/ent"
	"usergraph/ent/invitecode"
	"usergraph/internal/apperr"
)

// InviteCodesOn reports whether accounts get invite codes: in invite-only mode, or while
// bootstrapping it (force-generate-invite-codes). The invite-code routes exist only then.
func (s *Service) InviteCodesOn() bool {
	return s.cfg.Account.EnableInviteOnly || s.cfg.Account.ForceGenerateInviteCodes
}

// InviteCodes returns the caller's invite codes, oldest first (GET /user/invite-codes). A used
// code names the account that used it. Within user.account-creation.invite-code-availability-
// window of signing up the codes are hidden: 400 InviteCodesHidden{waitTime} (seconds).
func (s *Service) InviteCodes(ctx context.Context) ([]*ent.InviteCode, error) {
	if !s.InviteCodesOn() {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	id, err := s.requireUser(ctx, ScopeInviteCodeRead)
	if err != nil {
		return nil, err
	}
	if wait := id.User.CreatedAt.Add(s.cfg.Account.InviteCodeAvailabilityWindow).Sub(s.now()); wait > 0 {
		return nil, apperr.New(apperr.InviteCodesHidden, map[string]any{"waitTime": int(math.Ceil(wait.Seconds()))})
	}
	return s.codesOf(ctx, id.User.ID)
}

// codesOf returns userID's invite codes, oldest first, with the accounts that used them, and
// loads the caller's relations to those accounts in one batch.
func (s *Service) codesOf(ctx context.Context, userID string) ([]*ent.InviteCode, error) {
	codes, err := s.db.InviteCode.Query().Where(invitecode.SourceID(userID)).
		Order(invitecode.ByCreatedAt(), invitecode.ByID()).WithTarget().All(ctx)
	if err != nil {
		return nil, err
	}
	return codes, prime(ctx, s, codes, func(c *ent.InviteCode) (string, bool) {
		if c.TargetID == nil {
			return "", false
		}
		return *c.TargetID, true
	})
}

var errInvalidInviteCode = apperr.New(apperr.InvalidInviteCode, nil)

// InviteCodeOwner checks that code exists and is unused, and returns its owner: the new
// account's invitedBy. It is only a first check; OnSignUp decides who gets the code. client is
// the sign-up's transaction.
func (s *Service) InviteCodeOwner(ctx context.Context, client *ent.Client, code string) (string, error) {
	ic, err := client.InviteCode.Query().Where(invitecode.Code(code), invitecode.TargetIDIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return "", errInvalidInviteCode
	}
	if err != nil {
		return "", err
	}
	return ic.SourceID, nil
}

// OnSignUp runs in the sign-up transaction (client) once the account userID exists: it spends
// inviteCode, if one was given, and hands the new account its own codes when invite codes are
// on. The code is spent with a conditional update, so of two sign-ups racing for one code
// exactly one wins; the other gets 400 InvalidInviteCode and its account is not created.
func (s *Service) OnSignUp(ctx context.Context, client *ent.Client, userID, inviteCode string) error {
	if inviteCode != "" {
		n, err := client.InviteCode.Update().
			Where(invitecode.Code(inviteCode), invitecode.TargetIDIsNil()).
			SetTargetID(userID).Save(ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return errInvalidInviteCode
		}
	}
	if !s.InviteCodesOn() || s.cfg.Account.InvitesPerPerson <= 0 {
		return nil
	}
	_, err := s.generateCodes(ctx, client, userID, s.cfg.Account.InvitesPerPerson)
	return err
}

// generateCodes gives userID n new invite codes (one INSERT) and returns them.
func (s *Service) generateCodes(ctx context.Context, client *ent.Client, userID string, n int) ([]*ent.InviteCode, error) {
	builders := make([]*ent.InviteCodeCreate, n)
	for i := range builders {
		code, err := newInviteCode(s.now())
		if err != nil {
			return nil, err
		}
		builders[i] = client.InviteCode.Create().SetCode(code).SetSourceID(userID)
	}
	return client.InviteCode.CreateBulk(builders...).Save(ctx)
}

// newInviteCode makes a code in Liquid's form: 4 random letters, 4 random digits and the time
// in milliseconds, e.g. QWER-0425-1723456789012.
func newInviteCode(now time.Time) (string, error) {
	letters := make([]byte, 4)
	for i := range letters {
		n, err := rand.Int(rand.Reader, big.NewInt(26))
		if err != nil {
			return "", err
		}
		letters[i] = byte('A' + n.Int64())
	}
	digits, err := rand.Int(rand.Reader, big.NewInt(10000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d-%d", letters, digits.Int64(), now.UnixMilli()), nil
}
