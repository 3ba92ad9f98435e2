package advice

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// Advice is one finding, with what it costs.
type Advice struct {
	// Kind names the pattern: one of the Kind* constants.
	Kind string `json:"kind"`
	// Message says what happened and what to do, in one sentence or two.
	Message string `json:"message"`
	// Bytes is what the finding costs (wasted or left-behind bytes).
	Bytes int64 `json:"bytes"`
	// Layers lists the layers involved, in order.
	Layers []int `json:"layers"`
}

// The kinds of advice.
const (
	// KindHidden: one step stored bytes that a later step hid.
	KindHidden = "stored-then-hidden"
	// KindCache: a package manager's cache or index, left in the final
	// filesystem or deleted only by a later step.
	KindCache = "package-cache"
	// KindArchive: an archive deleted after extraction, or left next to
	// its extracted tree.
	KindArchive = "archive"
	// KindMetadata: files copied again only to change their mode or owner.
	KindMetadata = "metadata-only"
	// KindCopyOrder: the whole build context copied before dependencies are
	// installed, so any source change re-runs the install.
	KindCopyOrder = "copy-before-install"
)

// KindInfo describes one kind of advice, for the formats that declare
// what they may report before they report it (SARIF's rules).
type KindInfo struct {
	Kind        string
	Description string
}

// Kinds lists every kind of advice, in a fixed order.
func Kinds() []KindInfo {
	return []KindInfo{
		{KindHidden, "A step stored bytes that a later step hid: they are still shipped in the image."},
		{KindCache, "A package manager's cache or index is left in the image, or deleted only by a later step."},
		{KindArchive, "An archive was deleted after extraction in a later step, or left next to its extracted tree."},
		{KindMetadata, "Files were copied again only to change their mode or owner."},
		{KindCopyOrder, "The whole build context is copied before dependencies are installed, so any source change re-runs the install."},
	}
}

// Advise returns every finding for res, largest first. It needs res.Tree
// for everything but the history check; file hashes, when present, let it
// confirm that a mode-only rewrite kept the content.
//
// A container's writable layer (strata container) is no build step: what
// it hid or rewrote is the running container's doing, so no finding is
// about it, and what it hid counts as still in the image.
func Advise(res *analyze.Result) []Advice {
	out := []Advice{}
	w := writableLayer(res)
	if res.Tree != nil {
		// Each check is a pass over every entry that only reads res, so
		// two run on a second core: for a million files they are most of
		// a cached run. The order of the findings stays fixed.
		var hid, meta []Advice
		var wg sync.WaitGroup
		wg.Go(func() { hid, meta = hidden(res, w), metadataOnly(res, w) })
		kinds := newCacheIndex(res.Tree) // shared: both ask which cache a file is in
		cached, archived := caches(res, kinds, w), archives(res, kinds, w)
		wg.Wait()
		// append, not Concat: Concat of empty slices is nil, and no
		// findings must stay an empty list.
		out = append(out, slices.Concat(hid, cached, archived, meta)...)
	}
	out = append(out, copyOrder(res)...)
	slices.SortStableFunc(out, func(a, b Advice) int { return cmp.Compare(b.Bytes, a.Bytes) })
	return out
}

// writableLayer returns the layer of a container's writable layer, or -1.
func writableLayer(res *analyze.Result) int {
	for s := range res.AllSteps() {
		if s.Writable {
			return s.Layer
		}
	}
	return -1
}

// hiddenAt is where e is hidden, leaving out the writable layer w: the
// image still holds what a running container deleted.
func hiddenAt(e analyze.Entry, w int) int {
	if int(e.HiddenAt) == w && w >= 0 {
		return analyze.NotHidden
	}
	return int(e.HiddenAt)
}

