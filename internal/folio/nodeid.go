package folio

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Node IDs are "Kind:id" in unpadded URL-safe base64: opaque to clients,
// stable for us, safe in URLs, and unique across every kind of entity.
//
// Each entity answers its own NodeID with a method that needs no context,
// so the executor resolves an id field in line instead of scheduling it as
// a resolver of its own.
const (
	KindUser     = "User"
	KindArticle  = "Article"
	KindCategory = "Category"
	KindTag      = "Tag"
	KindComment  = "Comment"
	KindAPIKey   = "ApiKey"
	KindWebhook  = "Webhook"
	// KindWebhookDelivery names one delivery of an event to a webhook.
	KindWebhookDelivery = "WebhookDelivery"
	// KindPreviewToken names a preview link's token, for revoking it.
	KindPreviewToken = "PreviewToken"
)

// opaqueEncoding refuses the non-canonical spellings of an encoding, so
// each ID and cursor has exactly one accepted form.
var opaqueEncoding = base64.RawURLEncoding.Strict()

// EncodeOpaque is the encoding of node IDs and cursors.
func EncodeOpaque(raw string) string { return opaqueEncoding.EncodeToString([]byte(raw)) }

// DecodeOpaque decodes an ID or cursor. encoding/base64 skips carriage
// returns and newlines even when strict, which would give an ID many
// spellings; they are refused.
func DecodeOpaque(s string) ([]byte, error) {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, base64.CorruptInputError(i)
	}
	return opaqueEncoding.DecodeString(s)
}

// NodeID is the ID the API hands out for the entity of kind with this id.
// Every row of every response has one, so it is built in buffers on the
// stack and allocates only the string it returns.
func NodeID(kind string, id int64) string {
	var enc [64]byte
	return string(AppendNodeID(enc[:0], kind, id))
}

// AppendNodeID appends NodeID(kind, id) to dst.
func AppendNodeID(dst []byte, kind string, id int64) []byte {
	var raw [48]byte
	b := append(raw[:0], kind...)
	b = append(b, ':')
	b = strconv.AppendInt(b, id, 10)
	return opaqueEncoding.AppendEncode(dst, b)
}

// ParseNodeID decodes an ID that NodeID made; false for anything else,
// including other spellings of the same bytes and unknown kinds.
func ParseNodeID(s string) (kind string, id int64, ok bool) {
	raw, err := DecodeOpaque(s)
	if err != nil {
		return "", 0, false
	}
	kind, num, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", 0, false
	}
	id, err = strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return "", 0, false
	}
	switch kind {
	case KindUser, KindArticle, KindCategory, KindTag, KindComment, KindAPIKey, KindWebhook, KindWebhookDelivery, KindPreviewToken:
		return kind, id, true
	}
	return "", 0, false
}

// NodeKey is the kind and row id that make the entity's node ID; NodeID
// is that ID.
func (u *User) NodeKey() (string, int64)            { return KindUser, u.ID }
func (a *Article) NodeKey() (string, int64)         { return KindArticle, a.ID }
func (c *Category) NodeKey() (string, int64)        { return KindCategory, c.ID }
func (t *Tag) NodeKey() (string, int64)             { return KindTag, t.ID }
func (c *Comment) NodeKey() (string, int64)         { return KindComment, c.ID }
func (k *APIKey) NodeKey() (string, int64)          { return KindAPIKey, k.ID }
func (w *Webhook) NodeKey() (string, int64)         { return KindWebhook, w.ID }
func (d *WebhookDelivery) NodeKey() (string, int64) { return KindWebhookDelivery, d.ID }

func (u *User) NodeID() string            { return NodeID(u.NodeKey()) }
func (a *Article) NodeID() string         { return NodeID(a.NodeKey()) }
func (c *Category) NodeID() string        { return NodeID(c.NodeKey()) }
func (t *Tag) NodeID() string             { return NodeID(t.NodeKey()) }
func (c *Comment) NodeID() string         { return NodeID(c.NodeKey()) }
func (k *APIKey) NodeID() string          { return NodeID(k.NodeKey()) }
func (w *Webhook) NodeID() string         { return NodeID(w.NodeKey()) }
func (d *WebhookDelivery) NodeID() string { return NodeID(d.NodeKey()) }
