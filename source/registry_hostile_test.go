package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/registrytest"
)

// tight are timeouts small enough for tests to fail fast; the defaults
// are 30s each.
var tight = Options{RegistryHeaderTimeout: 200 * time.Millisecond, RegistryIdleTimeout: 300 * time.Millisecond}

// openAndRead opens ref and reads its config and every layer, as an
// analysis does, and returns the first error.
func openAndRead(ref string, opts Options) error {
	img, err := Open(context.Background(), ref, opts)
	if err != nil {
		return err
	}
	defer Close(img)
	if _, err := img.RawConfigFile(); err != nil {
		return err
	}
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// endlessConfig serves, for every manifest GET, a manifest whose config
// claims a terabyte, and for that config blob zeros without end.
func endlessConfig(next http.Handler) http.Handler {
	cfg := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("c", 64)}
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":%q},"layers":[]}`, int64(1)<<40, cfg)
	blob := registrytest.Endless(registrytest.Blob(cfg.String()))(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if registrytest.Manifests(r) {
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			io.WriteString(w, manifest)
			return
		}
		blob.ServeHTTP(w, r)
	})
}

func TestRegistryHostileServers(t *testing.T) {
	isolateEnv(t)
	img := fixture(t, nil)
	ls, _ := img.Layers()
	layer, _ := ls[0].Digest()
	var redirects atomic.Int64

	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
		want string
		is   error
	}{
		{"headers trickled a byte a second", registrytest.TrickleHeaders(registrytest.Pulls, time.Second), "sent no response within 200ms", ErrUnavailable},
		{"no headers at all", registrytest.NoHeaders(registrytest.Manifests), "sent no response within 200ms", ErrUnavailable},
		{"manifest trickled a byte a second", registrytest.TrickleBody(registrytest.Manifests, time.Second), "sent less than 1 KiB in 300ms", ErrUnavailable},
		{"layer blob stalls", registrytest.StallAfter(registrytest.Blob(layer.String()), 100), "sent less than 1 KiB in 300ms", ErrUnavailable},
		{"token endpoint hangs", registrytest.HangingTokenServer(), "sent no response within 200ms", ErrUnavailable},
		{"redirects forever", registrytest.RedirectForever(registrytest.Manifests, &redirects), "stopped after 10 redirects", ErrUnavailable},
		{"endless config", endlessConfig, "size 1099511627776 is not between 0 and 64 MiB", ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clean, wrapped := registrytest.InProcessPair(t, tc.wrap)
			registrytest.Push(t, clean+"/strata/app:v1", img)
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- openAndRead("registry://"+wrapped+"/strata/app:v1", tight) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("still waiting on the registry after 10s")
			}
			took := time.Since(start)
			t.Logf("failed after %v: %v", took, err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want it to match %v", err, tc.is)
			}
			if took > 5*time.Second {
				t.Errorf("took %v to fail", took)
			}
		})
	}
	t.Logf("the endless redirector was asked %d times", redirects.Load())
	if n := redirects.Load(); n > 3*(maxRedirects+1) {
		t.Errorf("followed %d redirects, want at most %d per attempt", n, maxRedirects+1)
	}
}

// A server whose error text quotes the Authorization header does not get
// the docker-login credential printed.
func TestRegistryErrorTextRedacted(t *testing.T) {
	isolateEnv(t)
	const user, password = "strata", "s3cret-hunter2"
	clean, wrapped := registrytest.InProcessPair(t, registrytest.EchoAuthorization(registrytest.Manifests))
	registrytest.Push(t, clean+"/strata/app:v1", fixture(t, nil))
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := `{"auths":{"` + wrapped + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	err := openAndRead("registry://"+wrapped+"/strata/app:v1", tight)
	if err == nil || !strings.Contains(err.Error(), "Authorization: Basic ***") {
		t.Fatalf("err = %v, want the echoed header, scrubbed", err)
	}
	for _, secret := range []string{password, auth} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals a credential", err)
		}
	}
}

func TestRedactServerText(t *testing.T) {
	base := errors.New("x")
	for _, tc := range []struct{ in, want string }{
		{"denied: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", "denied: Authorization: Bearer ***"},
		{`{"token":"abcdefghijkl","access_token":"mnopqrstu"}`, `{"token":"***","access_token":"***"}`},
		{"GET /token?service=x&password=hunter2 failed", "GET /token?service=x&password=*** failed"},
		{"user pass is hunter2-known", "user pass is ***"},
		{"failed to fetch bearer token", "failed to fetch bearer token"}, // words, not a credential
	} {
		err := redactServerText(fmt.Errorf("%s: %w", tc.in, base), []string{"hunter2-known"})
		if got := strings.TrimSuffix(err.Error(), ": x"); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !errors.Is(err, base) {
			t.Errorf("redact(%q) lost the wrapped error", tc.in)
		}
	}
}

// A caller that is slow to read is not taken for a stalled server: only
// windows in which a Read waits on the server count.
func TestIdleTimeoutIgnoresSlowReader(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(make([]byte, 100)) // less than minProgressBytes, all at once
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: newGuardedTransport(tr, tight)}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	time.Sleep(3 * tight.RegistryIdleTimeout) // busy elsewhere
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 100 {
		t.Errorf("read %d bytes, %v; want all 100", len(b), err)
	}
}
