package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SaveTrustedDocuments registers documents by their SHA-256 (hex), in one
// transaction. Every hash must be the hash of its document; re-registering
// a document changes nothing. It returns how many were new.
func (db *DB) SaveTrustedDocuments(ctx context.Context, docs map[string]string) (int, error) {
	for hash, doc := range docs {
		sum := sha256.Sum256([]byte(doc))
		if hex.EncodeToString(sum[:]) != hash {
			return 0, fmt.Errorf("document %.16s…: its key is not the SHA-256 of its text", hash)
		}
	}
	added := 0
	err := db.inTx(ctx, "save trusted documents", func(tx pgx.Tx) error {
		for hash, doc := range docs {
			tag, err := tx.Exec(ctx, `INSERT INTO trusted_documents (hash, document) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`, hash, doc)
			if err != nil {
				return fmt.Errorf("save trusted document %.16s…: %w", hash, err)
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	return added, err
}

// TrustedDocument returns the registered document with this hash.
func (db *DB) TrustedDocument(ctx context.Context, hash string) (string, bool, error) {
	var doc string
	err := db.Pool.QueryRow(ctx, `SELECT document FROM trusted_documents WHERE hash = $1`, hash).Scan(&doc)
	if isNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read trusted document: %w", translate(err))
	}
	return doc, true, nil
}
