package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// The viewer's search: matches in the page shown, and in the rest of the
// file through page reads (viewer_page.go).

// wrapNote says that a search went round the end of the file (forward)
// or its start.
func wrapNote(fwd bool) string {
	if fwd {
		return "search wrapped to the top"
	}
	return "search wrapped to the bottom"
}

// keepAway scrolls a match landed on off the bottom rows: a match on the
// last row would show none of what follows it.
func (v *viewer) keepAway() {
	h := max(1, v.height)
	if v.cursor-v.offset > h*3/4 {
		v.offset = max(0, min(v.cursor-h/3, v.n-h))
	}
}

// Commit is the end of typing a search: count its matches in the whole
// file, and when the page has none, look for the first in the rest of the
// file (round to its start), both in commands.
func (v *viewer) Commit() tea.Cmd {
	if v.query == "" || v.open == nil || v.failed {
		return nil
	}
	v.countReq++
	v.counted, v.counting = false, true
	v.stopCount()
	ctx, cancel := context.WithCancel(context.Background())
	v.countCancel = cancel
	r := pageReq{open: v.open, layer: v.layer, path: v.path, id: v.countReq, binary: v.binary, query: v.query, ctx: ctx, prog: &readProgress{}}
	cmds := []tea.Cmd{func() tea.Msg { return countMatches(r) }}
	if v.paged() && v.match(v.query, 0, 1, false) < 0 {
		cmds = append(cmds, v.fetch(fetchFindNext, v.end, 0, 1))
	}
	v.retitle()
	return tea.Batch(cmds...)
}

// LoadCount shows a match count, unless the search changed since.
func (v *viewer) LoadCount(msg matchCountMsg) {
	if msg.Req != v.countReq || msg.Query != v.query {
		return
	}
	v.counting = false
	if msg.Err != nil {
		v.note = "cannot count: " + msg.Err.Error()
	} else {
		v.count, v.counted = msg.Count, true
		if msg.Count == 0 {
			v.note = fmt.Sprintf("%q not found", v.query)
		}
	}
	v.retitle()
}

// match returns the first row from from on, going by step (1 or -1), that
// holds q, or -1. With wrap it goes round the page.
func (v *viewer) match(q string, from, step int, wrap bool) int {
	n := len(v.lines)
	for i := range n {
		r := from + i*step
		if wrap {
			r = ((r % n) + n) % n
		} else if r < 0 || r >= n {
			break
		}
		if strings.Contains(v.lines[r], q) {
			return r
		}
	}
	return -1
}

// Search moves to the next row of the page at or after from containing q,
// going round the page; typing a search calls it at every key.
func (v *viewer) Search(q string, from int) bool {
	if q != v.query {
		// The count was of another query: forget it and any on its way.
		v.counted, v.counting, v.countReq = false, false, v.countReq+1
		v.stopCount()
	}
	v.query = q
	defer v.retitle()
	if q == "" || len(v.lines) == 0 {
		return false
	}
	if r := v.match(q, from, 1, true); r >= 0 {
		v.set(r)
		v.keepAway()
		v.fitWrap()
		return true
	}
	return false
}

// findNext moves to the next (or previous) match of the search: in the
// page, else in the pages after (before) it, read in a command.
func (v *viewer) findNext(fwd bool) tea.Cmd {
	q := v.query
	if q == "" || len(v.lines) == 0 {
		return nil
	}
	step := 1
	if !fwd {
		step = -1
	}
	if r := v.match(q, v.cursor+step, step, false); r >= 0 {
		v.set(r)
		v.keepAway()
		return nil
	}
	switch {
	case v.paged() && fwd:
		// The rest of the file, then round from its start.
		return v.fetch(fetchFindNext, v.end, 0, 1)
	case v.paged():
		return v.fetch(fetchFindPrev, v.start, 0, -1)
	}
	// The whole file is here: go round it.
	if r := v.match(q, v.cursor+step, step, true); r >= 0 {
		v.set(r)
		v.keepAway()
		v.note = wrapNote(fwd)
		v.retitle()
		return nil
	}
	return statusCmd("%q not found", q)
}

// stopCount cancels the match count on its way, if any: one that nobody
// waits for any more would read the file to its end.
func (v *viewer) stopCount() {
	if v.countCancel != nil {
		v.countCancel()
		v.countCancel = nil
	}
}
