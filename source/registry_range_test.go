package source

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

type rangeOpener interface {
	OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// rangedLayers opens ref and returns its layers as ranged openers, with
// the blobs they should serve.
func rangedLayers(t *testing.T, ref string, want v1.Image) ([]rangeOpener, [][]byte) {
	t.Helper()
	img := mustOpen(t, ref, Options{})
	closeImage(t, img)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	wls, _ := want.Layers()
	var out []rangeOpener
	var blobs [][]byte
	for i, l := range ls {
		ro, ok := l.(rangeOpener)
		if !ok {
			t.Fatalf("layer %d (%T) does not offer OpenRange", i, l)
		}
		out = append(out, ro)
		rc, _ := wls[i].Compressed()
		b, _ := io.ReadAll(rc)
		blobs = append(blobs, b)
	}
	return out, blobs
}

func TestRegistryOpenRange(t *testing.T) {
	isolateEnv(t)
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.start(t)
			img := fixture(t, nil)
			registrytest.Push(t, host+"/strata/range:1", img)
			los, blobs := rangedLayers(t, "registry://"+host+"/strata/range:1", img)
			for i, ro := range los {
				for _, span := range [][2]int64{{0, 1}, {3, 40}, {int64(len(blobs[i])) - 10, 10}} {
					rc, err := ro.OpenRange(context.Background(), span[0], span[1])
					if err != nil {
						t.Fatalf("layer %d: OpenRange(%d, %d): %v", i, span[0], span[1], err)
					}
					got, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(got, blobs[i][span[0]:span[0]+span[1]]) {
						t.Errorf("layer %d: range %v = %d bytes (%v), want the blob's", i, span, len(got), err)
					}
				}
			}

			// Through a front that drops Range the registry sends the
			// whole blob: that is ErrNoRange, analyze's as well as ours.
			whole := registrytest.Proxy(t, host, registrytest.IgnoreRange)
			los, _ = rangedLayers(t, "registry://"+whole+"/strata/range:1", img)
			_, err := los[0].OpenRange(context.Background(), 3, 40)
			if !errors.Is(err, analyze.ErrNoRange) || !errors.Is(err, ErrNoRange) || !strings.Contains(err.Error(), "answered 200") {
				t.Errorf("without Range support: err = %v, want ErrNoRange saying the registry answered 200", err)
			}
		})
	}
}

// TestRegistryOpenRangeRefuses checks the answers OpenRange does not
// believe: a span other than the one asked for, and a bad request.
func TestRegistryOpenRangeRefuses(t *testing.T) {
	isolateEnv(t)
	shifted := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Range") != "" {
				r.Header.Set("Range", "bytes=0-9")
			}
			next.ServeHTTP(w, r)
		})
	}
	clean, front := registrytest.InProcessPair(t, shifted)
	img := fixture(t, nil)
	registrytest.Push(t, clean+"/strata/range:1", img)
	los, _ := rangedLayers(t, "registry://"+front+"/strata/range:1", img)
	if _, err := los[0].OpenRange(context.Background(), 20, 10); !errors.Is(err, ErrNoRange) || !strings.Contains(err.Error(), "bytes 0-9") {
		t.Errorf("a shifted range: err = %v, want ErrNoRange naming what was sent", err)
	}
	if _, err := los[0].OpenRange(context.Background(), -1, 10); !errors.Is(err, ErrNoRange) {
		t.Errorf("a negative offset: err = %v, want ErrNoRange", err)
	}
}

// TestRegistryOpenRangeAuth reads a range from a registry that demands a
// login, with the credentials docker login would have stored.
func TestRegistryOpenRangeAuth(t *testing.T) {
	isolateEnv(t)
	const user, password = "strata", "s3cret-range"
	clean, private := registrytest.InProcessPair(t, registrytest.RequireAuth(user, password))
	img := fixture(t, nil)
	registrytest.Push(t, clean+"/strata/range:1", img)
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := `{"auths":{"` + private + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	los, blobs := rangedLayers(t, "registry://"+private+"/strata/range:1", img)
	rc, err := los[1].OpenRange(context.Background(), 2, 30)
	if err != nil {
		t.Fatalf("OpenRange with credentials: %v", err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, blobs[1][2:32]) {
		t.Errorf("range = %q, want the blob's bytes", got)
	}
}

// TestRegistryLayerDescriptor checks that a registry layer passes on the
// annotations of its manifest descriptor, which say where a TOC is.
func TestRegistryLayerDescriptor(t *testing.T) {
	isolateEnv(t)
	host := registrytest.InProcess(t, nil)
	s, err := imagetest.Estargz(imagetest.Tar(imagetest.File("etc/hostname", "box\n")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	img, err := imagetest.SeekableImage([]imagetest.Seekable{s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	registrytest.Push(t, host+"/strata/seekable:1", img)
	got := mustOpen(t, "registry://"+host+"/strata/seekable:1", Options{})
	closeImage(t, got)
	ls, _ := got.Layers()
	d, ok := ls[0].(interface {
		Descriptor() (*v1.Descriptor, error)
	})
	if !ok {
		t.Fatalf("layer %T has no Descriptor", ls[0])
	}
	desc, err := d.Descriptor()
	if err != nil || desc.Annotations[analyze.EstargzTOCAnnotation] != s.Annotations[analyze.EstargzTOCAnnotation] {
		t.Errorf("descriptor = %+v (%v), want the TOC digest annotation %q", desc, err, s.Annotations[analyze.EstargzTOCAnnotation])
	}
}
