package analyze

import (
	"fmt"
	"strings"
)

// Symlinks resolved the way the kernel resolves them, inside an image's
// filesystem rather than the host's: one component at a time, so that a
// ".." after a directory symlink climbs from where the link led.

// MaxSymlinkHops is how many symlinks one resolution follows before it
// calls the path a loop: Linux's MAXSYMLINKS, so that every chain the
// kernel would accept resolves here too.
const MaxSymlinkHops = 40

// LinkProblem says why a path does not resolve.
type LinkProblem uint8

// The ways a resolution fails.
const (
	LinkDangling LinkProblem = iota + 1 // a component does not exist
	LinkLoop                            // more than MaxSymlinkHops links
	LinkNotDir                          // a component used as a directory is not one
)

// LinkError is a path that does not resolve. Link and Target are the
// last symlink followed (a normalised path) and its target as stored,
// empty when none was; At is the path, as resolved so far, where the
// walk stopped.
type LinkError struct {
	Problem LinkProblem
	Link    string
	Target  string
	At      string
}

// Error gives the problem in one line.
func (e *LinkError) Error() string {
	switch {
	case e.Problem == LinkLoop:
		return "symlink loop at /" + e.Link
	case e.Problem == LinkNotDir:
		return fmt.Sprintf("/%s -> %s: /%s is not a directory", e.Link, e.Target, e.At)
	case e.Link == "":
		return "no such file: /" + e.At
	}
	return fmt.Sprintf("dangling: /%s -> %s", e.Link, e.Target)
}

// Resolved is where a path leads once every symlink on the way, its last
// component included, is followed.
type Resolved struct {
	Path string // normalised, "" for the root
	Node NodeID
	// Entry is what the filesystem shows there; HasEntry is false for the
	// root and for a directory only the paths under it imply.
	Entry    EntryRef
	HasEntry bool
	Hops     int // symlinks followed
}

// Resolve follows p (a normalised path) through every symlink, its last
// component included, in the filesystem stacked up to layer (the final
// filesystem for the last layer). Absolute targets start from the image's
// root, relative ones from the link's directory. A path that does not
// resolve is a *LinkError.
func (res *Result) Resolve(layer int, p string) (Resolved, error) {
	if res.Tree == nil || layer < 0 || layer >= len(res.Layers) {
		return Resolved{}, &LinkError{Problem: LinkDangling, At: p}
	}
	w := linkWalk{res: res, layer: layer}
	id, err := w.walk(p)
	if err != nil {
		return Resolved{}, err
	}
	r := Resolved{Path: res.Tree.Path(id), Node: id, Hops: w.hops}
	r.Entry, r.HasEntry = res.visibleAt(layer, id)
	if !r.HasEntry && id != Root && !res.impliedAt(layer, id) {
		return Resolved{}, w.fail(LinkDangling, id)
	}
	return r, nil
}

// linkWalk is one resolution under way.
type linkWalk struct {
	res          *Result
	layer        int
	hops         int
	link, target string // the last symlink followed
	// throughFiles takes a non-directory on the way as a directory, as
	// package paths need: an earlier layer may hold a package's files
	// under what the final filesystem has as a file.
	throughFiles bool
}

func (w *linkWalk) fail(p LinkProblem, at NodeID) *LinkError {
	return &LinkError{Problem: p, Link: w.link, Target: w.target, At: w.res.Tree.Path(at)}
}

// walk returns the node p leads to. A component that has no entry in the
// view but a node in the Tree is taken as a directory (one the paths
// below it imply, or one another layer has): the caller checks that the
// last node exists, which an implied directory's absence would fail.
func (w *linkWalk) walk(p string) (NodeID, error) {
	t := w.res.Tree
	cur, rest := Root, p
	for rest != "" {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			cur = t.Parent(cur) // the root's parent is the root, as in the kernel
			continue
		}
		next, ok := t.child(cur, comp)
		if !ok {
			return 0, &LinkError{Problem: LinkDangling, Link: w.link, Target: w.target, At: joinPath(t.Path(cur), comp)}
		}
		ref, ok := w.res.visibleAt(w.layer, next)
		if !ok {
			cur = next
			continue
		}
		e := w.res.Layers[ref.Layer].Entries[ref.Index]
		switch e.Kind {
		case KindSymlink:
			w.hops++
			if w.hops > MaxSymlinkHops {
				return 0, &LinkError{Problem: LinkLoop, Link: t.Path(next), Target: t.LinkTarget(e), At: t.Path(next)}
			}
			w.link, w.target = t.Path(next), t.LinkTarget(e)
			if w.target == "" {
				return 0, w.fail(LinkDangling, next)
			}
			if strings.HasPrefix(w.target, "/") {
				cur = Root
			}
			// A relative target starts from the link's directory: cur.
			if rest == "" {
				rest = w.target
			} else {
				rest = w.target + "/" + rest
			}
			continue
		case KindDir:
		default:
			if rest != "" && !w.throughFiles {
				return 0, w.fail(LinkNotDir, next)
			}
		}
		cur = next
	}
	return cur, nil
}

// joinPath joins a normalised directory and a name.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// visibleAt returns the entry the filesystem stacked up to layer shows at
// id. The final entry answers at once when it is at or below layer
// (nothing ever hides it); otherwise the layers are scanned down from
// layer, as only lower views need.
func (res *Result) visibleAt(layer int, id NodeID) (EntryRef, bool) {
	if ref, ok := res.Tree.Final(id); ok && ref.Layer <= layer {
		return ref, true
	}
	if layer >= len(res.Layers)-1 {
		return EntryRef{}, false
	}
	for l := layer; l >= 0; l-- {
		ents := res.Layers[l].Entries
		for i := len(ents) - 1; i >= 0; i-- {
			if ents[i].Node == id && ents[i].VisibleAt(layer) {
				return EntryRef{Layer: l, Index: i}, true
			}
		}
	}
	return EntryRef{}, false
}

// impliedAt reports whether some path under dir is visible in the
// filesystem stacked up to layer: a directory no entry describes exists
// when a tar wrote files under it. One pass over the entries, done only
// for such directories.
func (res *Result) impliedAt(layer int, dir NodeID) bool {
	t := res.Tree
	for l := 0; l <= layer; l++ {
		for _, e := range res.Layers[l].Entries {
			if !e.VisibleAt(layer) {
				continue
			}
			for n := e.Node; n != Root; {
				n = t.Parent(n)
				if n == dir {
					return true
				}
			}
		}
	}
	return false
}
