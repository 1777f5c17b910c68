package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateKeyFile returns the keys kept in the file at path, creating
// the file (mode 0600, its directory 0700) with a new key when it does not
// exist, and reports whether it did. Development servers use it so that
// access tokens survive a restart; production takes JWT_KEYS instead.
// Two processes starting at once agree on one key: only one creates the
// file, and the other reads it.
func LoadOrCreateKeyFile(path string) (keys *KeySet, created bool, err error) {
	for range 2 {
		raw, err := os.ReadFile(path)
		if err == nil {
			keys, err := ParseKeys(strings.TrimSpace(string(raw)))
			if err != nil {
				return nil, false, fmt.Errorf("key file %s: %v (delete it to make a new key)", path, err)
			}
			return keys, false, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("read key file: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
		key := GenerateKey()
		f, err := os.CreateTemp(filepath.Dir(path), ".jwt-key-*") // mode 0600
		if err != nil {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
		_, werr := f.WriteString(key + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(f.Name())
			return nil, false, fmt.Errorf("write key file: %w", werr)
		}
		// A hard link fails if the file exists: the first process to get
		// here wins, and the others read its key on the next turn.
		err = os.Link(f.Name(), path)
		os.Remove(f.Name())
		if err == nil {
			keys, err := ParseKeys(key)
			return keys, true, err
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
	}
	return nil, false, fmt.Errorf("key file %s: created and removed while we read it", path)
}
