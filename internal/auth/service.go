package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/folio/folio/internal/folio"
)

// Store is what authentication needs of the database. Lookups answer
// ENotFound for what is not there; RotateRefreshToken answers
// EUnauthenticated for a token that is unknown, spent, revoked or expired.
type Store interface {
	UsersByIDs(ctx context.Context, ids []int64) ([]*folio.User, error)
	CreateUser(ctx context.Context, u folio.NewUser, passwordHash string) (*folio.User, error)
	// SignUp creates an unverified account and queues its verification
	// mail; for an email that has an account it creates nothing, queues a
	// notice to the owner and returns nil. A taken handle is ETaken.
	SignUp(ctx context.Context, u folio.NewUser, passwordHash string, verify folio.MailToken) (*folio.User, error)
	// VerifyEmail spends a verification token; EInvalid on "token" when it
	// is unknown, spent or expired.
	VerifyEmail(ctx context.Context, tokenHash []byte) (*folio.User, error)
	// RenewEmailVerification gives an unverified account a new token and
	// mail; false when it is verified already.
	RenewEmailVerification(ctx context.Context, userID int64, verify folio.MailToken) (bool, error)
	Credentials(ctx context.Context, email string) (*folio.User, string, error)

	// A session is a family of refresh tokens: its id is the family's.
	CreateRefreshToken(ctx context.Context, userID int64, hash []byte, expires time.Time) (sessionID string, err error)
	RotateRefreshToken(ctx context.Context, old, newHash []byte, expires time.Time) (userID int64, sessionID string, err error)
	// RevokeRefreshFamily ends the session of a refresh token; revoked is
	// false when the token is unknown or its session had already ended.
	RevokeRefreshFamily(ctx context.Context, hash []byte) (userID int64, sessionID string, revoked bool, err error)
	// RevokeUserSessions ends every live session of a user.
	RevokeUserSessions(ctx context.Context, userID int64) (sessionIDs []string, err error)
	// SessionLive reports whether a session has not been revoked.
	SessionLive(ctx context.Context, sessionID string) (bool, error)

	CreateAPIKey(ctx context.Context, userID int64, name, prefix string, hash []byte) (*folio.APIKey, error)
	APIKeyByPrefix(ctx context.Context, prefix string) (*folio.APIKey, []byte, *folio.User, error)
	TouchAPIKey(ctx context.Context, id int64) error
	RevokeAPIKey(ctx context.Context, userID, id int64) (*folio.APIKey, error)
	APIKeysOfUser(ctx context.Context, userID int64) ([]*folio.APIKey, error)
}

// Default lifetimes.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// Service signs people in and tells who a request speaks for.
type Service struct {
	Store    Store
	Keys     *KeySet
	Throttle *Throttle // nil: sign-in failures are not counted
	// Revocations end a session's access tokens when it is signed out;
	// nil: they work until they expire.
	Revocations *Revocations
	Logger      *slog.Logger
	// AccessTTL and RefreshTTL default to DefaultAccessTTL and DefaultRefreshTTL.
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	Now        func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Session is a signed-in session as handed to the client.
type Session struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	User             *folio.User
}

// refreshPrefix marks refresh tokens, so a leaked one is recognisable (and
// never mistaken for an API key or a JWT).
const refreshPrefix = "folio_rt_"

func (s *Service) accessTTL() time.Duration {
	if s.AccessTTL == 0 {
		return DefaultAccessTTL
	}
	return s.AccessTTL
}

func (s *Service) session(ctx context.Context, u *folio.User, sessionID, refresh string, refreshExp time.Time) (*Session, error) {
	access, exp, err := s.Keys.IssueAccessToken(u.ID, sessionID, s.now(), s.accessTTL())
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, AccessExpiresAt: exp, RefreshToken: refresh, RefreshExpiresAt: refreshExp, User: u}, nil
}

func (s *Service) newRefresh() (token string, exp time.Time) {
	ttl := s.RefreshTTL
	if ttl == 0 {
		ttl = DefaultRefreshTTL
	}
	return refreshPrefix + NewToken(), s.now().Add(ttl).Truncate(time.Microsecond)
}

