package main

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// stall serves the first half of body, then nothing more until the
// client goes away: a source that is being read and will not finish by
// itself. started is closed once the first half is out.
func stall(w http.ResponseWriter, r *http.Request, body []byte, started func()) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body[:len(body)/2])
	w.(http.Flusher).Flush()
	started()
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// stallingRegistry serves img from an in-process registry whose layer
// blob stalls half-way, and returns its reference.
func stallingRegistry(t *testing.T, started func()) string {
	t.Helper()
	layer := imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("data/big", 4<<20)), imagetest.Gzip)
	digest, _ := layer.Digest()
	host := registrytest.InProcess(t, registrytest.InterceptBlob(digest, func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder) {
		stall(w, r, rec.Body.Bytes(), started)
	}))
	img := imagetest.MustImage(t, []v1.Layer{layer}, nil, &v1.Platform{OS: "linux", Architecture: "amd64"})
	return "registry://" + registrytest.Push(t, host+"/strata/interrupt:1", img)
}

// stallingDaemon is a Docker Engine API that knows one image and whose
// save stream stalls half-way; it returns the DOCKER_HOST to reach it.
func stallingDaemon(t *testing.T, started func()) string {
	t.Helper()
	archive := filepath.Join(t.TempDir(), "save.tar")
	if err := imagetest.WriteTiny(archive); err != nil {
		t.Fatal(err)
	}
	save, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	const id = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			w.Header().Set("Api-Version", "1.47")
			io.WriteString(w, "OK")
		case strings.HasSuffix(r.URL.Path, "/images/get"):
			w.Header().Set("Content-Type", "application/x-tar")
			stall(w, r, save, started)
		case strings.HasSuffix(r.URL.Path, "/json") && strings.Contains(r.URL.Path, "/images/"):
			json.NewEncoder(w).Encode(map[string]any{"Id": id, "Size": len(save)})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
}

// TestCLIInterrupt sends the real binary SIGINT, or SIGTERM as a CI runner
// or container stop does, while it reads a source that stalls mid-stream:
// it must stop within a second with exit 2 and "strata: interrupted",
// leaving nothing in TMPDIR, the cache directory or the working directory.
func TestCLIInterrupt(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { testCLIInterrupt(t, sig) })
	}
}

func testCLIInterrupt(t *testing.T, sig os.Signal) {
	for _, tc := range []struct {
		name  string
		serve func(t *testing.T, started func()) (ref string, env []string)
	}{
		{"registry blob", func(t *testing.T, started func()) (string, []string) {
			return stallingRegistry(t, started), nil
		}},
		{"docker save", func(t *testing.T, started func()) (string, []string) {
			return "docker://strata/interrupt:1", []string{"DOCKER_HOST=" + stallingDaemon(t, started)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp, cache, work, home := filepath.Join(dir, "tmp"), filepath.Join(dir, "cache"), filepath.Join(dir, "work"), filepath.Join(dir, "home")
			for _, d := range []string{tmp, cache, work, home} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			started := make(chan struct{})
			var once sync.Once
			ref, env := tc.serve(t, func() { once.Do(func() { close(started) }) })

			cmd := exec.Command(binary, "--json", "-", "--cache-dir", cache, ref)
			cmd.Dir = work
			cmd.Env = childEnv([]string{"CI", "STRATA_CACHE_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "TMPDIR", "HOME", "DOCKER_HOST", "DOCKER_CONFIG",
				"DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "CONTAINER_HOST"},
				append([]string{"TMPDIR=" + tmp, "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
					"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "DOCKER_CONFIG=" + filepath.Join(home, ".docker")}, env...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-started:
			case err := <-exited:
				t.Fatalf("strata exited before reading the source: %v\nstderr: %s", err, stderr.String())
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatal("strata never started reading the source")
			}
			// Let it block on the stalled read.
			time.Sleep(200 * time.Millisecond)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("strata did not exit within 10s of %v", sig)
			}
			if took := time.Since(sent); took > time.Second {
				t.Errorf("strata took %v to exit after %v, want under 1s", took.Round(time.Millisecond), sig)
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != exitError || stderr.String() != "strata: interrupted\n" || stdout.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 2, only \"strata: interrupted\" and no output", code, stderr.String(), stdout.Len())
			}
			for _, d := range []string{tmp, cache, work} {
				if left := filesUnder(t, d); len(left) > 0 {
					t.Errorf("%s holds %v after the interrupt", d, left)
				}
			}
		})
	}
}

// filesUnder lists everything below dir but empty directories.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			left = append(left, strings.TrimPrefix(p, dir+string(filepath.Separator)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return left
}
