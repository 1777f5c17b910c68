package auth

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/folio/folio/internal/folio"
)

// The issuer and audience of Folio's access tokens: a token from elsewhere,
// even one signed by a key we hold, is not ours.
const (
	tokenIssuer   = "folio"
	tokenAudience = "folio-api"
)

// accessClaims are an access token's claims: the registered ones, and the
// session (the refresh-token family) it was issued for, so signing out can
// revoke the session's access tokens too (see Revocations).
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// AccessToken is what a verified access token says.
type AccessToken struct {
	UserID    int64
	SessionID string
	ExpiresAt time.Time
}

// IssueAccessToken signs a token that speaks for userID, in session
// sessionID, until now+ttl.
func (ks *KeySet) IssueAccessToken(userID int64, sessionID string, now time.Time, ttl time.Duration) (string, time.Time, error) {
	// JWT times are whole seconds; say exactly when the token stops working.
	now = now.Truncate(time.Second)
	exp := now.Add(ttl)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   strconv.FormatInt(userID, 10),
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        randomToken(10),
		},
		SessionID: sessionID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = ks.signing
	s, err := t.SignedString(ks.keys[ks.signing])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// errBadToken is the one answer to every bad token: which check failed is
// logged at debug level, never told to the client.
var errBadToken = folio.Errorf(folio.EUnauthenticated, "The access token is not valid or has expired: refresh the session or sign in again.")

// VerifyAccessToken checks a token's signature (EdDSA only, by a key of ours
// named by its kid), issuer, audience, lifetime and session, and returns
// what it says. Whether its session was revoked is for Revocations to say:
// Service.Authenticate asks both.
func (ks *KeySet) VerifyAccessToken(token string, now time.Time) (AccessToken, error) {
	var claims accessClaims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(tokenLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := p.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := ks.keys[kid]
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return key.Public().(ed25519.PublicKey), nil
	})
	if err != nil {
		return AccessToken{}, fmt.Errorf("%w (%v)", errBadToken, err)
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 || claims.SessionID == "" {
		return AccessToken{}, errBadToken
	}
	return AccessToken{UserID: id, SessionID: claims.SessionID, ExpiresAt: claims.ExpiresAt.Time}, nil
}

// tokenLeeway is the clock skew tolerated on a token's times.
const tokenLeeway = 5 * time.Second

// AccessTokenExpiry returns when an access token expires, without checking
// it: call it on a token Authenticate accepted, to end what it opened (a
// live connection) when it runs out.
func AccessTokenExpiry(token string) (time.Time, bool) {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil || claims.ExpiresAt == nil {
		return time.Time{}, false
	}
	return claims.ExpiresAt.Time, true
}
