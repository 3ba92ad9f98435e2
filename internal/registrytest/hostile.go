package registrytest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Hostile servers for tests of timeouts, bounds and redaction. Each wraps
// a registry (see InProcess) and misbehaves only on the requests match
// accepts, leaving the rest (pushes, other blobs) to the registry. Every
// handler that stalls gives up when the client goes away, or after
// hangLimit, so that closing the test server never waits long.

// hangLimit is the longest a hostile handler keeps a request open.
const hangLimit = 30 * time.Second

// Match reports whether a hostile wrapper should misbehave on r.
type Match func(r *http.Request) bool

// Manifests matches GETs of manifests.
func Manifests(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/")
}

// Blob matches GETs of the blob with the given digest ("sha256:...").
func Blob(digest string) Match {
	return func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+digest)
	}
}

// Pulls matches every GET and HEAD: whatever a pull asks first.
func Pulls(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func hostile(match Match, serve http.HandlerFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			serve(w, r)
		})
	}
}

// wait blocks until the client goes away, d passes, or hangLimit passes;
// it reports whether the client is still there.
func wait(r *http.Request, d time.Duration) bool {
	select {
	case <-r.Context().Done():
		return false
	case <-time.After(min(d, hangLimit)):
		return true
	}
}

// NoHeaders accepts matching requests and never answers.
func NoHeaders(match Match) func(http.Handler) http.Handler {
	return hostile(match, func(_ http.ResponseWriter, r *http.Request) { wait(r, hangLimit) })
}

// TrickleHeaders sends the status line and headers of matching requests
// one byte every interval, over the raw connection.
func TrickleHeaders(match Match, every time.Duration) func(http.Handler) http.Handler {
	return hostile(match, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + strings.Repeat("x", 1000) + "\r\n\r\n"
		deadline := time.Now().Add(hangLimit)
		for i := 0; i < len(head) && time.Now().Before(deadline); i++ {
			if _, err := conn.Write([]byte{head[i]}); err != nil {
				return
			}
			time.Sleep(every)
		}
	})
}

// TrickleBody answers matching requests at once with 200 and a long body,
// sent one byte every interval.
func TrickleBody(match Match, every time.Duration) func(http.Handler) http.Handler {
	return hostile(match, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for range 100000 {
			if _, err := w.Write([]byte{'{'}); err != nil {
				return
			}
			rc.Flush()
			if !wait(r, every) {
				return
			}
		}
	})
}

// StallAfter lets the registry answer matching requests, forwards the
// first n bytes of its body and then sends nothing more.
func StallAfter(match Match, n int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return hostile(match, func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			body := rec.Body.Bytes()
			w.Write(body[:min(n, len(body))])
			http.NewResponseController(w).Flush()
			wait(r, hangLimit)
		})(next)
	}
}

// Endless answers matching requests with 200 and zeros without end, as
// fast as the client reads them.
func Endless(match Match) func(http.Handler) http.Handler {
	return hostile(match, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		buf := make([]byte, 32<<10)
		deadline := time.Now().Add(hangLimit)
		for time.Now().Before(deadline) && r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	})
}

// RedirectForever answers matching requests with a redirect to the same
// path with a new query, every time, and counts the redirects it sent.
func RedirectForever(match Match, count *atomic.Int64) func(http.Handler) http.Handler {
	return hostile(match, func(w http.ResponseWriter, r *http.Request) {
		n := count.Add(1)
		http.Redirect(w, r, r.URL.Path+"?hop="+strconv.FormatInt(n, 10), http.StatusTemporaryRedirect)
	})
}

// EchoAuthorization answers matching requests with 500 and a body that
// quotes the request's Authorization header, as a careless proxy does.
func EchoAuthorization(match Match) func(http.Handler) http.Handler {
	return hostile(match, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "proxy error: upstream refused request with Authorization: %s", r.Header.Get("Authorization"))
	})
}

// HangingTokenServer challenges every request without a bearer token to
// fetch one from /token on the same host, and never answers /token.
func HangingTokenServer() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				wait(r, hangLimit)
				return
			}
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="strata-test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