// hidden aggregates waste per (storing step, hiding step).
func hidden(res *analyze.Result, w int) []Advice {
	type pair struct{ from, by int }
	type sum struct {
		bytes int64
		files int
		kept  int // files whose path the final image still has, rewritten
	}
	sums := map[pair]*sum{}
	var order []pair
	for i, l := range res.Layers {
		for _, e := range l.Entries {
			if !e.Wasted() || hiddenAt(e, w) == analyze.NotHidden {
				continue
			}
			p := pair{i, int(e.HiddenAt)}
			if sums[p] == nil {
				sums[p] = &sum{}
				order = append(order, p)
			}
			sums[p].bytes += e.Size
			sums[p].files++
			if _, ok := res.Tree.Final(e.Node); ok {
				sums[p].kept++
			}
		}
	}
	var out []Advice
	for _, p := range order {
		s := sums[p]
		from, by := command(res, p.from), command(res, p.by)
		fix := "do both in one RUN"
		switch {
		case p.from == 0:
			fix = "it comes with the base image; a slimmer base or a multi-stage build avoids it"
		case isCopy(from) && s.kept == s.files:
			// A chmod -R or a rewrite: the final image needs the files,
			// so leaving them out of the COPY is no answer.
			fix = "they are still in the final image, rewritten: set mode and owner in the COPY (COPY --chmod/--chown), or prepare them in a build stage"
		case isCopy(from) && s.kept > 0:
			fix = fmt.Sprintf("leave the deleted ones out of the COPY (.dockerignore); %s still in the final image, rewritten: set mode and owner in the COPY (COPY --chmod/--chown), or prepare them in a build stage", are(s.kept))
		case isCopy(from):
			fix = "leave those files out of the COPY (.dockerignore) or produce them in a build stage"
		}
		out = append(out, Advice{Kind: KindHidden, Bytes: s.bytes, Layers: []int{p.from, p.by},
			Message: fmt.Sprintf("%s stored %s (%s) that %s hid: %s", from, units.Bytes(s.bytes), files(s.files), by, fix)})
	}
	return out
}

// metadataOnly finds files a step wrote again with the same size (and,
// when hashed, the same content) but another mode or owner: the typical
// RUN chmod -R or chown -R after a COPY, which stores every file twice.
func metadataOnly(res *analyze.Result, w int) []Advice {
	type key struct {
		layer int
		node  analyze.NodeID
	}
	type prev struct {
		e    analyze.Entry
		hash uint64
		from int
	}
	hiddenBy := map[key]prev{}
	for i, l := range res.Layers {
		for j, e := range l.Entries {
			if e.Kind == analyze.KindFile && e.Change != analyze.ChangeRemoved && e.HiddenAt != analyze.NotHidden {
				hiddenBy[key{int(e.HiddenAt), e.Node}] = prev{e: e, hash: hashAt(l, j), from: i}
			}
		}
	}
	var out []Advice
	for i, l := range res.Layers {
		if i == w {
			continue // the running container's change, not the build's
		}
		var bytes int64
		var n int
		var from []int
		sameContent := l.FileHashes != nil
		for j, e := range l.Entries {
			if e.Kind != analyze.KindFile || e.Change != analyze.ChangeModified {
				continue
			}
			p, ok := hiddenBy[key{i, e.Node}]
			if !ok || p.e.Size != e.Size || (p.e.Mode == e.Mode && p.e.UID == e.UID && p.e.GID == e.GID) {
				continue
			}
			h := hashAt(l, j)
			if h != 0 && p.hash != 0 && h != p.hash {
				continue // the content changed too: a real rewrite
			}
			if h == 0 || p.hash == 0 {
				sameContent = false
			}
			bytes += e.Size
			n++
			from = addLayer(from, p.from)
		}
		if n == 0 || bytes == 0 {
			continue
		}
		same := "same size"
		if sameContent {
			same = "same content"
		}
		out = append(out, Advice{Kind: KindMetadata, Bytes: bytes, Layers: merge(from, []int{i}),
			Message: fmt.Sprintf("%s rewrote %s (%s) from %s changing only mode or owner (%s), so they are stored twice: set them where the files are created (COPY --chmod/--chown, or chmod in the same RUN)",
				command(res, i), files(n), units.Bytes(bytes), commands(res, from), same)})
	}
	return out
}

func hashAt(l analyze.Layer, j int) uint64 {
	if j < len(l.FileHashes) {
		return l.FileHashes[j]
	}
	return 0
}

var (
	// copyAll matches a COPY or ADD of the whole context: "COPY . .",
	// "COPY --chown=app . /app", as BuildKit records them.
	copyAll = regexp.MustCompile(`^(COPY|ADD)\s+(--\S+\s+)*\./?\s+\S+`)
	// copyDir matches the classic builder's (and buildah's) record of a
	// directory copied in, whatever the directory: "COPY dir:<hash> in .".
	copyDir = regexp.MustCompile(`^(COPY|ADD) dir:[0-9a-f]+ in \S+$`)
	// install matches the commands that fetch dependencies.
	install = regexp.MustCompile(`\b(npm\s+(ci|install|i)|yarn(\s+install)?\s*($|&&|;)|pnpm\s+(install|i)|pip3?\s+install|poetry\s+install|pipenv\s+install|go\s+mod\s+download|apt-get\s+(-\S+\s+)*install|apk\s+add|bundle\s+install|composer\s+install|cargo\s+fetch|mvn\s+\S*dependency)`)
)

