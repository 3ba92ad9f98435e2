package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

var (
	bigOnce sync.Once
	bigRes  *analyze.Result
	bigErr  error
)

// bigResult analyses a generated image of 200,000 files in four layers:
// a base, an addition, a layer rewriting a quarter of the base and one
// deleting directories and adding more. It is built once per test binary.
func bigResult(b *testing.B) *analyze.Result {
	b.Helper()
	bigOnce.Do(func() {
		files := func(prefix string, dirs, per, size int) []it.Entry {
			var es []it.Entry
			for d := range dirs {
				dir := fmt.Sprintf("%s/d%03d", prefix, d)
				es = append(es, it.Dir(dir))
				for f := range per {
					es = append(es, it.SizedFile(fmt.Sprintf("%s/f%04d.txt", dir, f), int64(size+f%7)))
				}
			}
			return es
		}
		l0 := files("usr/lib", 100, 1000, 10)                                     // 100,000 files
		l1 := files("opt/app", 50, 1000, 20)                                      // 50,000 files
		l2 := files("usr/lib", 25, 1000, 30)                                      // rewrites 25,000
		l3 := append(files("srv/data", 25, 1000, 5), it.Whiteout("opt/app/d001")) // 25,000 more
		var layers []v1.Layer
		for _, l := range [][]it.Entry{l0, l1, l2, l3} {
			layer, err := it.Layer(it.Tar(l...), it.Uncompressed)
			if err != nil {
				bigErr = err
				return
			}
			layers = append(layers, layer)
		}
		img, err := it.Image(layers, nil, nil)
		if err != nil {
			bigErr = err
			return
		}
		bigRes, bigErr = analyze.Analyze(context.Background(), img, analyze.Options{})
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigRes
}

// scrollKeys move a tree's cursor and page; historyKeys walk the history
// down and back, each layer's view cached after its first visit.
var (
	scrollKeys  = []string{"down", "down", "pgdown", "up", "ctrl+d", "up"}
	historyKeys = []string{"down", "down", "down", "up", "up", "up"}
)

// cycle times keys pressed in turn, each with the frame it draws.
func cycle(b *testing.B, m *Model, keys []string) {
	b.Helper()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		press(b, m, keys[i%len(keys)])
		_ = m.View()
	}
}

// BenchmarkTreeMove measures one cursor step in the file tree of the
// 200,000-file stacked view plus the frame it renders.
func BenchmarkTreeMove(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a", "tab") // last layer, stacked: every file
	_ = m.View()
	cycle(b, m, scrollKeys)
}

// BenchmarkToggleView measures switching the 200,000-file tree between the
// layer-only and stacked views (both cached after the first switch) with
// the frame it renders.
func BenchmarkToggleView(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "s", "s") // build both views of the last layer once
	b.ResetTimer()
	for b.Loop() {
		press(b, m, "s")
		_ = m.View()
	}
}

// BenchmarkSelectLayer measures moving through the history with the
// stacked view on, each layer's view being cached after its first visit.
func BenchmarkSelectLayer(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "ctrl+a", "G", "g")
	cycle(b, m, historyKeys)
}

// BenchmarkFirstVisitFrame measures the frame of a first visit to the
// 200,000-file stacked view of the top layer: the key press and the
// frame it draws while the view is built in the background (its build is
// BenchmarkFirstStackedBuild, off the event loop).
func BenchmarkFirstVisitFrame(b *testing.B) {
	res := bigResult(b)
	for b.Loop() {
		b.StopTimer()
		m := newTestModel(b, res, 160, 50)
		m.Update(keyMsg("G")) // the top layer; its build command is dropped
		b.StartTimer()
		_, cmd := m.Update(keyMsg("ctrl+a"))
		_ = m.View()
		b.StopTimer()
		if cmd == nil || !m.tree.building {
			b.Fatal("the stacked view was built during the key press")
		}
		b.StartTimer()
	}
}

// BenchmarkFirstStackedBuild measures building an uncached stacked view of
// the top layer: the one-off cost of the first visit, paid in a command.
func BenchmarkFirstStackedBuild(b *testing.B) {
	res := bigResult(b)
	b.ResetTimer()
	for b.Loop() {
		buildViewTree(res, len(res.Layers)-1, modeStacked, nil)
	}
}

// BenchmarkFilterKeystroke measures re-filtering the 200,000-file stacked
// view by path substring, as happens on every key typed after /.
func BenchmarkFilterKeystroke(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a", "/")
	queries := []string{"d01", "d012", "d012/f1"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.filter.input.SetValue(queries[i%len(queries)])
		m.Update(filterChangedMsg{})
		_ = m.View()
	}
}

// BenchmarkLargestFirstSort measures listing and sorting every file of the
// 200,000-file stacked view of the top layer: what the first L on a view
// costs.
func BenchmarkLargestFirstSort(b *testing.B) {
	vt := buildViewTree(bigResult(b), 3, modeStacked, nil)
	b.ResetTimer()
	for b.Loop() {
		sortedFiles(vt)
	}
}

