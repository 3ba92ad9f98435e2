package registrytest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Proxy starts a reverse proxy on 127.0.0.1 in front of the registry at
// target (host:port), its handler wrapped by wrap, and returns its
// host:port. It lets one registry, the in-process one or Distribution, be
// seen through a counting or misbehaving front. It is closed when the
// test ends.
func Proxy(t testing.TB, target string, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// IgnoreRange drops the Range header of every request, as a registry (or
// a proxy before one) that always answers 200 with the whole blob.
func IgnoreRange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Range")
		next.ServeHTTP(w, r)
	})
}

// BlobBytes counts the body bytes a registry sends for blob GETs, and the
// requests that asked for a range.
type BlobBytes struct {
	Bytes, Requests, Ranged atomic.Int64
}

// Wrap counts what next sends for /blobs/ GETs.
func (c *BlobBytes) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") {
			next.ServeHTTP(w, r)
			return
		}
		c.Requests.Add(1)
		if r.Header.Get("Range") != "" {
			c.Ranged.Add(1)
		}
		next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &c.Bytes}, r)
	})
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// Flush passes on to the writer beneath, which the reverse proxy uses.
func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
