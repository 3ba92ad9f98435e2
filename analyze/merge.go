package analyze

// merger stacks layer scans in order on one Tree. Each node remembers which
// entry is visible at its path, so an overwrite or a whiteout costs time in
// proportion to what it hides, never to the number of layers below it.
type merger struct {
	t      *Tree
	layers []Layer
	hidden []hiddenRef // lower-layer entries hidden while merging the current layer
	stack  []uint32    // reused by hideSubtree
	// held, per node, is the first layer that put something below it
	// since the node itself was last removed (-1: none). Such a directory
	// exists with no entry of its own, as extracting the tar creates it,
	// and stays when what is below it is deleted; a directory entry over
	// it modifies it rather than adding it. It lives only while merging.
	held []int16
}

// merge applies scan s as layer m. Layers must be merged in order.
func (mg *merger) merge(m int, s *layerScan) {
	// Layers still being read intern paths into the same Tree; holding its
	// lock keeps the node slice from moving under the pointers used here.
	mg.t.mu.Lock()
	defer mg.t.mu.Unlock()
	l := &mg.layers[m]
	l.SizeBytes = s.size
	l.FileCount = s.files
	l.EstargzMetadataEntries, l.EstargzMetadataBytes = s.metaEntries, s.metaBytes
	l.Entries = s.entries
	l.FileHashes = s.hashes
	l.Secrets = s.secrets.found
	mg.hidden = mg.hidden[:0]
	for len(mg.held) < int(mg.t.count) {
		mg.held = append(mg.held, -1)
	}

	// Whiteouts apply only to lower layers, wherever they sit in the tar.
	for _, w := range s.whiteouts {
		if w.opaque {
			mg.hideChildren(uint32(w.node), m)
		} else {
			mg.hideSubtree(uint32(w.node), m)
		}
	}

	for i := range l.Entries {
		e := &l.Entries[i]
		id := uint32(e.Node)
		mg.clearAncestors(id, m)
		n := mg.t.node(id)
		visibleBefore := (n.visLayer >= 0 && int(n.visLayer) < m) || int(n.hiddenAt) == m ||
			(e.Kind == KindDir && n.visLayer < 0 && mg.held[id] >= 0 && int(mg.held[id]) < m)
		if e.Kind != KindDir {
			// A non-directory over a directory, even one only implied by the
			// paths below it, hides what it held; an implied directory that
			// held something from a lower layer was there before.
			if mg.hideChildren(id, m) {
				visibleBefore = true
			}
			n = mg.t.node(id)
		}
		if n.visLayer >= 0 {
			mg.hideEntry(id, m)
		}
		e.Change = ChangeAdded
		if visibleBefore {
			e.Change = ChangeModified
		}
		n.visLayer, n.visIndex = int16(m), uint32(i)
		if e.Kind == KindDir {
			continue
		}
		// Count each path once per layer, however often the tar repeats it.
		if n.countedAt != int16(m) {
			n.countedAt = int16(m)
			if visibleBefore {
				l.Modified++
			} else {
				l.Added++
			}
		}
	}

	// What this layer hid and did not write again is what it removed.
	// A path is hidden from a lower layer at most once per layer: anything
	// visible there afterwards belongs to this layer.
	for _, h := range mg.hidden {
		last := mg.layers[h.layer].Entries[h.index]
		if int(mg.t.node(h.node).visLayer) == m && (last.Kind == KindDir || mg.entryAt(h.node).Kind != KindDir) {
			continue // written again: counted as a modification
		}
		if last.Kind != KindDir {
			l.Removed++
		}
		l.Entries = append(l.Entries, Entry{
			Node: NodeID(h.node), Kind: last.Kind, Mode: last.Mode, UID: last.UID, GID: last.GID,
			Size: last.Size, link: last.link, HiddenAt: int16(m), Change: ChangeRemoved,
		})
	}
	if l.FileHashes != nil {
		// Removal entries hold no content of their own.
		for len(l.FileHashes) < len(l.Entries) {
			l.FileHashes = append(l.FileHashes, 0)
		}
	}
}

// entryAt returns the entry visible at node id.
func (mg *merger) entryAt(id uint32) *Entry {
	n := mg.t.node(id)
	return &mg.layers[n.visLayer].Entries[n.visIndex]
}

// hideEntry marks the entry visible at id as hidden by layer m.
func (mg *merger) hideEntry(id uint32, m int) {
	n := mg.t.node(id)
	mg.entryAt(id).HiddenAt = int16(m)
	if int(n.visLayer) < m {
		n.hiddenAt = int16(m)
		mg.hidden = append(mg.hidden, hiddenRef{node: id, layer: n.visLayer, index: n.visIndex})
	}
	n.visLayer = -1
}

// hiddenRef records a lower-layer entry hidden by the layer being merged.
type hiddenRef struct {
	node  uint32
	index uint32
	layer int16
}

// hideChildren hides everything below id, and reports whether any of it
// was there before layer m: visible from a lower layer, or hidden from one
// by m already.
func (mg *merger) hideChildren(id uint32, m int) bool {
	n := mg.t.node(id)
	if n.bareBelow {
		return false
	}
	lower := false
	for c := n.firstChild; c != noNode; c = mg.t.node(c).nextSibling {
		if mg.hideSubtree(c, m) {
			lower = true
		}
	}
	mg.t.node(id).bareBelow = true
	return lower
}

// hideSubtree hides id and everything below it, and reports whether any of
// it was there before layer m (see hideChildren). It walks with an
// explicit stack, since paths can be nested tens of thousands deep, and
// skips subtrees already bare, so each entry is hidden once however often
// its subtree is.
func (mg *merger) hideSubtree(id uint32, m int) bool {
	lower := false
	stack := append(mg.stack[:0], id)
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := mg.t.node(cur)
		if (n.visLayer >= 0 && int(n.visLayer) < m) || int(n.hiddenAt) == m {
			lower = true
		}
		if n.visLayer >= 0 {
			mg.hideEntry(cur, m)
		}
		if n.bareBelow {
			continue
		}
		mg.held[cur] = -1
		n.bareBelow = true // everything pushed below is hidden before the walk ends
		for c := n.firstChild; c != noNode; c = mg.t.node(c).nextSibling {
			stack = append(stack, c)
		}
	}
	mg.stack = stack
	return lower
}

// clearAncestors makes sure every ancestor of id can hold children: a
// visible non-directory on the way is replaced by an implied directory.
// An entry is about to be visible at id, so no ancestor is bare below.
func (mg *merger) clearAncestors(id uint32, m int) {
	for p := mg.t.node(id).parent; p != noNode; p = mg.t.node(p).parent {
		n := mg.t.node(p)
		n.bareBelow = false
		if mg.held[p] < 0 {
			mg.held[p] = int16(m)
		}
		if p == uint32(Root) {
			break
		}
		if n.visLayer >= 0 && mg.entryAt(p).Kind != KindDir {
			mg.hideEntry(p, m)
		}
	}
}
