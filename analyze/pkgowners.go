package analyze

import "strings"

// Who owns what: the paths packages list, found in the Tree, and the
// table every layer's files are looked up in.

// resolve finds the nodes of listed paths, through the directory symlinks
// of the final filesystem: a merged-/usr image stores usr/bin/ls where
// the package lists /bin/ls. Each directory is resolved once, the way
// Resolve walks a path, and each path then costs one lookup of its name
// there.
func (a *attributor) resolve(paths []string) []NodeID {
	var nodes []NodeID
	t := a.res.Tree
	for _, p := range paths {
		parent, base := Root, p
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			d, ok := a.dirNodes[p[:i]]
			if !ok {
				// A directory no layer has, or a dangling or looping
				// link on the way, holds nothing to own.
				w := linkWalk{res: a.res, layer: len(a.res.Layers) - 1, throughFiles: true}
				id, err := w.walk(p[:i])
				d = dirNode{id: id, ok: err == nil}
				a.dirNodes[p[:i]] = d
			}
			if !d.ok {
				continue // nothing in any layer under it
			}
			parent, base = d.id, p[i+1:]
		}
		if n, ok := t.child(parent, base); ok {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// dirNode is a directory's node, when some layer has it.
type dirNode struct {
	id NodeID
	ok bool
}

// sameNodes reports whether two resolved lists are the one carried over.
func sameNodes(a, b []NodeID) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// ownerTable says which package owns each node: a slice over the Tree's
// nodes rather than a map, since every file of every layer is looked up.
type ownerTable struct {
	by    []int32 // a key's id + 1, 0 for none
	keys  []string
	ids   map[string]int32
	owned int
}

// id interns a package's key.
func (o *ownerTable) id(key string) int32 {
	if id, ok := o.ids[key]; ok {
		return id
	}
	o.keys = append(o.keys, key)
	o.ids[key] = int32(len(o.keys) - 1)
	return int32(len(o.keys) - 1)
}

func (o *ownerTable) get(n NodeID) (string, bool) {
	if int(n) >= len(o.by) || o.by[n] == 0 {
		return "", false
	}
	return o.keys[o.by[n]-1], true
}

// claim gives n to the package k unless another holds it; nodes is the
// Tree's size, for the first claim.
func (o *ownerTable) claim(n NodeID, k int32, nodes int) {
	if o.by == nil {
		o.by = make([]int32, nodes)
	}
	if o.by[n] == 0 {
		o.by[n] = k + 1
		o.owned++
	}
}

// release takes n from the package key, if it holds it.
func (o *ownerTable) release(n NodeID, key string) bool {
	if k, ok := o.get(n); ok && k == key {
		o.by[n] = 0
		o.owned--
		return true
	}
	return false
}
