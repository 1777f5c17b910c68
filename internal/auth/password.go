package auth

import (
	"fmt"

	"github.com/alexedwards/argon2id"
)

// PasswordParams are the argon2id costs: OWASP's recommended minimum (19 MiB
// of memory, 2 passes, 1 lane), about 20-30 ms a hash on one core. They are
// stored in each hash, so raising them later leaves old hashes verifiable.
var PasswordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns the encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	h, err := argon2id.CreateHash(pw, PasswordParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// dummyHash is verified against when there is no account, so a sign-in for
// an unknown email takes as long as one with a wrong password.
var dummyHash = func() string {
	h, err := HashPassword("no account has this password")
	if err != nil {
		panic(err)
	}
	return h
}()

// CheckPassword reports whether pw matches hash. An empty hash (an account
// without a password) matches nothing, after the same work.
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, dummyHash)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}
