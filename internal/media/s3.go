package media

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configure an S3-compatible bucket (AWS S3, MinIO, Cloudflare
// R2, Backblaze B2, …).
type S3Options struct {
	// Endpoint is the service's URL, e.g. https://s3.eu-west-1.amazonaws.com
	// or http://127.0.0.1:9000.
	Endpoint string
	Region   string
	Bucket   string
	// AccessKeyID and SecretAccessKey sign the requests.
	AccessKeyID, SecretAccessKey string
	// PathStyle addresses the bucket as a path (endpoint/bucket/key), as
	// MinIO and most self-hosted services want, instead of as a host name.
	PathStyle bool
	// PublicURL is where clients fetch the objects (the bucket's public
	// URL or a CDN in front of it), without a trailing slash: an object's
	// URL is PublicURL/key.
	PublicURL string
}

// S3 stores files as objects of one bucket, each public through PublicURL.
type S3 struct {
	client *minio.Client
	o      S3Options
}

var _ Store = (*S3)(nil)

// NewS3 returns the store of o's bucket; it sends nothing until used.
func NewS3(o S3Options) (*S3, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("the S3 endpoint must be an http:// or https:// URL, not %q", o.Endpoint)
	}
	lookup := minio.BucketLookupDNS
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client: %w", err)
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return &S3{client: c, o: o}, nil
}

// Put implements Store: the object carries its type and an immutable
// Cache-Control, which the bucket serves to clients.
func (s *S3) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := s.client.PutObject(ctx, s.o.Bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:  contentType,
		CacheControl: "public, max-age=31536000, immutable",
	})
	if err != nil {
		return fmt.Errorf("put s3 object %s: %w", key, err)
	}
	return nil
}

// Delete implements Store; S3 answers a missing key's deletion with success.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.o.Bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete s3 object %s: %w", key, err)
	}
	return nil
}

// URL implements Store.
func (s *S3) URL(key string) string { return s.o.PublicURL + "/" + key }