// BenchmarkLargestFirstFrame measures the frame of a first L on that view:
// the key press and the frame drawn while the list sorts in a command.
func BenchmarkLargestFirstFrame(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a")
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		m.largest = newLargest(m.keys, m.styles)
		m.layout()
		b.StartTimer()
		_, cmd := m.Update(keyMsg("L"))
		_ = m.View()
		b.StopTimer()
		if cmd == nil || m.largest.files != nil {
			b.Fatal("the list was sorted during the key press")
		}
		m.Update(keyMsg("L"))
		b.StartTimer()
	}
}

// BenchmarkLargestOpen measures L on that view once its list is sorted:
// opening the overlay again and the frame it draws.
func BenchmarkLargestOpen(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a")
	b.ResetTimer()
	for b.Loop() {
		press(b, m, "L")
		_ = m.View()
		b.StopTimer()
		if m.overlay != overlayLargest || len(m.largest.files) < 150_000 {
			b.Fatalf("overlay %d with %d files", m.overlay, len(m.largest.files))
		}
		press(b, m, "L")
		b.StartTimer()
	}
}

// BenchmarkLargestMove measures one cursor step in the open largest-files
// list of that view, with the frame it renders.
func BenchmarkLargestMove(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a", "L")
	cycle(b, m, scrollKeys)
}

// BenchmarkFileHistoryOpen measures H on a file of the 200,000-file image
// (a scan of every layer's entries, 225,000 of them) with the frame it
// renders; the file was written by layers 0 and 2.
func BenchmarkFileHistoryOpen(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "ctrl+a")
	m.setFocus(focusTree)
	if !m.tree.selectPath("usr/lib/d003/f0007.txt", true) {
		b.Fatal("no usr/lib/d003/f0007.txt in the stacked view")
	}
	b.ResetTimer()
	for b.Loop() {
		press(b, m, "H")
		_ = m.View()
		b.StopTimer()
		if m.overlay != overlayVersions || len(m.versions.rows) != 2 {
			b.Fatalf("overlay %d with %d versions", m.overlay, len(m.versions.rows))
		}
		press(b, m, "esc")
		b.StartTimer()
	}
}

// BenchmarkViewerSearchFrame measures the frame of a viewer page whose
// every row holds the search's matches, highlighted.
func BenchmarkViewerSearchFrame(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 200, 60)
	var text []byte
	for i := range 20000 {
		text = fmt.Appendf(text, "row %d: needle and another needle\n", i)
	}
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(text)), nil
	}
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "usr/lib/d003/f0007.txt"})
	run(m, cmd)
	press(b, m, "/", "n", "e", "e", "d", "l", "e", "enter")
	if !strings.Contains(m.viewer.title, "40000 matches") {
		b.Fatalf("title %q", m.viewer.title)
	}
	b.ResetTimer()
	for b.Loop() {
		press(b, m, "down")
		_ = m.View()
	}
}

// BenchmarkDiffTextAtLimit measures the diff command on two texts of
// about 1 MiB (diffLimit) with every 100th of their 30,000 lines changed:
// the worst a line diff is asked to do. It runs off the UI goroutine.
func BenchmarkDiffTextAtLimit(b *testing.B) {
	var a, c []byte
	for i := 0; len(a) < diffLimit-64; i++ {
		line := fmt.Appendf(nil, "line %d of the configuration file\n", i)
		a = append(a, line...)
		if i%100 == 0 {
			line = fmt.Appendf(nil, "line %d changed\n", i)
		}
		c = append(c, line...)
	}
	open := func(_ context.Context, layer int, _ string) (io.ReadCloser, error) {
		if layer == 0 {
			return io.NopCloser(bytes.NewReader(a)), nil
		}
		return io.NopCloser(bytes.NewReader(c)), nil
	}
	for b.Loop() {
		msg := diffCmd(open, diffMsg{Path: "etc/app.conf", A: 0, B: 1}, 1)().(diffDoneMsg)
		if len(msg.Lines) < 300 {
			b.Fatalf("%d diff lines", len(msg.Lines))
		}
	}
}

// BenchmarkSplitMove measures one cursor step in the split view's lower
// half (the 200,000-file stacked view of the top layer, under its own
// changes) plus the frame it renders: both trees are drawn.
func BenchmarkSplitMove(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "G", "|", "tab", "tab") // last layer, split, the lower half
	if !m.split || m.tree != m.trees[1] {
		b.Fatal("not in the split's lower half")
	}
	_ = m.View()
	cycle(b, m, scrollKeys)
}

// BenchmarkSplitSelectLayer measures moving through the history with the
// split on: both halves change layer, each view cached after its first
// visit.
func BenchmarkSplitSelectLayer(b *testing.B) {
	res := bigResult(b)
	m := newTestModel(b, res, 160, 50)
	press(b, m, "|", "G", "g")
	cycle(b, m, historyKeys)
}

// BenchmarkSplitOpenFrame measures the key press opening the split on
// the top layer for the first time, and the frame it draws: the lower
// half's 200,000-file stacked view is built in the background meanwhile.
func BenchmarkSplitOpenFrame(b *testing.B) {
	res := bigResult(b)
	for b.Loop() {
		b.StopTimer()
		m := newTestModel(b, res, 160, 50)
		m.Update(keyMsg("G")) // the top layer; its build command is dropped
		b.StartTimer()
		m.Update(keyMsg("|"))
		_ = m.View()
		b.StopTimer()
		if !m.trees[1].building {
			b.Fatal("the stacked view was built during the key press")
		}
		b.StartTimer()
	}
}
