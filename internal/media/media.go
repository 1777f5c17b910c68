// Package media keeps uploaded images: it checks and re-encodes what a
// client sends (Process), stores the files through a Store (a local
// directory, served by Disk's handler, or an S3-compatible bucket), and
// deletes them when nothing refers to them any more (Service.Release).
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/folio/folio/internal/folio"
)

// Store keeps files under keys and tells their public URL. Keys are
// content addresses (folio.ValidImageKey, folio.VariantKey): a key's bytes
// never change, so URLs may be cached for ever.
type Store interface {
	// Put stores data under key; putting a key again replaces it.
	Put(ctx context.Context, key, contentType string, data []byte) error
	// Delete removes key; a key not stored is not an error.
	Delete(ctx context.Context, key string) error
	// URL is where clients fetch key.
	URL(key string) string
}

// Records is what Release needs of the database (postgres.DB).
type Records interface {
	// ReleaseImage deletes image key's record, and its files through
	// remove, if nothing refers to it.
	ReleaseImage(ctx context.Context, key string, remove func(ctx context.Context, key string, width int) error) (bool, error)
}

// Service turns uploads into images to attach, and releases images.
type Service struct {
	store   Store
	limits  Limits
	records Records
	// busy bounds how many images are decoded at once: each holds its
	// pixels in memory.
	busy chan struct{}
}

// New returns a Service storing into store, within limits; records may be
// nil for a Service that never releases.
func New(store Store, limits Limits, records Records) *Service {
	return &Service{store: store, limits: limits.withDefaults(), records: records, busy: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Limits are the service's limits.
func (s *Service) Limits() Limits { return s.limits }

// URL is the public URL of a stored key.
func (s *Service) URL(key string) string { return s.store.URL(key) }

// Prepare reads an upload of declared size (-1: unknown), checks it and
// re-encodes it (Process), and returns it ready to attach: its Store and
// Discard write and delete its files. Refusals are *folio.Error with the
// codes Process gives.
func (s *Service) Prepare(ctx context.Context, r io.Reader, size int64, alt string) (*folio.NewImage, error) {
	if size > s.limits.MaxBytes {
		return nil, tooBig(s.limits.MaxBytes)
	}
	select {
	case s.busy <- struct{}{}:
		defer func() { <-s.busy }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p, err := Process(r, s.limits)
	if err != nil {
		return nil, err
	}
	img := &folio.NewImage{Image: p.Image, Bytes: int64(len(p.Files[0].Data))}
	img.Alt = alt
	img.Store = func(ctx context.Context) error {
		for _, f := range p.Files {
			if err := s.store.Put(ctx, f.Key, p.ContentType, f.Data); err != nil {
				return fmt.Errorf("put %s: %w", f.Key, err)
			}
		}
		return nil
	}
	img.Discard = func(ctx context.Context) error { return s.remove(ctx, p.Key, p.Width) }
	return img, nil
}

// remove deletes every file of the image key, width pixels wide.
func (s *Service) remove(ctx context.Context, key string, width int) error {
	var errs []error
	for _, k := range folio.Keys(key, width) {
		if err := s.store.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// Release deletes image key's files and record if nothing refers to it
// any more (the job queue runs it after a write stopped referring to it).
// A failure leaves both, to be released again.
func (s *Service) Release(ctx context.Context, key string) error {
	if s.records == nil {
		return errors.New("media: no records to release images from")
	}
	_, err := s.records.ReleaseImage(ctx, key, s.remove)
	return err
}
