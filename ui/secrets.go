package ui

import "github.com/strata-cli/strata/analyze"

// secretMark follows the name of a path that held a credential-like file
// (see analyze.Secret) in the layer shown or one below it: a deleted key
// is marked on its whiteout too, since it is still in the image.
const secretMark = "  [secret]"

// secretLayers maps each flagged path's node to the lowest layer that
// stores a finding for it.
func secretLayers(res *analyze.Result) map[analyze.NodeID]int {
	if len(res.Secrets) == 0 || res.Tree == nil {
		return nil
	}
	m := map[analyze.NodeID]int{}
	for _, s := range res.Secrets {
		id, ok := res.Tree.Lookup(s.Path)
		if !ok {
			continue
		}
		if l, seen := m[id]; !seen || s.Layer < l {
			m[id] = s.Layer
		}
	}
	return m
}

// secretPaths is the set of flagged paths, for the wasted list.
func secretPaths(res *analyze.Result) map[string]bool {
	if len(res.Secrets) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, s := range res.Secrets {
		m[s.Path] = true
	}
	return m
}
