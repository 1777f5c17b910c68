package auth

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Run("CreatedThenKept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "folio", "dev-jwt.key")
		first, created, err := LoadOrCreateKeyFile(path)
		if err != nil || !created {
			t.Fatalf("first: created %v, %v; want a new file", created, err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("got %v, %v; want mode 0600", fi.Mode(), err)
		}
		again, created, err := LoadOrCreateKeyFile(path)
		if err != nil || created {
			t.Fatalf("again: created %v, %v; want the same file read", created, err)
		}
		if first.signing != again.signing || !first.keys[first.signing].Equal(again.keys[again.signing]) {
			t.Errorf("got key %s, then %s; want the same", first.signing, again.signing)
		}
	})
	t.Run("ConcurrentStartsAgree", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "dev-jwt.key")
		var wg sync.WaitGroup
		kids := make([]string, 8)
		for i := range kids {
			wg.Go(func() {
				ks, _, err := LoadOrCreateKeyFile(path)
				if err != nil {
					t.Error(err)
					return
				}
				kids[i] = ks.signing
			})
		}
		wg.Wait()
		for _, k := range kids[1:] {
			if k != kids[0] {
				t.Errorf("got keys %v; want one", kids)
				break
			}
		}
		if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".jwt-key-*")); len(leftovers) > 0 {
			t.Errorf("temporary files left: %v", leftovers)
		}
	})
	t.Run("Corrupt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "dev-jwt.key")
		if err := os.WriteFile(path, []byte("nonsense"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKeyFile(path); err == nil {
			t.Error("got no error for a corrupt file")
		}
	})
}
