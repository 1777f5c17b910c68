package cache

import (
	"context"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
)

// Accounts returns s with the user behind each token read through the
// cache, so an authenticated request costs no SQL when its user is warm and
// a role change (which invalidates the user) applies on every instance at
// once. A new account invalidates its handle, which a lookup may have
// cached as missing.
func (c *Store) Accounts(s auth.Store) auth.Store { return accounts{Store: s, c: c} }

type accounts struct {
	auth.Store
	c *Store
}

func (a accounts) UsersByIDs(ctx context.Context, ids []int64) ([]*folio.User, error) {
	return a.c.UsersByIDs(ctx, ids)
}

func (a accounts) CreateUser(ctx context.Context, u folio.NewUser, hash string) (*folio.User, error) {
	out, err := a.Store.CreateUser(ctx, u, hash)
	if err == nil {
		a.c.invalidate(ctx, a.c.userKeys(out)...)
	}
	return out, err
}

// SignUp invalidates a new account's handle, which a lookup may have
// cached as missing.
func (a accounts) SignUp(ctx context.Context, u folio.NewUser, hash string, verify folio.MailToken) (*folio.User, error) {
	out, err := a.Store.SignUp(ctx, u, hash, verify)
	if err == nil && out != nil {
		a.c.invalidate(ctx, a.c.userKeys(out)...)
	}
	return out, err
}

// VerifyEmail invalidates the account it verified, whose rights grow at
// once on every instance.
func (a accounts) VerifyEmail(ctx context.Context, tokenHash []byte) (*folio.User, error) {
	out, err := a.Store.VerifyEmail(ctx, tokenHash)
	if err == nil {
		a.c.invalidate(ctx, a.c.userKeys(out)...)
	}
	return out, err
}
