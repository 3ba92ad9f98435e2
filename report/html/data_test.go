package html

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/imagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/html -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test ./report/html -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func analyzeImage(t testing.TB, img v1.Image, ref string) *analyze.Result {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: ref})
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	return res
}

func tinyResult(t testing.TB) *analyze.Result {
	t.Helper()
	img, err := imagetest.Tiny()
	if err != nil {
		t.Fatal(err)
	}
	return analyzeImage(t, img, "testdata/tiny.tar")
}

// quirksResult is an image with the awkward cases: parent directories a
// tar never wrote, a path written twice in one layer, a file rewritten
// later, a directory whited out, an empty file, a symlink, an empty step,
// and a layer that no history entry claims.
func quirksResult(t testing.TB) *analyze.Result {
	t.Helper()
	layers := [][]imagetest.Entry{
		{
			imagetest.Dir("a"),
			imagetest.SizedFile("a/x", 10),
			imagetest.SizedFile("a/b/c/deep", 50), // a/b and a/b/c are implied
			imagetest.SizedFile("big", 100),
			imagetest.File("empty", ""),
		},
		{
			imagetest.SizedFile("a/x", 20),
			imagetest.Symlink("link", "big"),
			imagetest.SizedFile("dup", 5),
			imagetest.SizedFile("dup", 7),
		},
		{
			imagetest.Whiteout("a/b"),
			imagetest.SizedFile("z/new", 3),
		},
	}
	var ls []v1.Layer
	for _, es := range layers {
		ls = append(ls, imagetest.MustLayer(t, imagetest.Tar(es...), imagetest.Gzip))
	}
	history := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "},
		{CreatedBy: "/bin/sh -c #(nop)  ENV A=1", EmptyLayer: true},
		{CreatedBy: "RUN make # buildkit", Comment: "buildkit.dockerfile.v0"},
	}
	return analyzeImage(t, imagetest.MustImage(t, ls, history, nil), "oci:quirks")
}

func TestDataGolden(t *testing.T) {
	tests := []struct {
		name   string
		res    func(testing.TB) *analyze.Result
		budget int
	}{
		{"tiny", tinyResult, DefaultNodeBudget},
		{"tiny_grouped", tinyResult, 4},
		{"quirks", quirksResult, DefaultNodeBudget},
		{"quirks_grouped", quirksResult, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res(t)
			d, err := DataBudget(res, tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			checkTotals(t, res, d)
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name+".json", append(got, '\n'))
		})
	}
}

// checkTotals checks that grouping lost nothing: the final tree holds
// every visible byte and file, the hidden tree every wasted byte, and
// every file is counted once.
func checkTotals(t *testing.T, res *analyze.Result, d *Document) {
	t.Helper()
	visible := res.Image.SizeBytes - res.Image.WastedBytes
	if r := d.Tree.Root; r.Size != visible || r.Files != res.Image.FileCount {
		t.Errorf("final tree holds %d bytes in %d files, want %d bytes in %d files", r.Size, r.Files, visible, res.Image.FileCount)
	}
	if got := d.Hidden.Root.Size; got != res.Image.WastedBytes {
		t.Errorf("hidden tree holds %d bytes, want the %d wasted", got, res.Image.WastedBytes)
	}
	for _, tm := range []Treemap{d.Tree, d.Hidden} {
		var walk func(n *Node) (int64, int)
		walk = func(n *Node) (int64, int) {
			if n.Kind == "" || n.Kind == KindSmall {
				if n.Kind == KindSmall && (len(n.Layers) == 0 || n.Files < 1) {
					t.Errorf("group %q has no layers or files", n.Name)
				}
				return n.Size, n.Files
			}
			var s int64
			var f int
			for _, c := range n.Children {
				cs, cf := walk(c)
				s, f = s+cs, f+cf
			}
			if s != n.Size || f != n.Files {
				t.Errorf("directory %q says %d bytes in %d files, its children add up to %d in %d", n.Name, n.Size, n.Files, s, f)
			}
			return s, f
		}
		walk(tm.Root)
	}
}

func TestDataSteps(t *testing.T) {
	d, err := Data(quirksResult(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{
		{Command: "/bin/sh -c #(nop) ADD file:abc in / ", Instruction: "ADD file:abc in /", Layer: 0},
		{Command: "/bin/sh -c #(nop)  ENV A=1", Instruction: "ENV A=1", Layer: -1},
		{Command: "RUN make # buildkit", Instruction: "RUN make", Comment: "buildkit.dockerfile.v0", Layer: 1},
		// The third layer has no history entry; it is listed anyway.
		{Command: d.Layers[2].Command, Instruction: d.Layers[2].Command, Layer: 2},
	}
	if fmt.Sprint(d.Steps) != fmt.Sprint(want) {
		t.Errorf("steps:\n got %v\nwant %v", d.Steps, want)
	}
}

func TestDataNil(t *testing.T) {
	if _, err := Data(nil); !errors.Is(err, ErrNoResult) {
		t.Errorf("Data(nil) error = %v, want ErrNoResult", err)
	}
	// A result without a Tree (as some callers build by hand) still
	// makes a document, with empty treemaps.
	res := tinyResult(t)
	res.Tree = nil
	d, err := Data(res)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tree.Root == nil || len(d.Tree.Root.Children) != 0 || len(d.Hidden.Root.Children) != 0 {
		t.Errorf("treemaps without a Tree = %+v / %+v, want empty roots", d.Tree.Root, d.Hidden.Root)
	}
}

// TestDataRefusesDeepPathsInOneShortLine: a tree past maxDepth is refused
// with a line that names the bound and the start of the path, not its
// 8 KB whole.
func TestDataRefusesDeepPathsInOneShortLine(t *testing.T) {
	var entries []imagetest.Entry
	p := "d"
	for range maxDepth + 2 {
		entries = append(entries, imagetest.Dir(p))
		p += "/d"
	}
	layer := imagetest.MustLayer(t, imagetest.Tar(entries...), imagetest.Gzip)
	res, err := analyze.Analyze(context.Background(), imagetest.MustImage(t, []v1.Layer{layer}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Data(res)
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("Data = %v (%d bytes), want one short line naming the 4096 bound", err, len(fmt.Sprint(err)))
	}
}
