package source

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// isolateEnv keeps a test away from the user's docker config, daemons and
// credentials: DOCKER_CONFIG is an empty directory and the daemon and
// containerd endpoints are sockets nobody listens on.
func isolateEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(dir, "no-docker.sock"))
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("CONTAINER_HOST", "unix://"+filepath.Join(dir, "no-podman.sock"))
	t.Setenv("CONTAINERD_ADDRESS", filepath.Join(dir, "no-containerd.sock"))
}

func closeImage(t *testing.T, img v1.Image) {
	t.Helper()
	t.Cleanup(func() {
		if err := Close(img); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// sameImage checks that got is want: same manifest digest, config and
// layer blobs byte for byte.
func sameImage(t *testing.T, got, want v1.Image) {
	t.Helper()
	gd, _ := got.Digest()
	wd, _ := want.Digest()
	if gd != wd {
		t.Errorf("digest = %s, want %s", gd, wd)
	}
	gn, _ := got.ConfigName()
	wn, _ := want.ConfigName()
	if gn != wn {
		t.Errorf("config name = %s, want %s", gn, wn)
	}
	gc, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	wc, _ := want.ConfigFile()
	if !reflect.DeepEqual(gc, wc) {
		t.Errorf("config = %+v, want %+v", gc, wc)
	}
	gl, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	wl, _ := want.Layers()
	if len(gl) != len(wl) {
		t.Fatalf("%d layers, want %d", len(gl), len(wl))
	}
	for i := range gl {
		if !bytes.Equal(readAll(t, gl[i].Compressed), readAll(t, wl[i].Compressed)) {
			t.Errorf("layer %d: stored bytes differ", i)
		}
	}
}

// registries are the two registries source is tested against: ggcr's
// in-process one and Debian's docker-registry (Distribution).
var registries = []struct {
	name  string
	start func(testing.TB) string
}{
	{"in-process", func(t testing.TB) string { return registrytest.InProcess(t, nil) }},
	{"docker-registry", registrytest.Distribution},
}

func TestRegistryOpen(t *testing.T) {
	isolateEnv(t)
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.start(t)
			img := fixture(t, nil)
			registrytest.Push(t, host+"/strata/app:v1", img)

			var (
				mu       sync.Mutex
				origins  []Origin
				last     Progress
				progress int
			)
			opts := Options{
				Used: func(o Origin) { origins = append(origins, o) },
				Progress: func(p Progress) {
					mu.Lock()
					defer mu.Unlock()
					progress++
					if p.Done > last.Done {
						last = p
					}
				},
			}
			got := mustOpen(t, "registry://"+host+"/strata/app:v1", opts)
			closeImage(t, got)
			sameImage(t, got, img)

			want := Origin{Kind: KindRegistry, Endpoint: "http://" + host}
			if len(origins) != 1 || origins[0] != want {
				t.Errorf("Used got %v, want once %v", origins, want)
			}
			var total int64
			ls, _ := img.Layers()
			for _, l := range ls {
				n, _ := l.Size()
				total += n
			}
			if progress == 0 || last.Done != total || last.Total != total {
				t.Errorf("progress: %d calls, last %+v, want Done = Total = %d", progress, last, total)
			}

			// A bare reference that no daemon has comes from the registry.
			origins = nil
			bare := mustOpen(t, host+"/strata/app:v1", Options{Used: opts.Used})
			closeImage(t, bare)
			sameImage(t, bare, img)
			if len(origins) != 1 || origins[0].Kind != KindRegistry {
				t.Errorf("bare reference: Used got %v, want registry", origins)
			}
		})
	}
}

func TestRegistryPlatform(t *testing.T) {
	isolateEnv(t)
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.start(t)
			amd := fixture(t, &v1.Platform{OS: "linux", Architecture: "amd64"})
			arm := fixture(t, &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"})
			idx := imagetest.MustIndex(t,
				imagetest.Manifest{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
				imagetest.Manifest{Image: arm, Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
			)
			ref := "registry://" + registrytest.PushIndex(t, host+"/strata/multi:1", idx)

			for _, tc := range []struct {
				platform string
				want     v1.Image
			}{
				{"linux/arm64", arm},
				{"linux/arm64/v8", arm},
				{"linux/amd64", amd},
			} {
				got := mustOpen(t, ref, Options{Platform: tc.platform})
				closeImage(t, got)
				gd, _ := got.Digest()
				wd, _ := tc.want.Digest()
				if gd != wd {
					t.Errorf("--platform %s: digest %s, want %s", tc.platform, gd, wd)
				}
			}

			_, err := Open(context.Background(), ref, Options{Platform: "linux/s390x"})
			var pe *PlatformError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PlatformError", err)
			}
			if got := strings.Join(pe.Available, ", "); got != "linux/amd64, linux/arm64/v8" {
				t.Errorf("available = %q, want linux/amd64, linux/arm64/v8", got)
			}
		})
	}
}