// manifests are the files an install step reads: the ones worth copying
// on their own before it.
var manifests = map[string]bool{
	"package.json": true, "package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "npm-shrinkwrap.json": true,
	"requirements.txt": true, "pyproject.toml": true, "poetry.lock": true, "Pipfile": true, "Pipfile.lock": true, "setup.py": true, "setup.cfg": true,
	"go.mod": true, "go.sum": true, "Gemfile": true, "Gemfile.lock": true, "composer.json": true, "composer.lock": true,
	"Cargo.toml": true, "Cargo.lock": true, "pom.xml": true, "build.gradle": true, "build.gradle.kts": true,
}

// copyOrder finds the whole build context copied in before a step that
// installs dependencies.
func copyOrder(res *analyze.Result) []Advice {
	copied := -1
	var copyStep analyze.Step
	i := -1
	for s := range res.AllSteps() {
		i++
		c := s.Instruction
		if copied < 0 {
			if copiesContext(res, s) {
				copied, copyStep = i, s
			}
			continue
		}
		if !strings.HasPrefix(c, "RUN ") || !install.MatchString(c) {
			continue
		}
		a := Advice{Kind: KindCopyOrder, Layers: []int{}}
		for _, st := range []analyze.Step{copyStep, s} {
			if li := st.Layer; li >= 0 {
				a.Layers = append(a.Layers, li)
			}
		}
		if s.Layer >= 0 {
			a.Bytes = res.Layers[s.Layer].SizeBytes
		}
		a.Message = fmt.Sprintf("%s (step %d%s) comes before %s (step %d%s): any source change re-runs the install and re-pushes its %s layer; copy only the dependency manifests (package.json and its lock file, requirements.txt, go.mod and go.sum...) first, install, then copy the rest",
			short(copyStep.Instruction), copied+1, stepWhere(res, copyStep.History), short(c), i+1, stepWhere(res, s.History), units.Bytes(a.Bytes))
		return []Advice{a}
	}
	return nil
}

// copiesContext reports whether step s copies in the build context, or
// enough of it that a source change reaches the install after it. BuildKit
// records "COPY . ."; the classic builder records every directory copy as
// "COPY dir:<hash> in <dest>", so there the layer tells: a dependency
// manifest copied together with files that are not manifests.
func copiesContext(res *analyze.Result, s analyze.Step) bool {
	if copyAll.MatchString(s.Instruction) {
		return true
	}
	if !copyDir.MatchString(s.Instruction) || res.Tree == nil || s.Layer < 0 {
		return false
	}
	var manifest, other bool
	for _, e := range res.Layers[s.Layer].Entries {
		if e.Kind != analyze.KindFile || e.Change == analyze.ChangeRemoved {
			continue
		}
		if manifests[res.Tree.Name(e.Node)] {
			manifest = true
		} else {
			other = true
		}
		if manifest && other {
			return true
		}
	}
	return false
}

// short cuts a command to a length that fits in a sentence.
func short(c string) string {
	const n = 60
	if r := []rune(c); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return c
}

// command names layer i's step for a message, with its Dockerfile lines
// when the Dockerfile places it: "RUN make (Dockerfile:14)".
func command(res *analyze.Result, i int) string {
	if i < 0 || i >= len(res.Layers) {
		return fmt.Sprintf("layer %d", i)
	}
	c := analyze.Instruction(res.Layers[i].Command)
	if c == "" {
		c = fmt.Sprintf("layer %d", i)
	} else {
		c = short(c)
	}
	if sl, ok := res.LayerStepLines(i); ok {
		c += " (" + where(res, sl) + ")"
	}
	return c
}

// stepWhere is ", Dockerfile:9" for history step i when the Dockerfile
// places it, else "".
func stepWhere(res *analyze.Result, i int) string {
	if sl, ok := res.StepLines(i); ok {
		return ", " + where(res, sl)
	}
	return ""
}

// where names a placed step's lines for a message; a base image step is
// placed on the FROM that names the image.
func where(res *analyze.Result, sl analyze.StepLines) string {
	if sl.Base {
		return "base image, " + res.BuildFile.Where(sl)
	}
	return res.BuildFile.Where(sl)
}

// commands names several layers' steps.
func commands(res *analyze.Result, layers []int) string {
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = command(res, l)
	}
	return strings.Join(names, ", ")
}

func isCopy(c string) bool { return strings.HasPrefix(c, "COPY ") || strings.HasPrefix(c, "ADD ") }

// are says "1 is" or "N are".
func are(n int) string {
	if n == 1 {
		return "1 is"
	}
	return fmt.Sprintf("%d are", n)
}

func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}

// addLayer appends i to a sorted list unless present.
func addLayer(ls []int, i int) []int {
	if k, found := slices.BinarySearch(ls, i); !found {
		ls = slices.Insert(ls, k, i)
	}
	return ls
}

func merge(a, b []int) []int {
	out := slices.Clone(a)
	for _, i := range b {
		out = addLayer(out, i)
	}
	return out
}
