package source

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/imagetest"
)

// TestTinyFixtureUpToDate regenerates testdata/tiny.tar and checks that the
// committed file is byte-identical, so the fixture cannot drift from its
// generator. Regenerate with: go generate ./internal/imagetest
func TestTinyFixtureUpToDate(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", "testdata", "tiny.tar"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "tiny.tar")
	if err := imagetest.WriteTiny(p); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, fresh) {
		t.Fatal("testdata/tiny.tar is stale; run go generate ./internal/imagetest")
	}
}

func TestTinyFixtureContents(t *testing.T) {
	img := mustOpen(t, "docker-archive:"+filepath.Join("..", "testdata", "tiny.tar")+":"+imagetest.TinyTag, Options{})
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	empty := 0
	for _, h := range cfg.History {
		if h.EmptyLayer {
			empty++
		}
	}
	if len(ls) != 5 || len(cfg.History) != 7 || empty != 2 {
		t.Fatalf("%d layers, %d history entries (%d empty); want 5, 7 (2)", len(ls), len(cfg.History), empty)
	}
	var whiteouts, opaque int
	for _, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch base := filepath.Base(hdr.Name); {
			case base == ".wh..wh..opq":
				opaque++
			case strings.HasPrefix(base, ".wh."):
				whiteouts++
			}
		}
		rc.Close()
	}
	if whiteouts != 1 || opaque != 1 {
		t.Errorf("%d whiteouts and %d opaque markers; want 1 and 1", whiteouts, opaque)
	}
}

func TestOpenCanceledBeforeLayers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, filepath.Join("..", "testdata", "tiny.tar"), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
