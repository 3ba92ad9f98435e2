package source

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"go.uber.org/goleak"

	"github.com/strata-cli/strata/internal/registrytest"
)

// silentDaemon listens on a unix socket in a temporary directory, accepts
// every connection and never writes a byte back: a daemon that is hung,
// or a socket left by something that is not a daemon at all. It returns
// the socket's unix:// URL and how many connections it has accepted. The
// listener, the connections it holds and its goroutine are closed when the
// test ends.
func silentDaemon(t *testing.T, name string) (string, *atomic.Int32) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		accepted atomic.Int32
		mu       sync.Mutex
		conns    []net.Conn
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return // the listener is closed
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "unix://" + path, &accepted
}

// TestAutoSkipsSilentDaemons checks that --source auto does not wait on a
// Docker, podman or containerd socket that accepts connections but never answers: each
// is given up on after pingTimeout, and the image comes from its registry.
func TestAutoSkipsSilentDaemons(t *testing.T) {
	// Registered first, so it runs after every other cleanup: the silent
	// listeners, the registry server and the image's connections are all
	// gone by the end of the test, not merely by the end of the package.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

	isolateEnv(t)
	// client.FromEnv reads these too; none may point at real TLS material.
	t.Setenv("DOCKER_TLS_VERIFY", "")
	t.Setenv("DOCKER_CERT_PATH", "")
	dockerHost, dockerConns := silentDaemon(t, "docker")
	podmanHost, podmanConns := silentDaemon(t, "podman")
	t.Setenv("DOCKER_HOST", dockerHost)
	t.Setenv("CONTAINER_HOST", podmanHost)
	ctrdHost, ctrdConns := silentDaemon(t, "containerd")
	t.Setenv("CONTAINERD_ADDRESS", strings.TrimPrefix(ctrdHost, "unix://"))

	host := registrytest.InProcess(t, nil)
	want := fixture(t, nil)
	registrytest.Push(t, host+"/strata/app:v1", want)

	var origins []Origin
	start := time.Now()
	img, err := Open(context.Background(), host+"/strata/app:v1", Options{
		Used: func(o Origin) { origins = append(origins, o) },
	})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	closeImage(t, img)

	// All three were really asked (and hung), so the time below is
	// the time spent skipping them, not a refused connection.
	if n := dockerConns.Load(); n == 0 {
		t.Errorf("the docker socket %s was never connected to", dockerHost)
	}
	if n := podmanConns.Load(); n == 0 {
		t.Errorf("the podman socket %s was never connected to", podmanHost)
	}
	if n := ctrdConns.Load(); n == 0 {
		t.Errorf("the containerd socket %s was never connected to", ctrdHost)
	}
	// Three pings of pingTimeout (400 ms) each, then a registry on
	// 127.0.0.1: well over a second only when something waits longer
	// than it should. 2.5 s leaves room for a loaded machine and still
	// fails on any client or dial timeout of several seconds.
	if took > 2500*time.Millisecond {
		t.Errorf("Open took %v with three silent daemons, want < 2.5s (ping timeout %v each)", took, pingTimeout)
	}
	if len(origins) != 1 || origins[0].Kind != KindRegistry || origins[0].Endpoint != "http://"+host {
		t.Errorf("Used got %v, want once registry http://%s", origins, host)
	}
	sameImage(t, img, want)
}

// listenNotLocal listens on 127.0.0.2, a loopback address on Linux that
// go-containerregistry does not treat as local: it defaults to plain HTTP
// only for 127.0.0.1, ::1, localhost and the RFC 1918 ranges, so a
// registry here is, as far as the client can tell, a remote one that must
// speak verified TLS. That is the only way to test --insecure without
// contacting another machine. It skips where 127.0.0.2 cannot be bound
// (macOS aliases only 127.0.0.1 by default).
func listenNotLocal(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	return l
}

// selfSigned returns a certificate for addr's IP that signs itself.
func selfSigned(t *testing.T, addr net.Addr) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "strata-test"},
		IPAddresses:           []net.IP{addr.(*net.TCPAddr).IP},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestRegistryInsecure checks --insecure (Options.Insecure) against a
// registry with a self-signed certificate and one that speaks plain HTTP,
// both at an address that is not local to go-containerregistry: without
// it Open fails and says why, with it the pushed image is read.
func TestRegistryInsecure(t *testing.T) {
	isolateEnv(t)
	// One registry, served three ways: plain HTTP on 127.0.0.1 to push
	// the fixture, and the two servers under test, which share its
	// storage.
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	push := httptest.NewServer(h)
	t.Cleanup(push.Close)
	want := fixture(t, nil)
	registrytest.Push(t, strings.TrimPrefix(push.URL, "http://")+"/strata/app:v1", want)
	wantDigest, _ := want.Digest()

	quiet := log.New(io.Discard, "", 0) // no "TLS handshake error" lines in the test log
	tlsSrv := httptest.NewUnstartedServer(h)
	tlsSrv.Listener.Close()
	tlsSrv.Listener = listenNotLocal(t)
	tlsSrv.Config.ErrorLog = quiet
	// httptest's own certificate names only 127.0.0.1 and ::1, so it would
	// fail on the name; this one is right for the address and merely
	// self-signed, which is what --insecure is for.
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t, tlsSrv.Listener.Addr())}}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	plainSrv := httptest.NewUnstartedServer(h)
	plainSrv.Listener.Close()
	plainSrv.Listener = listenNotLocal(t)
	plainSrv.Config.ErrorLog = quiet
	plainSrv.Start()
	t.Cleanup(plainSrv.Close)

	for _, tc := range []struct {
		name string
		host string
		// secure is what Open without --insecure must fail with.
		secure []string
	}{
		{"self-signed TLS", strings.TrimPrefix(tlsSrv.URL, "https://"), []string{"TLS failed", "add --insecure", "certificate", "unknown authority"}},
		{"plain HTTP", strings.TrimPrefix(plainSrv.URL, "http://"), []string{"TLS failed", "add --insecure", "HTTP response to HTTPS client"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := "registry://" + tc.host + "/strata/app:v1"

			start := time.Now()
			img, err := Open(context.Background(), ref, Options{})
			if err == nil {
				Close(img)
				t.Fatalf("Open(%q) without Insecure succeeded", ref)
			}
			for _, s := range tc.secure {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("without Insecure: err = %q, want it to mention %q", err, s)
				}
			}
			if !strings.Contains(err.Error(), tc.host) {
				t.Errorf("without Insecure: err = %q, want it to name %s", err, tc.host)
			}
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
				t.Errorf("without Insecure: err = %v, which reads as a missing image or credentials", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v to fail", d)
			}

			img = mustOpen(t, ref, Options{Insecure: true})
			closeImage(t, img)
			if got, _ := img.Digest(); got != wantDigest {
				t.Errorf("with Insecure: digest %s, want the pushed %s", got, wantDigest)
			}
			sameImage(t, img, want)
		})
	}

	// A bare reference with --source auto goes the same way once no daemon
	// has it: Insecure reaches the registry step.
	t.Run("bare reference", func(t *testing.T) {
		ref := strings.TrimPrefix(tlsSrv.URL, "https://") + "/strata/app:v1"
		if img, err := Open(context.Background(), ref, Options{}); err == nil {
			Close(img)
			t.Fatalf("Open(%q) without Insecure succeeded", ref)
		}
		img := mustOpen(t, ref, Options{Insecure: true})
		closeImage(t, img)
		if got, _ := img.Digest(); got != wantDigest {
			t.Errorf("digest %s, want %s", got, wantDigest)
		}
	})
}