func (s *Service) startSession(ctx context.Context, u *folio.User) (*Session, error) {
	token, exp := s.newRefresh()
	sid, err := s.Store.CreateRefreshToken(ctx, u.ID, HashToken(token), exp)
	if err != nil {
		return nil, err
	}
	return s.session(ctx, u, sid, token, exp)
}

func rateLimited(what string, wait time.Duration) error {
	return &folio.Error{Code: folio.ERateLimited, RetryAfter: wait,
		Message: fmt.Sprintf("%s: try again in %d seconds.", what, int((wait+time.Second-1)/time.Second))}
}

// VerificationTTL is how long an email verification link works.
const VerificationTTL = folio.EmailVerificationTTL

// SignUp asks for a reader account and returns the address as stored
// (normalized). It answers the same whether or not the email already has
// an account, and costs the same (a password hash either way), so it tells
// nobody which addresses are registered: a new account gets a mailed
// verification link and no session (sign in, or open the link, which
// signs in); the owner of an existing one gets a mail saying someone tried.
// A taken handle is ETaken on "handle" (handles are public). Sign-ups from
// one client address are throttled.
func (s *Service) SignUp(ctx context.Context, in folio.NewUser, clientAddr string) (string, error) {
	if err := in.Normalize(); err != nil {
		return "", err
	}
	if wait := s.Throttle.SignUp(ctx, clientAddr); wait > 0 {
		return "", rateLimited("Too many sign-ups from your address", wait)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return "", err
	}
	verify, err := s.verification()
	if err != nil {
		return "", err
	}
	if _, err := s.Store.SignUp(ctx, in, hash, verify); err != nil {
		return "", err
	}
	return in.Email, nil
}

// verification makes a verification token: what is stored of it.
func (s *Service) verification() (folio.MailToken, error) {
	ref, token, err := s.Keys.MailTokens(PurposeVerifyEmail).New()
	if err != nil {
		return folio.MailToken{}, fmt.Errorf("verification token: %w", err)
	}
	return folio.MailToken{Ref: ref, Hash: HashToken(token), Expires: s.now().Add(VerificationTTL)}, nil
}

// VerifyEmail spends the token of a verification link, marks its account's
// address verified and signs it in; EInvalid on field "token" for a token
// that is unknown, spent or expired.
func (s *Service) VerifyEmail(ctx context.Context, token string) (*Session, error) {
	u, err := s.Store.VerifyEmail(ctx, HashToken(token))
	if err != nil {
		return nil, err
	}
	return s.startSession(ctx, u)
}

// ResendVerification mails v a new verification link, which replaces the
// last one; false when v's address is verified already (nothing is sent).
// Throttled per client address, as sign-ups are.
func (s *Service) ResendVerification(ctx context.Context, v folio.Viewer, clientAddr string) (bool, error) {
	if !v.SignedIn() {
		return false, folio.Errorf(folio.EUnauthenticated, "Sign in to ask for a new verification link.")
	}
	if !v.Unverified {
		return false, nil
	}
	if wait := s.Throttle.SignUp(ctx, clientAddr); wait > 0 {
		return false, rateLimited("Too many verification mails asked from your address", wait)
	}
	verify, err := s.verification()
	if err != nil {
		return false, err
	}
	return s.Store.RenewEmailVerification(ctx, v.UserID, verify)
}

var errCredentials = &folio.Error{Code: folio.ECredentials, Message: "The email or password is incorrect."}

// SignIn checks an email and password. Every failure looks the same and
// takes as long, whether or not the account exists; repeated failures per
// account or per client address are refused for a while (ERateLimited).
func (s *Service) SignIn(ctx context.Context, email, password, clientAddr string) (*Session, error) {
	email, ferr := folio.NormalizeEmail("email", email)
	if ferr != nil {
		return nil, ferr
	}
	if wait := s.Throttle.SignIn(ctx, email, clientAddr); wait > 0 {
		return nil, rateLimited("Too many sign-in attempts", wait)
	}
	u, hash, err := s.Store.Credentials(ctx, email)
	if err != nil && folio.ErrorCode(err) != folio.ENotFound {
		return nil, err
	}
	if !CheckPassword(password, hash) || u == nil {
		return nil, errCredentials
	}
	s.Throttle.Succeeded(ctx, email, clientAddr)
	return s.startSession(ctx, u)
}

