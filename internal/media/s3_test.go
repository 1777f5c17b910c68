package media_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/media/mediatest"
)

// fakeS3 is an S3 server in the test's process (gofakes3, in memory) with
// one bucket, "folio-media".
func fakeS3(t *testing.T) (*httptest.Server, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("folio-media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv, backend
}

func TestS3_RoundTrip(t *testing.T) {
	srv, backend := fakeS3(t)
	s3, err := media.NewS3(media.S3Options{Endpoint: srv.URL, Region: "us-east-1", Bucket: "folio-media",
		AccessKeyID: "test", SecretAccessKey: "test-secret", PathStyle: true, PublicURL: srv.URL + "/folio-media/"})
	if err != nil {
		t.Fatal(err)
	}
	svc := media.New(s3, media.Limits{}, nil)
	ctx := context.Background()
	img, err := svc.Prepare(ctx, bytes.NewReader(mediatest.JPEG(700, 350)), -1, "a gradient")
	if err != nil {
		t.Fatal(err)
	}
	if err := img.Store(ctx); err != nil {
		t.Fatal(err)
	}
	keys := folio.Keys(img.Key, img.Width) // the original, 160, 320, 640
	if len(keys) != 4 {
		t.Fatalf("keys = %v", keys)
	}
	for _, k := range keys {
		obj, err := backend.HeadObject("folio-media", k)
		if err != nil {
			t.Fatalf("%s not in the bucket: %v", k, err)
		}
		if ct := obj.Metadata["Content-Type"]; ct != "image/jpeg" {
			t.Errorf("%s: Content-Type %q", k, ct)
		}
	}

	t.Run("PublicURLServesTheObject", func(t *testing.T) {
		url := svc.URL(img.KeyFor(300))
		if want := srv.URL + "/folio-media/" + folio.VariantKey(img.Key, 320); url != want {
			t.Fatalf("URL = %s, want %s", url, want)
		}
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || len(body) == 0 || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("status %d, %d bytes, type %q", res.StatusCode, len(body), res.Header.Get("Content-Type"))
		}
	})

	t.Run("DiscardDeletesEveryFile", func(t *testing.T) {
		if err := img.Discard(ctx); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if _, err := backend.HeadObject("folio-media", k); err == nil {
				t.Errorf("%s is still in the bucket", k)
			}
		}
		if err := img.Discard(ctx); err != nil {
			t.Fatalf("discarding again: %v", err)
		}
	})

	t.Run("BadEndpoint", func(t *testing.T) {
		if _, err := media.NewS3(media.S3Options{Endpoint: "s3.example.com"}); err == nil {
			t.Fatal("an endpoint without a scheme was taken")
		}
	})
}
