package compare_test

import (
	"context"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/compare"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// image analyses one layer per entry list, with history steps named by
// cmds (one per layer, after an empty first step).
func image(t *testing.T, hash bool, cmds []string, layers ...[]it.Entry) *analyze.Result {
	t.Helper()
	var ls []v1.Layer
	hist := []v1.History{{CreatedBy: "ENV A=1", EmptyLayer: true}}
	for i, entries := range layers {
		ls = append(ls, it.MustLayer(t, it.Tar(entries...), it.Gzip))
		hist = append(hist, v1.History{CreatedBy: cmds[i]})
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, hist, nil), analyze.Options{HashFiles: hash})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var cmds = []string{"COPY busybox /bin/busybox", "COPY app /app", "RUN make"}

func builds(t *testing.T, hash bool, src string, extra ...it.Entry) (*analyze.Result, *analyze.Result) {
	base := []it.Entry{it.Dir("bin"), it.SizedFile("bin/busybox", 5000)}
	old := image(t, hash, cmds, base,
		[]it.Entry{it.Dir("app"), it.File("app/main.c", "int v=1;"), it.File("app/README", "hi")},
		[]it.Entry{it.SizedFile("app/out", 100), it.File("app/tmp.o", "xx")})
	new := image(t, hash, cmds, base,
		[]it.Entry{it.Dir("app"), it.File("app/main.c", src), it.File("app/README", "hi")},
		append([]it.Entry{it.SizedFile("app/out", 300)}, extra...))
	return old, new
}

func TestCacheBreakNamesStepAndFile(t *testing.T) {
	old, new := builds(t, true, "int v=2;") // same size, other content
	r := compare.Compare(old, new)
	if r.SharedLayers != 1 {
		t.Errorf("SharedLayers = %d, want 1", r.SharedLayers)
	}
	cb := r.CacheBreak
	if cb == nil {
		t.Fatal("no cache break")
	}
	if cb.Layer != 1 || cb.Step != 3 || cb.Command != "COPY app /app" || cb.CommandChanged || !cb.ContentKnown {
		t.Errorf("cache break = %+v, want layer 1, step 3, COPY app /app, same command, content known", cb)
	}
	if len(cb.Changes) != 1 || cb.Changes[0].Path != "app/main.c" || !slices.Equal(cb.Changes[0].Reasons, []string{"content"}) {
		t.Errorf("changes = %+v, want app/main.c content", cb.Changes)
	}
	if got := []string{r.Layers[0].Status, r.Layers[1].Status, r.Layers[2].Status}; !slices.Equal(got, []string{"shared", "rebuilt", "rebuilt"}) {
		t.Errorf("statuses = %v", got)
	}
	want := new.Layers[1].CompressedSizeBytes + new.Layers[2].CompressedSizeBytes
	if r.Rebuilt.Layers != 2 || r.Rebuilt.CompressedSizeBytes != want || r.Rebuilt.SizeBytes != new.Layers[1].SizeBytes+new.Layers[2].SizeBytes {
		t.Errorf("rebuilt = %+v, want 2 layers, %d compressed bytes", r.Rebuilt, want)
	}
	f := r.Files
	if f.Added != 0 || f.Removed != 1 || f.Changed != 2 || f.RemovedBytes != 2 || f.ChangedBytes != 200 {
		t.Errorf("files = %+v, want app/tmp.o removed, app/out and app/main.c changed (+200)", f)
	}
	if len(f.Dirs) != 1 || f.Dirs[0] != (compare.DirDiff{Dir: "/app", Removed: 1, Changed: 2, DeltaBytes: 198}) {
		t.Errorf("dirs = %+v", f.Dirs)
	}
	if f.Paths[0].Path != "app/out" {
		t.Errorf("largest change = %s, want app/out", f.Paths[0].Path)
	}
	if r.Delta.SizeBytes != 198 || r.Delta.Layers != 0 {
		t.Errorf("delta = %+v", r.Delta)
	}
}

// Without hashes a same-size edit cannot be seen in the files; the report
// must say the content is unknown rather than invent a reason.
func TestCacheBreakWithoutHashes(t *testing.T) {
	old, new := builds(t, false, "int v=2;")
	cb := compare.Compare(old, new).CacheBreak
	if cb == nil || cb.Layer != 1 || cb.ContentKnown || len(cb.Changes) != 0 {
		t.Errorf("cache break = %+v, want layer 1, content unknown, no changes", cb)
	}
	old, new = builds(t, false, "int v=22;", it.File("app/new", "n"))
	cb = compare.Compare(old, new).CacheBreak
	if len(cb.Changes) != 1 || !slices.Equal(cb.Changes[0].Reasons, []string{"size"}) || cb.Changes[0].NewSize != 9 {
		t.Errorf("changes = %+v, want app/main.c size 8 -> 9", cb.Changes)
	}
}

func TestIdenticalAndAppended(t *testing.T) {
	old, _ := builds(t, true, "int v=1;")
	again, _ := builds(t, true, "int v=1;")
	r := compare.Compare(old, again)
	if r.CacheBreak != nil || r.SharedLayers != 3 || len(r.Files.Paths) != 0 || r.Rebuilt.Layers != 0 {
		t.Errorf("identical images: %+v", r)
	}
	more := image(t, true, append(cmds[:3:3], "RUN rm /app/tmp.o"),
		[]it.Entry{it.Dir("bin"), it.SizedFile("bin/busybox", 5000)},
		[]it.Entry{it.Dir("app"), it.File("app/main.c", "int v=1;"), it.File("app/README", "hi")},
		[]it.Entry{it.SizedFile("app/out", 100), it.File("app/tmp.o", "xx")},
		[]it.Entry{it.Whiteout("app/tmp.o")})
	r = compare.Compare(old, more)
	cb := r.CacheBreak
	if cb == nil || cb.Layer != 3 || cb.OldCommand != "" || len(cb.Changes) != 1 || cb.Changes[0].Reasons[0] != "removed" {
		t.Errorf("appended step: cache break %+v", cb)
	}
	if r.Layers[3].Status != "added" || r.Delta.Layers != 1 {
		t.Errorf("appended step: layer %+v, delta %+v", r.Layers[3], r.Delta)
	}
}

func TestCheck(t *testing.T) {
	i64 := func(n int64) *int64 { return &n }
	f64 := func(f float64) *float64 { return &f }
	in := func(n int) *int { return &n }
	r := &compare.Report{Old: compare.Side{SizeBytes: 1000}, Delta: compare.Delta{SizeBytes: 150, WastedBytes: 10, Layers: 1}}
	for _, tt := range []struct {
		name string
		l    compare.Limits
		want []string
	}{
		{"no limits", compare.Limits{}, nil},
		{"under every limit", compare.Limits{MaxSizeIncrease: i64(150), MaxSizeIncreasePercent: f64(15), MaxWasteIncrease: i64(10), MaxLayersIncrease: in(1)}, nil},
		{"size bytes", compare.Limits{MaxSizeIncrease: i64(149)}, []string{"size"}},
		{"size percent", compare.Limits{MaxSizeIncreasePercent: f64(14.9)}, []string{"size"}},
		{"all", compare.Limits{MaxSizeIncrease: i64(0), MaxWasteIncrease: i64(0), MaxLayersIncrease: in(0)}, []string{"size", "waste", "layers"}},
	} {
		if got := r.Check(tt.l); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Check = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDiskUsage(t *testing.T) {
	a, b := builds(t, false, "int v=2;")
	c := image(t, false, cmds[:1], []it.Entry{it.Dir("bin"), it.SizedFile("bin/busybox", 5000)})
	u := compare.DiskUsage([]*analyze.Result{a, b, c})
	base := a.Layers[0]
	if len(u.SharedLayers) != 1 || u.SharedLayers[0].DiffID != base.DiffID || !slices.Equal(u.SharedLayers[0].Images, []int{0, 1, 2}) {
		t.Errorf("shared layers = %+v, want the base in all three", u.SharedLayers)
	}
	if wantDisk := a.Image.SizeBytes + b.Layers[1].SizeBytes + b.Layers[2].SizeBytes; u.DiskBytes != wantDisk {
		t.Errorf("disk = %d, want %d", u.DiskBytes, wantDisk)
	}
	if u.WireBytes != a.Image.CompressedSizeBytes+b.Layers[1].CompressedSizeBytes+b.Layers[2].CompressedSizeBytes {
		t.Errorf("wire = %d", u.WireBytes)
	}
	if u.SumSizeBytes != a.Image.SizeBytes+b.Image.SizeBytes+c.Image.SizeBytes {
		t.Errorf("sum = %d", u.SumSizeBytes)
	}
	if got := u.Images[2]; got.UniqueBytes != 0 || got.SharedBytes != base.SizeBytes {
		t.Errorf("image c = %+v, want everything shared", got)
	}
	if got := u.Images[0]; got.UniqueBytes != a.Image.SizeBytes-base.SizeBytes {
		t.Errorf("image a = %+v", got)
	}
}

// TestCacheBreakDockerfileLines: the break is placed by NEW's Dockerfile
// only: on the step's lines when it places the step, marked when that is
// the base image's FROM, and not at all when it does not place it.
func TestCacheBreakDockerfileLines(t *testing.T) {
	tests := []struct {
		name  string
		lines analyze.StepLines // for the breaking step (step 3)
		where string
		base  bool
	}{
		{"placed", analyze.StepLines{Line: 7, EndLine: 9}, "Dockerfile:7-9", false},
		{"one line", analyze.StepLines{Line: 4, EndLine: 4}, "Dockerfile:4", false},
		{"base image", analyze.StepLines{Line: 1, EndLine: 1, Base: true}, "Dockerfile:1", true},
		{"not placed", analyze.StepLines{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := builds(t, true, "int v=2;")
			steps := make([]analyze.StepLines, len(new.History))
			steps[2] = tt.lines
			new.BuildFile = &analyze.BuildFile{Path: "Dockerfile", Steps: steps}
			// OLD's Dockerfile is not the one the rebuild ran.
			old.BuildFile = &analyze.BuildFile{Path: "Old.Dockerfile", Steps: make([]analyze.StepLines, len(old.History))}
			cb := compare.Compare(old, new).CacheBreak
			if cb == nil || cb.Step != 3 {
				t.Fatalf("cache break = %+v, want step 3", cb)
			}
			if cb.Where() != tt.where || cb.Base != tt.base {
				t.Errorf("placed at %q (base %v), want %q (base %v)", cb.Where(), cb.Base, tt.where, tt.base)
			}
		})
	}
	old, new := builds(t, true, "int v=2;")
	if cb := compare.Compare(old, new).CacheBreak; cb.Dockerfile != "" || cb.Line != 0 || cb.Where() != "" {
		t.Errorf("placed without a Dockerfile: %+v", cb)
	}
}