// Refresh spends a refresh token and returns a new session in its family.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	if !strings.HasPrefix(token, refreshPrefix) {
		return nil, folio.Errorf(folio.EUnauthenticated, "This refresh token is not valid: sign in again.")
	}
	next, exp := s.newRefresh()
	userID, sid, err := s.Store.RotateRefreshToken(ctx, HashToken(token), HashToken(next), exp)
	if err != nil && sid != "" {
		// A spent token came back: the family is revoked, its access tokens too.
		s.Revocations.Revoke(ctx, userID, []string{sid}, s.accessTTL()+tokenLeeway)
	}
	if err != nil {
		var fe *folio.Error
		if errors.As(err, &fe) && fe.Code == folio.EUnauthenticated {
			s.logger().InfoContext(ctx, "refresh refused", "reason", fe.Message)
		}
		return nil, err
	}
	u, err := s.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.session(ctx, u, sid, next, exp)
}

// SignOut ends the session of a refresh token, or every session of v: their
// refresh tokens stop working, and so, on every instance, do their access
// tokens. Signing out a session that has already ended says so.
func (s *Service) SignOut(ctx context.Context, v folio.Viewer, refreshToken string, everywhere bool) (bool, error) {
	// An access token outlives its session by at most its lifetime.
	keep := s.accessTTL() + tokenLeeway
	switch {
	case everywhere:
		if !v.SignedIn() {
			return false, folio.Errorf(folio.EUnauthenticated, "Sign in to sign out everywhere.")
		}
		sids, err := s.Store.RevokeUserSessions(ctx, v.UserID)
		if err != nil {
			return false, err
		}
		s.Revocations.Revoke(ctx, v.UserID, sids, keep)
		return len(sids) > 0, nil
	case refreshToken != "":
		userID, sid, revoked, err := s.Store.RevokeRefreshFamily(ctx, HashToken(refreshToken))
		if err != nil {
			return false, err
		}
		if !revoked {
			return false, folio.InvalidField("refreshToken", "This session has already ended, or the refresh token is not one of ours: there is nothing to sign out.")
		}
		s.Revocations.Revoke(ctx, userID, []string{sid}, keep)
		return true, nil
	}
	return false, folio.InvalidField("refreshToken", "Pass the session's refresh token, or everywhere: true.")
}

func (s *Service) user(ctx context.Context, id int64) (*folio.User, error) {
	us, err := s.Store.UsersByIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, folio.Errorf(folio.EUnauthenticated, "The account behind these credentials no longer exists.")
	}
	return us[0], nil
}

// API keys read "folio_key_<8 chars>_<52 chars>": the first part, kept in
// clear as the key's prefix, finds it; a hash of the whole key checks it.
const (
	apiKeyPrefix = "folio_key_"
	apiKeyIDLen  = 8
)

