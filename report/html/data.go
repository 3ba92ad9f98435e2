package html

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
)

// SchemaVersion is the version of the Document layout; it changes when a
// field changes meaning, so that scripts reading a report's data can tell.
const SchemaVersion = 1

// DefaultNodeBudget is about how many nodes a treemap keeps before small
// files are grouped. It keeps the report of an image with a hundred
// thousand files well under 2 MB (two treemaps of 6,000 nodes, about
// 80 bytes each), while everything big enough to see in the treemap
// still gets its own rectangle.
const DefaultNodeBudget = 6000

// topWasted is how many wasted files the report lists.
const topWasted = 50

// Document is everything the page shows, embedded in it as JSON.
type Document struct {
	Version int   `json:"version"`
	Image   Image `json:"image"`
	// Steps is the history, one step per instruction, empty ones included.
	// Layers no step claims are appended, so that none goes missing.
	Steps  []Step  `json:"steps"`
	Layers []Layer `json:"layers"`
	// Wasted lists the files with the most wasted bytes, most first;
	// WastedCount is how many there are in all.
	Wasted      []WastedFile `json:"wasted"`
	WastedCount int          `json:"wastedCount"`
	// Tree is the final filesystem; Hidden holds what each layer stored
	// that a later layer hid, one top-level node per layer.
	Tree   Treemap `json:"tree"`
	Hidden Treemap `json:"hidden"`
	// Advice explains the waste and its usual causes, largest first.
	Advice []advice.Advice `json:"advice"`
	// Rules are the CI rule outcomes, when the page is the output of
	// strata --ci --format html; RulesSummary is their summary line
	// ("FAIL [pass:1 fail:2 skip:0]").
	Rules        []Rule `json:"rules,omitempty"`
	RulesSummary string `json:"rulesSummary,omitempty"`
	// Secrets are the files in any layer that look like credentials:
	// where each is stored and whether a later layer only hid it. Never
	// their content.
	Secrets []Secret `json:"secrets,omitempty"`
	// Packages are the installed packages, largest first; a file node's
	// Owner points into it.
	Packages []Package `json:"packages,omitempty"`
}

// Secret is one finding of the secret scan.
type Secret struct {
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Fingerprint string `json:"fingerprint"`
	Where       string `json:"where"` // "deleted in layer 5, still readable in layer 3"
}

// Rule is one CI rule's outcome, as the other CI formats print it.
type Rule struct {
	Name      string `json:"name"`
	Result    string `json:"result"` // PASS, FAIL or SKIP
	Actual    string `json:"actual,omitempty"`
	Threshold string `json:"threshold,omitempty"`
	Detail    string `json:"detail"`
}

// Image is the image-wide summary.
type Image struct {
	Reference         string  `json:"reference"`
	Digest            string  `json:"digest,omitempty"`
	ConfigDigest      string  `json:"configDigest,omitempty"`
	Platform          string  `json:"platform,omitempty"`
	Size              int64   `json:"size"`
	CompressedSize    int64   `json:"compressedSize"`
	Wasted            int64   `json:"wasted"`
	Efficiency        float64 `json:"efficiency"`
	UserWasted        int64   `json:"userWasted"`
	UserWastedPercent float64 `json:"userWastedPercent"`
	Files             int     `json:"files"`
}

// Step is one history entry. Layer is the layer it made, or -1.
// Command is as recorded; Instruction is what the page shows
// (analyze.Instruction), worked out here so that the page and every other
// output say the same.
type Step struct {
	Command     string `json:"command"`
	Instruction string `json:"instruction"`
	Comment     string `json:"comment,omitempty"`
	Layer       int    `json:"layer"`
}

// Layer is one filesystem layer's numbers.
type Layer struct {
	Index          int    `json:"index"`
	Digest         string `json:"digest"`
	Command        string `json:"command"`
	Instruction    string `json:"instruction"`
	Size           int64  `json:"size"`
	CompressedSize int64  `json:"compressedSize"`
	Wasted         int64  `json:"wasted"`
	Files          int    `json:"files"`
	Added          int    `json:"added"`
	Modified       int    `json:"modified"`
	Removed        int    `json:"removed"`
}

