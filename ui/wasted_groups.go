package ui

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// wastedRow is one row of the wasted list: a file, or a directory all of
// whose wasted files were stored by the same layers and hidden by the
// same layers ("/usr/share/doc/: 109 MB, stored in 1, hidden by 4").
type wastedRow struct {
	path     string // no leading slash; a directory's ends in "/"
	bytes    int64
	files    int
	layers   []int // stored in
	hiddenBy []int
	secret   bool // the file, or one in the folder, looks like a credential
}

// wastedFileRows is one row per file, as analyze lists them.
func wastedFileRows(files []analyze.WastedFile) []wastedRow {
	rows := make([]wastedRow, len(files))
	for i, f := range files {
		rows[i] = wastedRow{path: f.Path, bytes: f.WastedBytes, files: 1, layers: f.Layers, hiddenBy: f.HiddenBy}
	}
	return rows
}

// groupWasted folds the files of each directory whose wasted files share
// their layers into one row, at the highest such directory, named by the
// deepest folder its files share; files that share nothing stay rows of
// their own. Biggest first.
func groupWasted(files []analyze.WastedFile) []wastedRow {
	type agg struct {
		sig   string
		mixed bool
		files int
	}
	sigOf := func(f analyze.WastedFile) string { return layerList(f.Layers) + "|" + layerList(f.HiddenBy) }
	dirs := map[string]*agg{}
	for _, f := range files {
		sig := sigOf(f)
		for d := path.Dir(f.Path); d != "." && d != "/"; d = path.Dir(d) {
			a := dirs[d]
			if a == nil {
				a = &agg{sig: sig}
				dirs[d] = a
			}
			a.files++
			a.mixed = a.mixed || a.sig != sig
		}
	}
	groups := map[string]*wastedRow{}
	var rows []wastedRow
	for _, f := range files {
		top := ""
		for d := path.Dir(f.Path); d != "." && d != "/"; d = path.Dir(d) {
			if a := dirs[d]; !a.mixed && a.files > 1 {
				top = d // keep climbing: the highest uniform folder wins
			}
		}
		if top == "" {
			rows = append(rows, wastedRow{path: f.Path, bytes: f.WastedBytes, files: 1, layers: f.Layers, hiddenBy: f.HiddenBy})
			continue
		}
		g := groups[top]
		if g == nil {
			g = &wastedRow{path: path.Dir(f.Path) + "/", layers: f.Layers, hiddenBy: f.HiddenBy}
			groups[top] = g
		}
		g.bytes += f.WastedBytes
		g.files++
		g.path = commonDir(g.path, path.Dir(f.Path)+"/")
	}
	for _, g := range groups {
		rows = append(rows, *g)
	}
	slices.SortStableFunc(rows, func(a, b wastedRow) int {
		if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	return rows
}

// commonDir is the deepest folder two folders (each ending in "/") share.
func commonDir(a, b string) string {
	for !strings.HasPrefix(b, a) {
		a = path.Dir(strings.TrimSuffix(a, "/")) + "/"
		if a == "./" || a == "//" {
			return ""
		}
	}
	return a
}