// CreateAPIKey makes a key for v and returns it with its secret, which is
// not stored and cannot be shown again.
func (s *Service) CreateAPIKey(ctx context.Context, v folio.Viewer, name string) (*folio.APIKey, string, error) {
	if v.APIKeyID != 0 {
		return nil, "", folio.Errorf(folio.EForbidden, "An API key cannot create API keys: sign in as a person to manage keys.")
	}
	name, err := folio.CheckAPIKeyName(name)
	if err != nil {
		return nil, "", err
	}
	prefix := apiKeyPrefix + randomToken(5)
	secret := prefix + "_" + NewToken()
	k, err := s.Store.CreateAPIKey(ctx, v.UserID, name, prefix, HashToken(secret))
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// RevokeAPIKey revokes one of v's keys.
func (s *Service) RevokeAPIKey(ctx context.Context, v folio.Viewer, id int64) (*folio.APIKey, error) {
	if v.APIKeyID != 0 && v.APIKeyID != id {
		return nil, folio.Errorf(folio.EForbidden, "An API key can revoke only itself: sign in as a person to manage keys.")
	}
	return s.Store.RevokeAPIKey(ctx, v.UserID, id)
}

// APIKeys lists v's keys.
func (s *Service) APIKeys(ctx context.Context, v folio.Viewer) ([]*folio.APIKey, error) {
	return s.Store.APIKeysOfUser(ctx, v.UserID)
}

var errBadKey = folio.Errorf(folio.EUnauthenticated, "The API key is not valid or was revoked.")

func (s *Service) apiKeyViewer(ctx context.Context, key string) (folio.Viewer, error) {
	rest, ok := strings.CutPrefix(key, apiKeyPrefix)
	if !ok || len(rest) < apiKeyIDLen+1 || rest[apiKeyIDLen] != '_' {
		return folio.Viewer{}, errBadKey
	}
	k, hash, u, err := s.Store.APIKeyByPrefix(ctx, key[:len(apiKeyPrefix)+apiKeyIDLen])
	if folio.ErrorCode(err) == folio.ENotFound {
		return folio.Viewer{}, errBadKey
	}
	if err != nil {
		return folio.Viewer{}, err
	}
	if !equalHash(hash, HashToken(key)) || k.RevokedAt != nil {
		return folio.Viewer{}, errBadKey
	}
	// Last use is kept to the minute: most requests of a busy key write nothing.
	if k.LastUsedAt == nil || s.now().Sub(*k.LastUsedAt) >= time.Minute {
		if err := s.Store.TouchAPIKey(ctx, k.ID); err != nil {
			s.logger().WarnContext(ctx, "record api key use", "key_prefix", k.Prefix, "error", err.Error())
		}
	}
	return folio.Viewer{UserID: u.ID, Role: u.Role, APIKeyID: k.ID, Unverified: u.Unverified}, nil
}

// Authenticate returns who r speaks for: the anonymous viewer when it
// carries no credentials, EUnauthenticated when its credentials are bad.
// An access token goes in "Authorization: Bearer"; an API key in
// "X-API-Key" or "Authorization: Bearer".
func (s *Service) Authenticate(r *http.Request) (folio.Viewer, error) {
	ctx := r.Context()
	bearer := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
			return folio.Viewer{}, folio.Errorf(folio.EUnauthenticated, "Send credentials as \"Authorization: Bearer <token>\".")
		}
		bearer = strings.TrimSpace(value)
	}
	key := strings.TrimSpace(r.Header.Get("X-API-Key"))
	switch {
	case bearer != "" && key != "":
		return folio.Viewer{}, folio.Errorf(folio.EUnauthenticated, "Send one credential: an Authorization header or an X-API-Key header, not both.")
	case key != "":
		return s.apiKeyViewer(ctx, key)
	case strings.HasPrefix(bearer, apiKeyPrefix):
		return s.apiKeyViewer(ctx, bearer)
	case bearer != "":
		return s.AccessTokenViewer(ctx, bearer)
	}
	return folio.Viewer{}, nil
}

// AccessTokenViewer returns who an access token speaks for: its signature,
// lifetime and session are checked, and its session must not have been
// signed out. Every transport that takes an access token goes through it.
func (s *Service) AccessTokenViewer(ctx context.Context, token string) (folio.Viewer, error) {
	t, err := s.Keys.VerifyAccessToken(token, s.now())
	if err != nil {
		s.logger().DebugContext(ctx, "access token refused", "reason", err.Error())
		return folio.Viewer{}, errBadToken
	}
	revoked, err := s.Revocations.Revoked(ctx, t)
	if err != nil {
		return folio.Viewer{}, err
	}
	if revoked {
		return folio.Viewer{}, errSignedOut
	}
	u, err := s.user(ctx, t.UserID)
	if err != nil {
		return folio.Viewer{}, err
	}
	return folio.Viewer{UserID: u.ID, Role: u.Role, Unverified: u.Unverified}, nil
}

var errSignedOut = folio.Errorf(folio.EUnauthenticated, "This session was signed out: sign in again.")

// Expiry returns when the credentials of r, which Authenticate accepted,
// run out: an access token's expiry; false for API keys (valid until
// revoked) and for no credentials.
func (s *Service) Expiry(r *http.Request) (time.Time, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" || strings.HasPrefix(token, apiKeyPrefix) {
		return time.Time{}, false
	}
	return AccessTokenExpiry(token)
}