// WastedFile is a path whose bytes are stored but hidden.
type WastedFile struct {
	Path   string `json:"path"`
	Wasted int64  `json:"wasted"`
	Layers []int  `json:"layers"`
}

// Treemap is one tree of sizes. Files smaller than Threshold bytes (and
// directories whose whole content is smaller) are grouped, per directory,
// into one node marked Kind "small"; Threshold is 0 when nothing was.
type Treemap struct {
	Threshold int64 `json:"threshold"`
	Root      *Node `json:"root"`
}

// The kinds of Node. A file has none.
const (
	KindDir   = "d" // a directory
	KindSmall = "s" // files grouped because each is small
	KindLayer = "l" // the top-level group of one layer's hidden bytes
)

// Node is one rectangle of a treemap. Keys are short because a report can
// hold thousands of nodes.
type Node struct {
	Name string `json:"n"`
	Kind string `json:"k,omitempty"`
	// Size is the bytes of the file, or of everything below.
	Size int64 `json:"s"`
	// Layer is the layer that last wrote the path (for a group of small
	// files, the one that wrote most of their bytes), or -1 when no layer
	// wrote it (a directory only implied by the paths below it).
	Layer int `json:"l"`
	// HiddenAt is, in the hidden-bytes tree, the layer that hid the file.
	HiddenAt int `json:"h,omitempty"`
	// Files counts the files below a directory or in a group.
	Files int `json:"f,omitempty"`
	// Layers lists, for a group of small files, every layer that wrote one.
	Layers []int `json:"ls,omitempty"`
	// Owner is, for a file or a group of small files of the final
	// filesystem, 1 + the index in Document.Packages of the package that
	// owns it; 0 (left out) for none.
	Owner    int     `json:"o,omitempty"`
	Children []*Node `json:"c,omitempty"`
}

// maxDepth bounds the directory depth the page nests: the browser's own
// recursion over the tree would overflow far beyond it, and no real image
// comes near it (PATH_MAX is 4096 bytes, so 2048 directories at most).
const maxDepth = 4096

// shortPath keeps an error line short: the first 64 bytes of p.
func shortPath(p string) string {
	if len(p) <= 64 {
		return p
	}
	return strings.ToValidUTF8(p[:64], "") + "..."
}

// ErrNoResult is returned by Data for a nil result.
var ErrNoResult = errors.New("html report: no analysis result")

// Data builds the document a report embeds, keeping each treemap to about
// DefaultNodeBudget files.
func Data(res *analyze.Result) (*Document, error) {
	return DataBudget(res, DefaultNodeBudget)
}

// DataBudget is Data with a chosen node budget; budget <= 0 keeps every
// file as its own node.
func DataBudget(res *analyze.Result, budget int) (*Document, error) {
	if res == nil {
		return nil, ErrNoResult
	}
	s := res.Image
	d := &Document{
		Version: SchemaVersion,
		Image: Image{
			Reference: s.Reference, Digest: s.Digest, ConfigDigest: s.ConfigDigest, Platform: s.Platform,
			Size: s.SizeBytes, CompressedSize: s.CompressedSizeBytes, Wasted: s.WastedBytes,
			Efficiency: s.Efficiency, UserWasted: s.UserWastedBytes, UserWastedPercent: s.UserWastedPercent,
			Files: s.FileCount,
		},
		Steps:       steps(res),
		Layers:      make([]Layer, len(res.Layers)),
		WastedCount: len(res.WastedFiles),
	}
	for _, sc := range res.Secrets {
		d.Secrets = append(d.Secrets, Secret{Path: sc.Path, Kind: string(sc.Kind), Fingerprint: sc.Fingerprint, Where: sc.Where()})
	}
	for i, l := range res.Layers {
		d.Layers[i] = Layer{
			Index: l.Index, Digest: l.Digest, Command: l.Command, Instruction: analyze.Instruction(l.Command),
			Size: l.SizeBytes, CompressedSize: l.CompressedSizeBytes, Wasted: l.WastedBytes,
			Files: l.FileCount, Added: l.Added, Modified: l.Modified, Removed: l.Removed,
		}
	}
	d.Advice = advice.Advise(res)
	if d.Advice == nil {
		d.Advice = []advice.Advice{}
	}
	d.Wasted = make([]WastedFile, 0, min(len(res.WastedFiles), topWasted))
	for _, w := range res.WastedFiles[:min(len(res.WastedFiles), topWasted)] {
		d.Wasted = append(d.Wasted, WastedFile{Path: w.Path, Wasted: w.WastedBytes, Layers: slices.Clone(w.Layers)})
	}

	d.Packages = packages(res)
	final, err := finalTree(res)
	if err != nil {
		return nil, err
	}
	d.Tree = compact(final, budget)
	d.Hidden = compact(hiddenTree(res), budget)
	return d, nil
}

