package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
)

// blobCounter counts the body bytes of blob GETs through the proxy (the
// same counting as bench/toc's: each command of bench/ stands alone).
type blobCounter struct{ bytes, requests atomic.Int64 }

func (c *blobCounter) reset() { c.bytes.Store(0); c.requests.Store(0) }

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// startProxy serves a counting reverse proxy to reg on 127.0.0.1 and
// returns its host:port. It runs until the program ends.
func startProxy(reg string, c *blobCounter) (string, error) {
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: reg})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
			c.requests.Add(1)
			w = &countingWriter{ResponseWriter: w, n: &c.bytes}
		}
		rp.ServeHTTP(w, r)
	})
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() { _ = http.Serve(l, h) }() //nolint:gosec // a local benchmark's proxy
	return l.Addr().String(), nil
}
