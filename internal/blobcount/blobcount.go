package blobcount

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
)

// Counter counts the body bytes sent for /blobs/ GETs, the requests, and
// those of them that asked for a range.
type Counter struct {
	Bytes, Requests, Ranged atomic.Int64
}

// Reset starts the counts again from zero.
func (c *Counter) Reset() {
	c.Bytes.Store(0)
	c.Requests.Store(0)
	c.Ranged.Store(0)
}

// Wrap counts what next sends for /blobs/ GETs.
func (c *Counter) Wrap(next http.Handler) http.Handler {
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

// Proxy is a reverse proxy to the registry at target (host:port), its
// handler wrapped by wrap when wrap is not nil.
func Proxy(target string, wrap func(http.Handler) http.Handler) http.Handler {
	var h http.Handler = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	if wrap != nil {
		h = wrap(h)
	}
	return h
}

// Serve serves h on a free port of 127.0.0.1 until the process ends and
// returns its host:port: for benchmark commands, which have no test to
// close it with.
func Serve(h http.Handler) (string, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() { _ = http.Serve(l, h) }() //nolint:gosec // a local benchmark's proxy
	return l.Addr().String(), nil
}