// steps returns one step per step of the image (analyze.Result.Steps):
// the history, then the layers no entry claims, as every report lists them.
func steps(res *analyze.Result) []Step {
	out := make([]Step, 0, len(res.History))
	for _, s := range res.Steps() {
		out = append(out, Step{Command: s.CreatedBy, Instruction: s.Instruction, Comment: s.Comment, Layer: s.Layer})
	}
	return out
}

// finalTree builds the final filesystem with every file as a node.
func finalTree(res *analyze.Result) (*Node, error) {
	root := &Node{Kind: KindDir, Layer: -1}
	t := res.Tree
	if t == nil {
		return root, nil
	}
	var walk func(n *Node, id analyze.NodeID, depth int) error
	walk = func(n *Node, id analyze.NodeID, depth int) error {
		if depth > maxDepth {
			return fmt.Errorf("html report: a path deeper than %d directories, under %s", maxDepth, shortPath(t.Path(id)))
		}
		for c := range t.Children(id) {
			ref, ok := t.Final(c)
			var e analyze.Entry
			if ok {
				if ref.Layer < 0 || ref.Layer >= len(res.Layers) || ref.Index < 0 || ref.Index >= len(res.Layers[ref.Layer].Entries) {
					return fmt.Errorf("html report: %s points at a missing entry (layer %d, entry %d)", t.Path(c), ref.Layer, ref.Index)
				}
				e = res.Layers[ref.Layer].Entries[ref.Index]
			}
			if ok && e.Kind != analyze.KindDir {
				// Anything but a directory is a leaf: a file hides whatever
				// lower layers had below its path.
				n.Children = append(n.Children, &Node{Name: t.Name(c), Size: e.Size, Layer: ref.Layer, Files: 1, Owner: ownerOf(res, c)})
				continue
			}
			// A directory, or a path no layer wrote but some visible
			// path lies below (tars may omit parent directories).
			child := &Node{Name: t.Name(c), Kind: KindDir, Layer: -1}
			if ok {
				child.Layer = ref.Layer
			}
			if err := walk(child, c, depth+1); err != nil {
				return err
			}
			if ok || len(child.Children) > 0 {
				n.Children = append(n.Children, child)
			}
		}
		return nil
	}
	if err := walk(root, analyze.Root, 0); err != nil {
		return nil, err
	}
	sum(root)
	return root, nil
}

// hiddenTree builds, under one node per layer, the files each layer stored
// that a later layer hid, every file a node.
func hiddenTree(res *analyze.Result) *Node {
	root := &Node{Kind: KindDir, Layer: -1}
	t := res.Tree
	if t == nil {
		return root
	}
	for li, l := range res.Layers {
		if l.WastedBytes == 0 {
			continue
		}
		group := &Node{Name: fmt.Sprintf("layer %d", li), Kind: KindLayer, Layer: li}
		dirs := map[analyze.NodeID]*Node{analyze.Root: group}
		// dir returns the node of a directory path, making it and its
		// parents as needed.
		var dir func(id analyze.NodeID) *Node
		dir = func(id analyze.NodeID) *Node {
			if n, ok := dirs[id]; ok {
				return n
			}
			p := dir(t.Parent(id))
			n := &Node{Name: t.Name(id), Kind: KindDir, Layer: -1}
			p.Children = append(p.Children, n)
			dirs[id] = n
			return n
		}
		files := map[analyze.NodeID]*Node{}
		for _, e := range l.Entries {
			if !e.Wasted() {
				continue
			}
			if f, ok := files[e.Node]; ok {
				// The same path twice in one tar: the first copy is
				// hidden by the second, both are stored.
				f.Size += e.Size
				continue
			}
			f := &Node{Name: t.Name(e.Node), Size: e.Size, Layer: li, HiddenAt: int(e.HiddenAt), Files: 1}
			files[e.Node] = f
			p := dir(t.Parent(e.Node))
			p.Children = append(p.Children, f)
		}
		if len(group.Children) > 0 {
			root.Children = append(root.Children, group)
		}
	}
	sum(root)
	return root
}

