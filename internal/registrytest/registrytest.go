// Package registrytest runs OCI registries on 127.0.0.1 for tests: the
// in-process registry of go-containerregistry (fast, always there) and
// the Distribution registry Debian packages as docker-registry (a real
// server, when installed). Nothing here ever contacts another address.
package registrytest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// InProcess starts go-containerregistry's registry on 127.0.0.1 and
// returns its host:port. wrap, when not nil, wraps the registry's handler
// (to demand auth, or to tamper with blobs). The server is closed when the
// test ends.
func InProcess(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// InProcessPair starts one in-process registry behind two servers on
// 127.0.0.1 and returns their host:ports: clean answers as the registry
// does, for pushing fixtures; wrapped goes through wrap, for the client
// under test. Both are closed when the test ends.
func InProcessPair(t testing.TB, wrap func(http.Handler) http.Handler) (clean, wrapped string) {
	t.Helper()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	c := httptest.NewServer(h)
	t.Cleanup(c.Close)
	w := httptest.NewServer(wrap(h))
	t.Cleanup(w.Close)
	return strings.TrimPrefix(c.URL, "http://"), strings.TrimPrefix(w.URL, "http://")
}

// DistributionBinary is where Debian's docker-registry package installs
// the Distribution registry.
const DistributionBinary = "/usr/bin/docker-registry"

// Distribution starts Debian's docker-registry on a free 127.0.0.1 port
// with its storage in a temporary directory, and returns its host:port.
// It skips the test when the binary is missing, unless
// STRATA_REQUIRE_REGISTRY=1, which makes that a failure. The process is
// stopped when the test ends.
func Distribution(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(DistributionBinary); err != nil {
		if os.Getenv("STRATA_REQUIRE_REGISTRY") == "1" {
			t.Fatalf("STRATA_REQUIRE_REGISTRY=1 but %s is missing: %v", DistributionBinary, err)
		}
		t.Skipf("%s not installed (apt-get install docker-registry); skipping", DistributionBinary)
	}
	dir := t.TempDir()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(DistributionBinary, "serve", cfgPath)
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", DistributionBinary, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	if err := waitReady(addr, 10*time.Second); err != nil {
		out, _ := os.ReadFile(logf.Name())
		t.Fatalf("docker-registry on %s: %v\n%s", addr, err, out)
	}
	return addr
}

// freeAddr picks a free port on 127.0.0.1. Another process could take it
// before the registry binds it; Distribution then fails to start, loudly.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(addr string, within time.Duration) error {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: time.Second}
	deadline := time.Now().Add(within)
	for {
		resp, err := c.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /v2/: %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Push writes img to ref (host:port/repo:tag) and returns the full
// reference. It uses its own connections and closes them, and the
// credentials of the docker config (DOCKER_CONFIG), if any.
func Push(t testing.TB, ref string, img v1.Image) string {
	t.Helper()
	r, tr := parse(t, ref)
	defer tr.CloseIdleConnections()
	if err := remote.Write(r, img, remote.WithTransport(tr), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return r.String()
}

// PushIndex writes idx (and every image in it) to ref.
func PushIndex(t testing.TB, ref string, idx v1.ImageIndex) string {
	t.Helper()
	r, tr := parse(t, ref)
	defer tr.CloseIdleConnections()
	if err := remote.WriteIndex(r, idx, remote.WithTransport(tr), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("pushing index %s: %v", ref, err)
	}
	return r.String()
}

func parse(t testing.TB, ref string) (name.Reference, *http.Transport) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	return r, remote.DefaultTransport.(*http.Transport).Clone()
}

// ClosedAddr returns a 127.0.0.1 address nothing listens on.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// RequireAuth wraps a registry so that every request without the given
// basic-auth credentials gets 401 with a Basic challenge, as a private
// registry answers.
func RequireAuth(user, password string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="strata-test"`)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TamperBlob wraps a registry so that GETs of the blob with digest h
// return the right length of the wrong bytes (each byte flipped).
func TamperBlob(h v1.Hash) func(http.Handler) http.Handler {
	return InterceptBlob(h, func(w http.ResponseWriter, _ *http.Request, rec *httptest.ResponseRecorder) {
		body := rec.Body.Bytes()
		for i := range body {
			body[i] ^= 0xff
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// InterceptBlob wraps a registry so that a GET of the blob with digest h
// is answered by serve, given what the registry would have answered.
func InterceptBlob(h v1.Hash, serve func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+h.String()) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			serve(w, r, rec)
		})
	}
}
