package advice

// Caches and archives left in the image: what package managers and
// downloads leave behind, found by the directories and names files have.

import (
	"fmt"
	"iter"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// cacheKind is a package manager's cache or index, recognised by the
// directories a file is under.
type cacheKind struct {
	name string
	dir  dirPattern
	fix  string
	// pkgExt, when set, is the extension of the package files the cache
	// keeps (".deb"): those are counted, and matched with the installed
	// packages (see pkgFiles).
	pkgExt string
}

// dirPattern is a run of directory names: at the root (under) or anywhere
// (inside). A file is in it when it is below a directory that ends the run.
type dirPattern struct {
	comps    []string // outermost first
	anchored bool
}

func under(dir string) dirPattern  { return dirPattern{comps: strings.Split(dir, "/"), anchored: true} }
func inside(dir string) dirPattern { return dirPattern{comps: strings.Split(dir, "/")} }

var cacheKinds = []cacheKind{
	{"apt package lists", under("var/lib/apt/lists"), "add && rm -rf /var/lib/apt/lists/* to the RUN that runs apt-get update", ""},
	{"apt package archives", under("var/cache/apt"), "run apt-get clean in the same RUN as apt-get install", ".deb"},
	{"apk cache", under("var/cache/apk"), "use apk add --no-cache", ".apk"},
	{"dnf cache", under("var/cache/dnf"), "run dnf clean all in the same RUN as dnf install", ".rpm"},
	{"dnf5 cache", under("var/cache/libdnf5"), "run dnf clean all in the same RUN as dnf install", ".rpm"},
	{"yum cache", under("var/cache/yum"), "run yum clean all in the same RUN as yum install", ".rpm"},
	{"zypper cache", under("var/cache/zypp"), "run zypper clean --all in the same RUN as zypper install", ".rpm"},
	{"pip cache", inside(".cache/pip"), "use pip install --no-cache-dir", ""},
	{"npm cache", inside(".npm/_cacache"), "run npm cache clean --force in the same RUN, or use a cache mount", ""},
	{"yarn cache", inside(".cache/yarn"), "run yarn cache clean in the same RUN, or use a cache mount", ""},
	{"go build cache", inside(".cache/go-build"), "build in a separate stage, or use RUN --mount=type=cache,target=/root/.cache/go-build", ""},
	{"go module download cache", inside("pkg/mod/cache/download"), "build in a separate stage, or use a cache mount for the module cache", ""},
}

// caches reports package-manager caches left in the final filesystem, and
// those deleted only by a later step.
func caches(res *analyze.Result, kinds *cacheIndex, w int) []Advice {
	type tally struct {
		left, wasted         int64
		leftLayers, byLayers []int
		fromLayers           []int
		pkgs                 pkgFiles // the package files left
	}
	tallies := make([]tally, len(cacheKinds))
	for i, e := range storedFiles(res, w) {
		if k := kinds.of(e.Node); k >= 0 {
			t := &tallies[k]
			if by := hiddenAt(e, w); by == analyze.NotHidden {
				t.left += e.Size
				t.leftLayers = addLayer(t.leftLayers, i)
				t.pkgs.add(res.Tree.Name(e.Node), cacheKinds[k].pkgExt)
			} else {
				t.wasted += e.Size
				t.fromLayers = addLayer(t.fromLayers, i)
				t.byLayers = addLayer(t.byLayers, by)
			}
		}
	}
	var out []Advice
	inst := installed(res)
	for k, t := range tallies {
		ck := cacheKinds[k]
		if t.left > 0 {
			out = append(out, Advice{Kind: KindCache, Bytes: t.left, Layers: t.leftLayers,
				Message: fmt.Sprintf("%s: %s%s left in the final image by %s: %s", ck.name, units.Bytes(t.left),
					t.pkgs.describe(ck.pkgExt, inst), commands(res, t.leftLayers), ck.fix)})
		}
		if t.wasted > 0 {
			out = append(out, Advice{Kind: KindCache, Bytes: t.wasted, Layers: merge(t.fromLayers, t.byLayers),
				Message: fmt.Sprintf("%s: %s stored by %s and deleted only by %s, which saves nothing: %s",
					ck.name, units.Bytes(t.wasted), commands(res, t.fromLayers), commands(res, t.byLayers), ck.fix)})
		}
	}
	return out
}

// cacheIndex tells which cache kind a file is in: its directory's, worked
// out once per directory from the names of it and its parents (the kind of
// the outermost cache directory above it), never by building paths.
type cacheIndex struct {
	tree *analyze.Tree
	// byDir holds, per directory node, its kind plus 2 (1: none; 0: not
	// worked out yet): a slice rather than a map, for a million lookups.
	byDir []int8
	stack []analyze.NodeID
}

func newCacheIndex(t *analyze.Tree) *cacheIndex {
	return &cacheIndex{tree: t, byDir: make([]int8, t.Len())}
}

// of returns the index in cacheKinds of the cache that holds the file id,
// or -1.
func (c *cacheIndex) of(id analyze.NodeID) int {
	dir := c.tree.Parent(id)
	if k := c.byDir[dir]; k != 0 {
		return int(k) - 2
	}
	// Work out the unknown directories from the top down, without
	// recursion: paths can be 100,000 levels deep.
	c.stack = c.stack[:0]
	for d := dir; d != analyze.Root && c.byDir[d] == 0; d = c.tree.Parent(d) {
		c.stack = append(c.stack, d)
	}
	for i := len(c.stack) - 1; i >= 0; i-- {
		d := c.stack[i]
		k := -1
		if p := c.tree.Parent(d); p != analyze.Root {
			k = int(c.byDir[p]) - 2
		}
		if k < 0 {
			k = c.ends(d)
		}
		c.byDir[d] = int8(k + 2)
	}
	if dir == analyze.Root {
		return -1
	}
	return int(c.byDir[dir]) - 2
}

// ends returns the kind whose pattern the directory d completes, or -1.
func (c *cacheIndex) ends(d analyze.NodeID) int {
	name := c.tree.Name(d)
	for k, ck := range cacheKinds {
		comps := ck.dir.comps
		if comps[len(comps)-1] != name {
			continue
		}
		n := d
		ok := true
		for j := len(comps) - 2; j >= 0 && ok; j-- {
			n = c.tree.Parent(n)
			ok = n != analyze.Root && c.tree.Name(n) == comps[j]
		}
		if ok && (!ck.dir.anchored || c.tree.Parent(n) == analyze.Root) {
			return k
		}
	}
	return -1
}

// archiveExts are the extensions of archives, longest first so that
// "app.tar.gz" is an app.tar.gz, not an app.tar... gz.
var archiveExts = []string{".tar.bz2", ".tar.zst", ".tar.gz", ".tar.xz", ".tbz2", ".tgz", ".txz", ".tbz", ".tar", ".zip"}

// archiveExt returns the length of name's archive extension (any case),
// or 0: a plain suffix test, for it runs on every file.
func archiveExt(name string) int {
	// Every extension ends in one of these: most names are ruled out by
	// their last byte (made lower case).
	if len(name) < 5 {
		return 0
	}
	switch name[len(name)-1] | 0x20 {
	case 'r', 'z', 'p', '2', 't':
	default:
		return 0
	}
	for _, ext := range archiveExts {
		if len(name) > len(ext) && strings.EqualFold(name[len(name)-len(ext):], ext) {
			return len(ext)
		}
	}
	return 0
}

// archives reports archives deleted by a later step (copied or fetched,
// extracted, then removed) and archives left next to a directory of the
// same name.
func archives(res *analyze.Result, kinds *cacheIndex, w int) []Advice {
	var out []Advice
	for i, e := range storedFiles(res, w) {
		// The extension is in the file's own name: match that before
		// building the whole path.
		name := res.Tree.Name(e.Node)
		ext := archiveExt(name)
		if ext == 0 {
			continue
		}
		if kinds.of(e.Node) >= 0 {
			continue // a package index, reported as a cache
		}
		p := res.Tree.Path(e.Node)
		if by := hiddenAt(e, w); by != analyze.NotHidden {
			out = append(out, Advice{Kind: KindArchive, Bytes: e.Size, Layers: []int{i, by},
				Message: fmt.Sprintf("archive %s (%s) stored by %s stays in the image although %s deleted it: download, extract and delete it in one RUN, or extract it in a build stage and copy the result",
					name, units.Bytes(e.Size), command(res, i), command(res, by))})
			continue
		}
		tree := p[:len(p)-ext]
		if id, ok := res.Tree.Lookup(tree); ok {
			if ref, ok := res.Tree.Final(id); ok && res.Layers[ref.Layer].Entries[ref.Index].Kind == analyze.KindDir {
				out = append(out, Advice{Kind: KindArchive, Bytes: e.Size, Layers: addLayer([]int{i}, ref.Layer),
					Message: fmt.Sprintf("archive %s (%s) is still in the image next to its extracted tree /%s: delete it in the RUN that extracts it",
						name, units.Bytes(e.Size), tree)})
			}
		}
	}
	return out
}

// storedFiles yields the regular files with content that the build's
// layers store, with their layer: the running container's layer w is not
// the build's.
func storedFiles(res *analyze.Result, w int) iter.Seq2[int, analyze.Entry] {
	return func(yield func(int, analyze.Entry) bool) {
		for i, l := range res.Layers {
			if i == w {
				continue
			}
			for _, e := range l.Entries {
				if e.Kind == analyze.KindFile && e.Change != analyze.ChangeRemoved && e.Size > 0 && !yield(i, e) {
					return
				}
			}
		}
	}
}