// sum fills in the sizes and file counts of directories and sorts every
// directory's children, biggest first, then by name.
func sum(n *Node) {
	if n.Kind == "" || n.Kind == KindSmall {
		return
	}
	n.Size, n.Files = 0, 0
	for _, c := range n.Children {
		sum(c)
		n.Size += c.Size
		n.Files += c.Files
	}
	sortNodes(n.Children)
}

func sortNodes(ns []*Node) {
	slices.SortStableFunc(ns, func(a, b *Node) int {
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// compact groups small files so that the tree keeps at most about budget
// nodes. Since a directory is at least as big as anything below it, the
// nodes of at least some size form a tree with the root: the threshold is
// chosen so that at most budget/2 nodes (files and directories) are that
// big, and each directory kept gets at most one group for the rest, which
// keeps their bytes and count, so nothing disappears from the totals.
func compact(root *Node, budget int) Treemap {
	var sizes []int64
	var collect func(n *Node)
	collect = func(n *Node) {
		for _, c := range n.Children {
			if c.Kind != KindLayer {
				sizes = append(sizes, c.Size)
			}
			collect(c)
		}
	}
	collect(root)
	if budget <= 0 || len(sizes) <= budget {
		return Treemap{Root: root}
	}
	slices.SortFunc(sizes, func(a, b int64) int { return cmp.Compare(b, a) })
	threshold := sizes[budget/2] + 1
	group(root, threshold)
	return Treemap{Threshold: threshold, Root: root}
}

// group replaces, in n and below, the children smaller than threshold by
// one node per directory. A single small file stays as it is.
func group(n *Node, threshold int64) {
	var keep []*Node
	small := map[int][]*Node{} // by owner, so that a group is one package's
	for _, c := range n.Children {
		// A layer's group of hidden bytes stays, however small: the
		// hidden-bytes view is organised by layer. A directory whose files
		// several packages own stays too, to be grouped inside.
		if c.Size < threshold && c.Kind != KindLayer {
			if o, one := soleOwner(c); one {
				small[o] = append(small[o], c)
				continue
			}
		}
		keep = append(keep, c)
	}
	for _, c := range keep {
		if c.Kind != "" {
			group(c, threshold)
		}
	}
	owners := slices.Sorted(maps.Keys(small))
	for _, o := range owners {
		keep = append(keep, smallGroup(small[o], o))
	}
	n.Children = keep
	sortNodes(n.Children)
}

// smallGroup is the node of small files grouped, or the one file when
// there is one.
func smallGroup(small []*Node, owner int) *Node {
	if len(small) == 1 && small[0].Kind == "" {
		return small[0]
	}
	g := &Node{Kind: KindSmall, Owner: owner}
	bytes := map[int]int64{}
	for _, c := range small {
		g.Size += c.Size
		g.Files += c.Files
		layerBytes(c, bytes)
	}
	g.Name = fmt.Sprintf("(%d small files)", g.Files)
	if g.Files == 1 {
		g.Name = "(1 small file)"
	}
	g.Layer = -1
	for l, b := range bytes {
		g.Layers = append(g.Layers, l)
		if g.Layer < 0 || b > bytes[g.Layer] || (b == bytes[g.Layer] && l > g.Layer) {
			g.Layer = l
		}
	}
	slices.Sort(g.Layers)
	return g
}

// layerBytes adds up, per layer, the bytes of the files at and below n.
// A file of 0 bytes still counts its layer as present.
func layerBytes(n *Node, into map[int]int64) {
	switch n.Kind {
	case "":
		into[n.Layer] += n.Size
	case KindSmall:
		for _, l := range n.Layers {
			into[l] += 0
		}
		into[n.Layer] += n.Size
	default:
		for _, c := range n.Children {
			layerBytes(c, into)
		}
	}
}
