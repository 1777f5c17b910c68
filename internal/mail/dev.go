package mail

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Dev is development's sender: it logs each message instead of sending it
// and keeps the last ones for Handler's page.
type Dev struct {
	Logger *slog.Logger
	Keep   int // how many messages the page shows; 0 means 20

	mu   sync.Mutex
	last []sent
}

type sent struct {
	At time.Time
	Message
}

// Send logs m and keeps it.
func (d *Dev) Send(ctx context.Context, m Message) error {
	if d.Logger != nil {
		d.Logger.InfoContext(ctx, "mail (development: not sent)", "to", m.To, "subject", m.Subject, "text", m.Text)
	}
	keep := d.Keep
	if keep <= 0 {
		keep = 20
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = append(d.last, sent{At: time.Now(), Message: m})
	if len(d.last) > keep {
		d.last = d.last[len(d.last)-keep:]
	}
	return nil
}

// Last returns the kept messages, newest last.
func (d *Dev) Last() []Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Message, len(d.last))
	for i, s := range d.last {
		out[i] = s.Message
	}
	return out
}

var page = template.Must(template.New("mail").Parse(`<!doctype html>
<meta charset="utf-8"><title>Folio: last mail (development)</title>
<h1>Last messages, newest first</h1>
{{range .}}<article><h2>{{.Subject}}</h2><p>to {{.To}} at {{.At.Format "15:04:05"}}</p>
{{range $k, $v := .Headers}}<div><code>{{$k}}: {{$v}}</code></div>{{end}}
<pre>{{.Text}}</pre></article><hr>{{else}}<p>No mail yet.</p>{{end}}`))

// Handler serves the kept messages as a page (text bodies, escaped).
func (d *Dev) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		msgs := make([]sent, len(d.last))
		for i, s := range d.last {
			msgs[len(d.last)-1-i] = s
		}
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, msgs)
	})
}
