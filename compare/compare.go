package compare

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// Report is what Compare finds. Its fields carry JSON tags: strata compare
// --json prints it as is.
type Report struct {
	Old Side `json:"old"`
	New Side `json:"new"`
	// Layers pairs the layers by position, old beside new.
	Layers []LayerPair `json:"layers"`
	// SharedLayers counts the leading layers both images have (same diffID
	// at the same position): what a rebuild took from its cache.
	SharedLayers int `json:"sharedLayers"`
	// CacheBreak is the first layer that differs; nil when none does.
	CacheBreak *CacheBreak `json:"cacheBreak"`
	// Rebuilt is the cost of every new layer from the cache break on.
	Rebuilt Cost `json:"rebuilt"`
	// Files diffs the two final filesystems.
	Files FileDiff `json:"files"`
	// Delta is new minus old.
	Delta Delta `json:"delta"`
	// Packages lists the packages added, removed or upgraded between the
	// two final filesystems (dpkg, apk and rpm); absent when neither image has
	// a package database.
	Packages []PackageChange `json:"packages,omitempty"`
}

// Side summarises one of the two images.
type Side struct {
	Reference           string  `json:"reference"`
	SizeBytes           int64   `json:"sizeBytes"`
	CompressedSizeBytes int64   `json:"compressedSizeBytes"`
	WastedBytes         int64   `json:"wastedBytes"`
	Efficiency          float64 `json:"efficiency"`
	Layers              int     `json:"layers"`
	FileCount           int     `json:"fileCount"`
}

// Layer is the part of an analyze.Layer a comparison shows.
type Layer struct {
	Digest              string `json:"digest"`
	DiffID              string `json:"diffID"`
	Command             string `json:"command"`
	SizeBytes           int64  `json:"sizeBytes"`
	CompressedSizeBytes int64  `json:"compressedSizeBytes"`
}

// LayerPair is position Index in both images; Old or New is nil where that
// image has fewer layers.
type LayerPair struct {
	Index int    `json:"index"`
	Old   *Layer `json:"old"`
	New   *Layer `json:"new"`
	// Status is "shared" (same diffID), "rebuilt" (both have a layer here,
	// with different content), "added" (only new) or "dropped" (only old).
	Status string `json:"status"`
	// InOld says a rebuilt or added layer's diffID appears somewhere in the
	// old image all the same (a step that produced identical content).
	InOld bool `json:"inOld"`
}

// CacheBreak is the first layer position where the images differ.
type CacheBreak struct {
	Layer int `json:"layer"`
	// Step is the 1-based position in the new image's history of the step
	// that made the layer (0 when the history does not say, or when only
	// the old image has a layer there).
	Step       int    `json:"step"`
	Command    string `json:"command"`
	OldCommand string `json:"oldCommand"`
	// CommandChanged says the instruction itself differs.
	CommandChanged bool `json:"commandChanged"`
	// Changes lists the paths the step wrote differently: the reason the
	// layer's content changed. Empty when only timestamps or tar order did.
	Changes []FileChange `json:"changes"`
	// ContentKnown says both images were read with file hashes, so equal
	// sizes could be told apart by content.
	ContentKnown bool `json:"contentKnown"`
	// Dockerfile, Line and EndLine place Step in the Dockerfile NEW was
	// analysed with (analyze.Result.BuildFile), when it places the step;
	// Base marks a step of the base image, placed on its FROM. Empty
	// otherwise.
	Dockerfile string `json:"dockerfile,omitempty"`
	Line       int    `json:"line,omitempty"`
	EndLine    int    `json:"endLine,omitempty"`
	Base       bool   `json:"base,omitempty"`
}

// Where names the break's lines, "Dockerfile:9" or
// "Dockerfile:12-14", or "" when the Dockerfile does not place the step.
func (cb *CacheBreak) Where() string {
	if cb.Dockerfile == "" || cb.Line <= 0 {
		return ""
	}
	bf := analyze.BuildFile{Path: cb.Dockerfile}
	return bf.Where(analyze.StepLines{Line: cb.Line, EndLine: cb.EndLine})
}

// FileChange is one path that differs. Reasons lists what differs:
// "added" or "removed" alone, else any of "kind", "content", "size",
// "mode", "owner", "link". In a CacheBreak, "removed" also means the new
// step deletes a path the old one left alone, and "kept" the reverse.
type FileChange struct {
	Path    string   `json:"path"`
	Reasons []string `json:"reasons"`
	OldSize int64    `json:"oldSizeBytes"`
	NewSize int64    `json:"newSizeBytes"`
}