func TestRegistryErrors(t *testing.T) {
	isolateEnv(t)
	const user, password = "strata", "s3cret-hunter2"

	open := registrytest.InProcess(t, nil)
	registrytest.Push(t, open+"/strata/app:v1", fixture(t, nil))

	private := registrytest.InProcess(t, registrytest.RequireAuth(user, password))

	img := fixture(t, nil)
	ls, _ := img.Layers()
	bad, _ := ls[1].Digest()
	tampered := registrytest.InProcess(t, registrytest.TamperBlob(bad))
	registrytest.Push(t, tampered+"/strata/app:v1", img)

	closed := registrytest.ClosedAddr(t)

	for _, tc := range []struct {
		name     string
		ref      string
		is       error
		contains string
	}{
		{"unknown tag", "registry://" + open + "/strata/app:v2", ErrNotFound, "not found in registry " + open},
		{"unknown repository", "registry://" + open + "/strata/nope:v1", ErrNotFound, "not found in registry"},
		{"no tag", "registry://" + open + "/strata/app", ErrNotFound, "image " + open + "/strata/app:latest not found in registry " + open + " (no tag was given, so :latest was tried)"},
		{"latest typed", "registry://" + open + "/strata/app:latest", ErrNotFound, "app:latest not found in registry " + open + ""},
		{"auth required", "registry://" + private + "/strata/app:v1", ErrUnauthorized, "authentication required"},
		{"unreachable", "registry://" + closed + "/strata/app:v1", ErrUnavailable, "registry " + closed + " is not reachable"},
		{"bad reference", "registry://UPPER/Case:x", nil, "reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			img, err := Open(context.Background(), tc.ref, Options{})
			if err == nil {
				Close(img)
				t.Fatalf("Open(%q) succeeded", tc.ref)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("err = %q, want it to contain %q", err, tc.contains)
			}
			if strings.HasSuffix(tc.ref, ":latest") && strings.Contains(err.Error(), "no tag was given") {
				t.Errorf("err = %q says no tag was given for %s", err, tc.ref)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v to fail", d)
			}
		})
	}

	t.Run("credentials stay secret", func(t *testing.T) {
		// Wrong credentials from a docker config: the error must say
		// "authentication required" and show neither them nor their
		// base64 form.
		wrong := "wrong-" + password
		auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + wrong))
		cfg := `{"auths":{"` + private + `":{"auth":"` + auth + `"}}}`
		if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")) })
		_, err := Open(context.Background(), "registry://"+private+"/strata/app:v1", Options{})
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		for _, secret := range []string{wrong, auth} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q reveals a credential", err)
			}
		}
	})

	t.Run("good credentials", func(t *testing.T) {
		auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
		cfg := `{"auths":{"` + private + `":{"auth":"` + auth + `"}}}`
		if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")) })
		registrytest.Push(t, private+"/strata/app:v1", fixture(t, nil))
		img := mustOpen(t, "registry://"+private+"/strata/app:v1", Options{})
		closeImage(t, img)
		sameImage(t, img, fixture(t, nil))
	})

	t.Run("tampered blob", func(t *testing.T) {
		// The manifest is fine, so Open succeeds; reading the layer whose
		// blob was altered fails, naming that layer.
		got := mustOpen(t, "registry://"+tampered+"/strata/app:v1", Options{})
		closeImage(t, got)
		gl, _ := got.Layers()
		rc, err := gl[1].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err == nil {
			t.Fatal("reading a tampered blob succeeded")
		}
		if !strings.Contains(err.Error(), "reading layer "+bad.String()) {
			t.Errorf("err = %q, want it to name layer %s", err, bad)
		}
		// The other layers are intact.
		readAll(t, gl[0].Compressed)
	})
}
