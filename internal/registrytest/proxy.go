package registrytest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/blobcount"
)

// Proxy starts a reverse proxy on 127.0.0.1 in front of the registry at
// target (host:port), its handler wrapped by wrap, and returns its
// host:port. It lets one registry, the in-process one or Distribution, be
// seen through a counting or misbehaving front. It is closed when the
// test ends.
func Proxy(t testing.TB, target string, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(blobcount.Proxy(target, wrap))
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
type BlobBytes = blobcount.Counter
