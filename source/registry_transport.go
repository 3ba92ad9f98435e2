package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults for Options.RegistryHeaderTimeout and RegistryIdleTimeout.
const (
	// DefaultRegistryHeaderTimeout is how long a registry (or its token
	// server) may take to send the headers of each response.
	DefaultRegistryHeaderTimeout = 30 * time.Second
	// DefaultRegistryIdleTimeout is the window within which a response
	// body must deliver at least minProgressBytes, or end.
	DefaultRegistryIdleTimeout = 30 * time.Second
)

const (
	// minProgressBytes is what a body must deliver per idle window: a
	// server trickling a byte a second is stalled, not slow.
	minProgressBytes = 1 << 10
	// maxRedirects caps the redirects one request follows, as net/http
	// does by default: go-containerregistry's own redirect check replaces
	// that default and sets no cap.
	maxRedirects = 10
)

// guardedTransport bounds every request to a registry: the wait for
// response headers (through http.Transport.ResponseHeaderTimeout), the
// progress of the body, and the number of redirects. Its errors are not
// Temporary, so go-containerregistry does not retry a stalled server.
type guardedTransport struct {
	inner  *http.Transport
	header time.Duration
	idle   time.Duration
}

func newGuardedTransport(inner *http.Transport, opts Options) *guardedTransport {
	g := &guardedTransport{inner: inner, header: opts.RegistryHeaderTimeout, idle: opts.RegistryIdleTimeout}
	if g.header <= 0 {
		g.header = DefaultRegistryHeaderTimeout
	}
	if g.idle <= 0 {
		g.idle = DefaultRegistryIdleTimeout
	}
	inner.ResponseHeaderTimeout = g.header
	return g
}

func (g *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A redirected request carries the response that caused it, which
	// carries the request before: the chain's length is the hop count.
	hops := 0
	for r := req.Response; r != nil && r.Request != nil; r = r.Request.Response {
		hops++
	}
	if hops > maxRedirects {
		return nil, &guardError{msg: fmt.Sprintf("registry %s: stopped after %d redirects", req.URL.Host, maxRedirects)}
	}
	ctx, cancel := context.WithCancel(req.Context())
	resp, err := g.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && req.Context().Err() == nil {
			return nil, &guardError{msg: fmt.Sprintf("registry %s sent no response within %v", req.URL.Host, g.header), cause: err}
		}
		return nil, err
	}
	resp.Body = newIdleBody(resp.Body, cancel, g.idle, req.URL.Host)
	return resp, nil
}

// guardError says a registry stalled or redirected without end. It
// matches ErrUnavailable and, having no Temporary method, is not retried.
type guardError struct {
	msg   string
	cause error
}

func (e *guardError) Error() string        { return e.msg }
func (e *guardError) Unwrap() error        { return e.cause }
func (e *guardError) Is(target error) bool { return target == ErrUnavailable }

// idleBody cancels its request when less than minProgressBytes arrive in
// an idle window in which Reads spent at least half the window waiting on
// the server, which makes the Read return. A window in which the caller
// was mostly not reading (busy with what it already has, or a Read that
// began just before the window ended, as a descheduled goroutine's may)
// says nothing about the server and starts afresh; a server trickling a
// byte at a time keeps every Read waiting, and is caught.
type idleBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	window time.Duration
	host   string
	timer  *time.Timer

	mu        sync.Mutex
	got       int64         // bytes in the current window
	waited    time.Duration // time Reads spent in the current window
	reading   bool          // a Read is in progress, since readSince
	readSince time.Time
	stalled   bool
	done      bool
}

func newIdleBody(rc io.ReadCloser, cancel context.CancelFunc, window time.Duration, host string) *idleBody {
	b := &idleBody{rc: rc, cancel: cancel, window: window, host: host}
	// tick reads b.timer under mu: hold it until the field is set.
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer = time.AfterFunc(window, b.tick)
	return b
}

func (b *idleBody) tick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	waited := b.waited
	if b.reading {
		waited += time.Since(b.readSince)
	}
	if b.got < minProgressBytes && b.reading && waited >= b.window/2 {
		b.stalled = true
		b.cancel()
		return
	}
	b.got, b.waited = 0, 0
	if b.reading {
		b.readSince = time.Now() // the rest of this Read counts in the next window
	}
	b.timer.Reset(b.window)
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	b.reading, b.readSince = true, time.Now()
	b.mu.Unlock()
	n, err := b.rc.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reading = false
	b.waited += time.Since(b.readSince)
	b.got += int64(n)
	if err != nil && b.stalled {
		err = &guardError{msg: fmt.Sprintf("registry %s sent less than %d KiB in %v", b.host, minProgressBytes>>10, b.window), cause: err}
	}
	if err != nil {
		b.done = true
		b.timer.Stop()
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.mu.Lock()
	b.done = true
	b.mu.Unlock()
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel()
	return err
}