// Describe says what differs at the path, sizes included: size renders a
// byte count and arrow joins an old size to a new one, so that the text
// report and the interface each keep their own formatting.
func (c FileChange) Describe(size func(int64) string, arrow string) string {
	if len(c.Reasons) == 0 {
		return size(c.NewSize)
	}
	switch c.Reasons[0] {
	case "added":
		return "added, " + size(c.NewSize)
	case "removed":
		return "removed, " + size(c.OldSize)
	case "kept":
		return "no longer removed, " + size(c.NewSize)
	}
	s := strings.Join(c.Reasons, ", ")
	if c.OldSize != c.NewSize {
		return s + ": " + size(c.OldSize) + " " + arrow + " " + size(c.NewSize)
	}
	return s + " (" + size(c.NewSize) + ")"
}

// Cost sums the new image's layers from the cache break on: what a push
// uploads and a pull downloads after the rebuild. NotInOld* count only the
// layers whose blob digest the old image lacks.
type Cost struct {
	Layers                      int   `json:"layers"`
	SizeBytes                   int64 `json:"sizeBytes"`
	CompressedSizeBytes         int64 `json:"compressedSizeBytes"`
	NotInOldLayers              int   `json:"notInOldLayers"`
	NotInOldSizeBytes           int64 `json:"notInOldSizeBytes"`
	NotInOldCompressedSizeBytes int64 `json:"notInOldCompressedSizeBytes"`
}

// FileDiff compares the final filesystems (directories left out).
type FileDiff struct {
	Added        int   `json:"added"`
	Removed      int   `json:"removed"`
	Changed      int   `json:"changed"`
	AddedBytes   int64 `json:"addedBytes"`
	RemovedBytes int64 `json:"removedBytes"`
	// ChangedBytes is the net size change of the changed files.
	ChangedBytes int64 `json:"changedBytes"`
	// Dirs groups the differences by directory (at most dirDepth levels
	// deep), largest net change first.
	Dirs []DirDiff `json:"dirs"`
	// Paths lists every differing path, largest size change first.
	Paths []FileChange `json:"paths"`
}

// DirDiff counts the differences under one directory.
type DirDiff struct {
	Dir        string `json:"dir"`
	Added      int    `json:"added"`
	Removed    int    `json:"removed"`
	Changed    int    `json:"changed"`
	DeltaBytes int64  `json:"deltaBytes"`
}

// Delta is new minus old.
type Delta struct {
	SizeBytes           int64   `json:"sizeBytes"`
	CompressedSizeBytes int64   `json:"compressedSizeBytes"`
	WastedBytes         int64   `json:"wastedBytes"`
	Efficiency          float64 `json:"efficiency"`
	Layers              int     `json:"layers"`
	FileCount           int     `json:"fileCount"`
}

// sameStep matches the content digest the classic builder writes into a
// COPY or ADD step ("COPY file:<sha256> in /app"): a changed file changes
// it, but the instruction is the same.
var sameStep = regexp.MustCompile(`\b(file|multi|dir):[0-9a-f]{64}\b`)

// dirDepth bounds how deep FileDiff.Dirs groups: usr/lib/python3 rather
// than one group per leaf directory.
const dirDepth = 3

