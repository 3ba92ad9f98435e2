package source

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
)

// saveBytes writes img as a classic or a Docker 25+ save and returns the
// archive; with configFirst the config member is moved before the layers
// (where a save's name order may put it), manifest.json staying last.
func saveBytes(t testing.TB, img v1.Image, docker25, configFirst bool) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "save.tar")
	write := imagetest.WriteDockerArchive
	if docker25 {
		write = imagetest.WriteDocker25Archive
	}
	if err := write(p, img, "example.com/app:1.0"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !configFirst {
		return b
	}
	cfgName, _ := img.ConfigName()
	b, err = imagetest.MoveFirst(b, cfgName.Hex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// countingReader counts what has been read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestCopySpottingReportsTheConfigEarly: spooling a save reports its
// config, once, as soon as it has streamed by, before manifest.json (the
// last member, which names it) and, when the config comes first, before
// any layer; the copy is the stream byte for byte.
func TestCopySpottingReportsTheConfigEarly(t *testing.T) {
	img := fixture(t, nil)
	want, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                  string
		docker25, configFirst bool
	}{{"classic", false, false}, {"classic config first", false, true}, {"docker25", true, false}, {"docker25 config first", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			b := saveBytes(t, img, tc.docker25, tc.configFirst)
			in := &countingReader{r: bytes.NewReader(b)}
			var at []int
			var got *v1.ConfigFile
			var out bytes.Buffer
			n, err := copySpotting(&out, in, func(c *v1.ConfigFile) { at, got = append(at, in.n), c })
			if err != nil || n != int64(len(b)) || !bytes.Equal(out.Bytes(), b) {
				t.Fatalf("copied %d of %d bytes (%v), same %v", n, len(b), err, bytes.Equal(out.Bytes(), b))
			}
			if len(at) != 1 {
				t.Fatalf("config reported %d times, want once", len(at))
			}
			if manifestAt := bytes.Index(b, []byte("manifest.json")); at[0] > manifestAt {
				t.Errorf("config reported after %d bytes, past manifest.json's header at %d", at[0], manifestAt)
			}
			if tc.configFirst && at[0] > 16<<10 {
				t.Errorf("config first: reported after %d of %d bytes", at[0], len(b))
			}
			if len(got.History) != len(want.History) || got.History[0].CreatedBy != want.History[0].CreatedBy ||
				!slices.Equal(got.RootFS.DiffIDs, want.RootFS.DiffIDs) {
				t.Errorf("reported config %+v, want %+v", got.RootFS, want.RootFS)
			}
		})
	}
}

// TestCopySpottingCopiesAnything: a stream that is no tar is copied all
// the same, reporting nothing; a stream that fails midway fails the copy.
func TestCopySpottingCopiesAnything(t *testing.T) {
	junk := bytes.Repeat([]byte("not a tar at all\n"), 4096)
	var out bytes.Buffer
	called := false
	if n, err := copySpotting(&out, bytes.NewReader(junk), func(*v1.ConfigFile) { called = true }); err != nil || n != int64(len(junk)) || !bytes.Equal(out.Bytes(), junk) || called {
		t.Errorf("junk: copied %d of %d (%v), config reported %v", n, len(junk), err, called)
	}
	b := saveBytes(t, fixture(t, nil), true, false)
	broken := io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{})
	if _, err := copySpotting(io.Discard, broken, func(*v1.ConfigFile) {}); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("a stream cut midway: %v, want its error", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestPipeReportsConfig: a save piped in calls Options.Config with its
// config, and the image still opens.
func TestPipeReportsConfig(t *testing.T) {
	spoolDir(t)
	img := fixture(t, nil)
	var got []*v1.ConfigFile
	opened := mustOpen(t, "-", Options{Stdin: feed(t, saveBytes(t, img, true, true)), Config: func(c *v1.ConfigFile) { got = append(got, c) }})
	d1, _ := img.ConfigName()
	d2, _ := opened.ConfigName()
	if len(got) != 1 || d1 != d2 {
		t.Errorf("Config called %d times; opened config %s, want %s", len(got), d2, d1)
	}
}

// FuzzCopySpotting: whatever a stream holds, the copy is the stream byte
// for byte, and a config is reported at most once.
func FuzzCopySpotting(f *testing.F) {
	small := imagetest.MustImage(f, []v1.Layer{imagetest.MustLayer(f, imagetest.Tar(imagetest.File("a", "b")), imagetest.Uncompressed)},
		[]v1.History{{CreatedBy: "COPY a /"}}, nil)
	f.Add(saveBytes(f, small, true, true))
	f.Add(saveBytes(f, small, false, false))
	f.Add([]byte("not a tar"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		calls := 0
		n, err := copySpotting(&out, bytes.NewReader(b), func(*v1.ConfigFile) { calls++ })
		if err != nil || n != int64(len(b)) || !bytes.Equal(out.Bytes(), b) || calls > 1 {
			t.Fatalf("copied %d of %d (%v), equal %v, %d reports", n, len(b), err, bytes.Equal(out.Bytes(), b), calls)
		}
	})
}
