package analyze

// EntryAt finds the entry of path visible in the filesystem stacked up to
// layer: the last copy written at or below it and not hidden by then. It
// returns the layer that stores it and the entry's index there.
func (res *Result) EntryAt(layer int, path string) (storedIn, index int, ok bool) {
	if res.Tree == nil || layer < 0 || layer >= len(res.Layers) {
		return 0, 0, false
	}
	id, ok := res.Tree.Lookup(path)
	if !ok {
		return 0, 0, false
	}
	ref, ok := res.visibleAt(layer, id)
	return ref.Layer, ref.Index, ok
}