// Compare sets old beside new. Both results need their Tree. Content is
// compared only where both were analysed with Options.HashFiles; otherwise
// files of equal size and metadata count as equal.
func Compare(old, new *analyze.Result) *Report {
	r := &Report{Old: side(old), New: side(new)}
	r.Delta = Delta{
		SizeBytes:           r.New.SizeBytes - r.Old.SizeBytes,
		CompressedSizeBytes: r.New.CompressedSizeBytes - r.Old.CompressedSizeBytes,
		WastedBytes:         r.New.WastedBytes - r.Old.WastedBytes,
		Efficiency:          r.New.Efficiency - r.Old.Efficiency,
		Layers:              r.New.Layers - r.Old.Layers,
		FileCount:           r.New.FileCount - r.Old.FileCount,
	}

	oldDiff := map[string]bool{}
	oldDigest := map[string]bool{}
	for _, l := range old.Layers {
		oldDiff[l.DiffID] = true
		oldDigest[l.Digest] = true
	}
	brk := -1
	for i := range max(len(old.Layers), len(new.Layers)) {
		p := LayerPair{Index: i}
		if i < len(old.Layers) {
			p.Old = layerOf(old.Layers[i])
		}
		if i < len(new.Layers) {
			p.New = layerOf(new.Layers[i])
			p.InOld = oldDiff[p.New.DiffID]
		}
		switch {
		case p.Old != nil && p.New != nil && p.Old.DiffID == p.New.DiffID:
			p.Status, p.InOld = "shared", false
		case p.Old != nil && p.New != nil:
			p.Status = "rebuilt"
		case p.New != nil:
			p.Status = "added"
		default:
			p.Status = "dropped"
		}
		if p.Status == "shared" && brk < 0 {
			r.SharedLayers++
		} else if brk < 0 {
			brk = i
		}
		r.Layers = append(r.Layers, p)
	}
	if brk >= 0 {
		r.CacheBreak = cacheBreak(old, new, brk)
		for _, l := range new.Layers[min(brk, len(new.Layers)):] {
			r.Rebuilt.Layers++
			r.Rebuilt.SizeBytes += l.SizeBytes
			r.Rebuilt.CompressedSizeBytes += l.CompressedSizeBytes
			if !oldDigest[l.Digest] {
				r.Rebuilt.NotInOldLayers++
				r.Rebuilt.NotInOldSizeBytes += l.SizeBytes
				r.Rebuilt.NotInOldCompressedSizeBytes += l.CompressedSizeBytes
			}
		}
	}
	r.Files = diffFinal(old, new)
	r.Packages = diffPackages(old.Packages, new.Packages)
	return r
}

func side(res *analyze.Result) Side {
	s := res.Image
	return Side{Reference: s.Reference, SizeBytes: s.SizeBytes, CompressedSizeBytes: s.CompressedSizeBytes,
		WastedBytes: s.WastedBytes, Efficiency: s.Efficiency, Layers: len(res.Layers), FileCount: s.FileCount}
}

func layerOf(l analyze.Layer) *Layer {
	return &Layer{Digest: l.Digest, DiffID: l.DiffID, Command: l.Command, SizeBytes: l.SizeBytes, CompressedSizeBytes: l.CompressedSizeBytes}
}

// stepOf returns the 1-based history position of the step that made layer i.
func stepOf(res *analyze.Result, i int) int {
	for n, h := range res.History {
		if h.LayerIndex == i {
			return n + 1
		}
	}
	return 0
}

func cacheBreak(old, new *analyze.Result, i int) *CacheBreak {
	cb := &CacheBreak{Layer: i, Changes: []FileChange{}}
	var oe, ne map[string]fileState
	if i < len(new.Layers) {
		cb.Step = stepOf(new, i)
		cb.Command = new.Layers[i].Command
		// The Dockerfile is NEW's: the one the rebuild ran.
		if sl, ok := new.StepLines(cb.Step - 1); ok && cb.Step > 0 {
			cb.Dockerfile, cb.Line, cb.EndLine, cb.Base = new.BuildFile.Path, sl.Line, sl.EndLine, sl.Base
		}
		ne = layerFiles(new, i)
	}
	if i < len(old.Layers) {
		cb.OldCommand = old.Layers[i].Command
		oe = layerFiles(old, i)
	}
	cb.CommandChanged = sameStep.ReplaceAllString(cb.Command, "$1") != sameStep.ReplaceAllString(cb.OldCommand, "$1")
	cb.ContentKnown = hashed(old, i) && hashed(new, i)
	cb.Changes = diffStates(oe, ne)
	return cb
}

func hashed(res *analyze.Result, i int) bool {
	return i < len(res.Layers) && res.Layers[i].FileHashes != nil
}

// fileState is what a comparison looks at for one path.
type fileState struct {
	kind     analyze.Kind
	size     int64
	mode     uint32
	uid, gid uint32
	link     string
	hash     uint64 // 0: unknown
	removed  bool   // a whiteout (in a layer's own entries)
}

func stateOf(res *analyze.Result, l, idx int) fileState {
	layer := &res.Layers[l]
	e := layer.Entries[idx]
	s := fileState{kind: e.Kind, size: e.Size, mode: uint32(e.Mode), uid: e.UID, gid: e.GID,
		link: res.Tree.LinkTarget(e), removed: e.Change == analyze.ChangeRemoved}
	if layer.FileHashes != nil {
		s.hash = layer.FileHashes[idx]
	}
	return s
}

// layerFiles maps each path layer i of res wrote or removed to its last
// state there.
func layerFiles(res *analyze.Result, i int) map[string]fileState {
	m := make(map[string]fileState, len(res.Layers[i].Entries))
	for idx, e := range res.Layers[i].Entries {
		m[res.Tree.Path(e.Node)] = stateOf(res, i, idx)
	}
	return m
}

// finalFiles maps every non-directory path of res's final filesystem to
// its state.
func finalFiles(res *analyze.Result) map[string]fileState {
	m := map[string]fileState{}
	for id := range res.Tree.Len() {
		ref, ok := res.Tree.Final(analyze.NodeID(id))
		if !ok || res.Layers[ref.Layer].Entries[ref.Index].Kind == analyze.KindDir {
			continue
		}
		m[res.Tree.Path(analyze.NodeID(id))] = stateOf(res, ref.Layer, ref.Index)
	}
	return m
}

// differences says what differs between two states of one path.
func differences(a, b fileState) []string {
	var why []string
	if a.removed != b.removed {
		if b.removed {
			return []string{"removed"}
		}
		return []string{"added"}
	}
	if a.kind != b.kind {
		return []string{"kind"}
	}
	if a.size != b.size {
		why = append(why, "size")
	}
	if a.hash != 0 && b.hash != 0 && a.hash != b.hash {
		why = append(why, "content")
	}
	if a.mode != b.mode {
		why = append(why, "mode")
	}
	if a.uid != b.uid || a.gid != b.gid {
		why = append(why, "owner")
	}
	if a.link != b.link {
		why = append(why, "link")
	}
	return why
}

// diffStates lists the paths whose states differ, sorted by path.
func diffStates(old, new map[string]fileState) []FileChange {
	out := []FileChange{}
	for p, n := range new {
		o, ok := old[p]
		if !ok {
			if n.removed { // the step now deletes a path it left alone
				out = append(out, FileChange{Path: p, Reasons: []string{"removed"}, OldSize: n.size})
			} else {
				out = append(out, FileChange{Path: p, Reasons: []string{"added"}, NewSize: n.size})
			}
			continue
		}
		if why := differences(o, n); len(why) > 0 {
			out = append(out, FileChange{Path: p, Reasons: why, OldSize: o.size, NewSize: n.size})
		}
	}
	for p, o := range old {
		if _, ok := new[p]; !ok {
			if o.removed { // the step no longer deletes it
				out = append(out, FileChange{Path: p, Reasons: []string{"kept"}, NewSize: o.size})
			} else {
				out = append(out, FileChange{Path: p, Reasons: []string{"removed"}, OldSize: o.size})
			}
		}
	}
	slices.SortFunc(out, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func diffFinal(old, new *analyze.Result) FileDiff {
	paths := diffStates(finalFiles(old), finalFiles(new))
	fd := FileDiff{Paths: paths, Dirs: []DirDiff{}}
	dirs := map[string]*DirDiff{}
	for _, c := range paths {
		d := groupDir(c.Path)
		dd := dirs[d]
		if dd == nil {
			dd = &DirDiff{Dir: d}
			dirs[d] = dd
		}
		delta := c.NewSize - c.OldSize
		dd.DeltaBytes += delta
		switch c.Reasons[0] {
		case "added":
			fd.Added++
			fd.AddedBytes += c.NewSize
			dd.Added++
		case "removed":
			fd.Removed++
			fd.RemovedBytes += c.OldSize
			dd.Removed++
		default:
			fd.Changed++
			fd.ChangedBytes += delta
			dd.Changed++
		}
	}
	for _, dd := range dirs {
		fd.Dirs = append(fd.Dirs, *dd)
	}
	slices.SortFunc(fd.Dirs, func(a, b DirDiff) int {
		return cmp.Or(cmp.Compare(abs(b.DeltaBytes), abs(a.DeltaBytes)),
			cmp.Compare(b.Added+b.Removed+b.Changed, a.Added+a.Removed+a.Changed), strings.Compare(a.Dir, b.Dir))
	})
	slices.SortStableFunc(fd.Paths, func(a, b FileChange) int {
		return cmp.Compare(abs(b.NewSize-b.OldSize), abs(a.NewSize-a.OldSize))
	})
	return fd
}

// groupDir is the directory a path is counted under: its parent, cut to
// dirDepth components, with a leading slash.
func groupDir(p string) string {
	d := path.Dir(p)
	if d == "." {
		return "/"
	}
	parts := strings.SplitN(d, "/", dirDepth+1)
	if len(parts) > dirDepth {
		parts = parts[:dirDepth]
	}
	return "/" + strings.Join(parts, "/")
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
