package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/strata-cli/strata/internal/safetext"
)

// fileOpenMsg asks the root to show a file of a layer in the viewer.
type fileOpenMsg struct {
	Layer int
	Path  string
	// Note, when set, is said in the viewer's title: why this layer's
	// content is shown (a removed file shows its last stored content).
	Note string
}

// viewer is the overlay showing one file: text with line numbers, or a hex
// dump of binary content. It holds one page of the file; the paging keys,
// and motion past either end of the page, ask for the next or previous one.
type viewer struct {
	keys          keyMap
	search, close key.Binding // from keys, see newViewer
	st            *Styles
	title         string

	open       OpenFileFunc
	layer      int
	path       string
	tag        string // fileOpenMsg.Note of the file shown
	openTag    string // and of the file being opened
	binary     bool
	failed     bool  // lines is the error that kept the file from opening
	size       int64 // -1 while unknown
	start, end int64 // the page: bytes [start, end)
	first      int64 // number of the page's first line
	more       bool  // bytes follow the page
	numW       int   // width of the line numbers
	lines      []string
	query      string
	count      int    // occurrences of query in the whole file, once counted
	counted    bool   // count is known
	countReq   uint64 // the count waited for; answers to others are stale
	req        uint64 // the request waited for; answers to others are stale
	pending    bool
	opening    bool // the request pending is Open's
	land       int  // where the cursor goes in the page on its way: a row, or from the bottom when negative
	landMatch  int  // or: 1 to the first match of query in it, -1 to the last
	note       string
	counting   bool // a count is on its way
	hoff       int  // cells of every line scrolled off to the left
	wrapped    bool // long lines wrap (W) instead of scrolling
	syn        syntax
	// The read on its way (viewer_progress.go): the file being opened,
	// how far the read has come once it reports, and how to stop it and
	// the count.
	openPath       string
	openLayer      int
	read, readNeed int64
	reading        bool // a progress report came for the read waited for
	readCancel     context.CancelFunc
	countCancel    context.CancelFunc
	list
	width int
}

// Open asks for the first page of a file through open, off the UI
// goroutine. The viewer takes the file over when that page comes (Load);
// like any request, it makes the pages still on their way stale, those of
// a file opened before it included.
func (v *viewer) Open(open OpenFileFunc, layer int, path, note string) tea.Cmd {
	v.req++
	v.pending, v.opening, v.openTag = true, true, note
	v.openPath, v.openLayer = path, layer
	ctx, prog := v.newRead()
	r := pageReq{open: open, layer: layer, path: path, id: v.req, kind: fetchForward, sniff: true, ctx: ctx, prog: prog}
	return pageCmd(r)
}

// Load shows a page of a file and reports whether it did: an answer to a
// request the viewer no longer waits for is dropped. The answer to Open
// starts the file anew.
func (v *viewer) Load(msg fileContentMsg) bool {
	if msg.Req != v.req || !v.pending {
		return false
	}
	v.note = ""
	v.cancelRead() // done: frees its context
	v.reading = false
	if v.opening {
		v.opening = false
		v.open, v.layer, v.path, v.binary, v.tag = msg.open, msg.Layer, msg.Path, msg.Binary, v.openTag
		v.query, v.size, v.pending, v.failed = "", -1, false, false
		v.counted, v.countReq = false, v.countReq+1
		v.stopCount() // of the file before
		v.land, v.landMatch = 0, 0
		v.cursor, v.offset, v.hoff = 0, 0, 0
		v.syn.reset()
		if msg.Err != nil {
			v.failed, v.start, v.end, v.more = true, 0, 0, false
			v.lines = []string{"cannot read: " + msg.Err.Error()}
			v.retitle()
			v.resize(len(v.lines), v.height)
			return true
		}
	}
	v.pending = false
	switch {
	case msg.Err != nil:
		v.note = "cannot read: " + msg.Err.Error()
	case msg.NotFound:
		v.note = fmt.Sprintf("%q not found", v.query)
	default:
		v.show(msg)
		if msg.Wrapped {
			v.note = wrapNote(v.landMatch > 0)
		}
	}
	v.retitle()
	return true
}

// show puts a page on screen and the cursor where the request wanted it.
func (v *viewer) show(msg fileContentMsg) {
	if msg.Size >= 0 {
		v.size = msg.Size
	}
	v.start, v.end, v.more, v.first = msg.Offset, msg.Offset+int64(len(msg.Data)), msg.More, msg.Line
	v.lines = msg.rows
	v.numW = len(strconv.FormatInt(v.first+int64(len(v.lines))-1, 10))
	v.cursor, v.offset = 0, 0
	v.resize(len(v.lines), v.height)
	switch {
	case v.landMatch > 0:
		v.set(v.match(v.query, 0, 1, false))
		v.keepAway()
	case v.landMatch < 0:
		v.set(v.match(v.query, v.n-1, -1, false))
		v.keepAway()
	case v.land < 0:
		v.set(v.n + v.land)
	default:
		v.set(v.land)
	}
	v.fitWrap()
}

// retitle describes the file and which part of it is shown.
func (v *viewer) retitle() {
	if v.opening {
		// The page shown is still the previous file's.
		v.title = fmt.Sprintf("/%s (layer %d), loading…", safetext.Line(v.openPath), v.openLayer)
		return
	}
	t := fmt.Sprintf("/%s (layer %d)", safetext.Line(v.path), v.layer)
	if v.tag != "" {
		t = fmt.Sprintf("/%s (layer %d, %s)", safetext.Line(v.path), v.layer, v.tag)
	}
	if v.binary {
		t += " binary, hex"
	}
	if v.paged() {
		total := "?"
		if v.size >= 0 {
			total = strconv.FormatInt(v.size, 10)
		}
		t += fmt.Sprintf(", bytes %d-%d of %s", v.start, v.end-1, total)
	}
	switch {
	case v.pending && v.reading:
		t += ", reading: " + v.progressNote()
	case v.pending:
		t += ", loading…"
	}
	if v.hoff > 0 {
		t += fmt.Sprintf(", from column %d", v.hoff+1)
	}
	if v.wrapped {
		t += ", wrapped"
	}
	switch {
	case v.query == "":
	case v.counted && v.count == 1:
		t += fmt.Sprintf(", 1 match of %q", safetext.Line(v.query))
	case v.counted && v.count > 1:
		t += fmt.Sprintf(", %d matches of %q", v.count, safetext.Line(v.query))
	case v.counting:
		t += ", counting matches…"
	}
	if v.note != "" {
		t += " — " + v.note
	}
	v.title = t
}

// fetch asks for a page of the file, superseding any request on its way.
// The command only reads: the answer comes back as a fileContentMsg
// carrying the request id.
func (v *viewer) fetch(kind fetchKind, at int64, land, landMatch int) tea.Cmd {
	if v.open == nil || v.failed {
		return nil
	}
	v.req++
	v.pending, v.land, v.landMatch = true, land, landMatch
	ctx, prog := v.newRead()
	v.retitle()
	r := pageReq{open: v.open, layer: v.layer, path: v.path, id: v.req, kind: kind, at: at, binary: v.binary, query: v.query,
		wrap: kind == fetchFindNext || kind == fetchFindPrev, ctx: ctx, prog: prog}
	return pageCmd(r)
}

// Close forgets any page on its way, so that its answer, when it comes,
// is stale and does not bring the viewer back.
func (v *viewer) Close() {
	v.syn.stop()
	v.cancelRead()
	v.stopCount()
	v.reading = false
	v.req++
	v.pending, v.opening = false, false
	v.retitle()
}

// paged reports whether the file is larger than the page shown.
func (v *viewer) paged() bool { return v.start > 0 || v.more }

// motion is how many rows a motion key moves, 0 for other keys.
func (v *viewer) motion(k tea.KeyPressMsg) int { return moveBy(v.keys, k, v.height) }

// Update implements component. Motion stays in the page until it runs
// past an end of it; then the next (previous) page is read and the cursor
// lands where the motion would have taken it. g and G go to the first and
// last page, [ and ] page by chunk, n and N find the next and previous
// match.
func (v *viewer) Update(msg tea.Msg) tea.Cmd {
	cmd := v.update(msg)
	// What the key brought on screen gets its colours.
	return tea.Batch(cmd, v.Highlight())
}

func (v *viewer) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || v.opening {
		// While a file opens the screen says how far its read came: the
		// page under it is the previous file's, not to be moved in or
		// copied. The root's close keys still cancel the read.
		return nil
	}
	defer v.fitWrap()
	if v.note != "" {
		v.note = ""
		v.retitle()
	}
	switch {
	case keyMatches(k, v.keys.Wrap):
		v.toggleWrap()
		return nil
	case keyMatches(k, v.keys.Left, v.keys.Right) && v.wrapped:
		return nil // wrapped lines have nothing off screen
	case keyMatches(k, v.keys.Left, v.keys.Right):
		// Long lines scroll sideways by half a screen; the line numbers
		// stay.
		step := max(8, v.width/2)
		if keyMatches(k, v.keys.Left) {
			step = -step
		}
		v.hoff = max(0, min(v.hoff+step, v.maxScroll()))
		v.retitle()
		return nil
	case keyMatches(k, v.keys.CopyContent):
		return v.copyContent()
	case keyMatches(k, v.keys.NextMatch):
		return v.findNext(true)
	case keyMatches(k, v.keys.PrevMatch):
		return v.findNext(false)
	case keyMatches(k, v.keys.NextChunk):
		if v.more {
			return v.fetch(fetchForward, v.end, 0, 0)
		}
		v.set(v.n - 1)
		return nil
	case keyMatches(k, v.keys.PrevChunk):
		if v.start > 0 {
			return v.fetch(fetchBack, v.start, 0, 0)
		}
		v.set(0)
		return nil
	case keyMatches(k, v.keys.Top) && v.start > 0:
		return v.fetch(fetchForward, 0, 0, 0)
	case keyMatches(k, v.keys.Bottom) && v.more:
		return v.fetch(fetchLast, 0, -1, 0)
	}
	if d := v.motion(k); d != 0 {
		to := v.cursor + d
		switch {
		case (to >= v.n && v.more || to < 0 && v.start > 0) && v.pending:
			return nil // one read at a time while scrolling
		case to >= v.n && v.more:
			return v.fetch(fetchForward, v.end, to-v.n, 0)
		case to < 0 && v.start > 0:
			return v.fetch(fetchBack, v.start, to, 0)
		}
	}
	v.navigate(v.keys, k)
	return nil
}

// printable drops control characters so file content cannot drive the
// terminal.
func printable(r rune) rune {
	if r < 32 || r == 127 || (r >= 0x80 && r < 0xa0) {
		return -1
	}
	return r
}

// SetSize implements component.
func (v *viewer) SetSize(w, h int) {
	v.width = w
	v.resize(len(v.lines), max(1, h))
	v.fitWrap()
}

// searchKey is the filter key as the viewer uses it: to search the file.
// newViewer is the viewer for keys: its search and close bindings are
// derived from the key map once.
func newViewer(keys keyMap, st *Styles) viewer {
	v := viewer{keys: keys, st: st}
	v.search = key.NewBinding(key.WithKeys(keys.Filter.Keys()...), key.WithHelp(keys.Filter.Help().Key, "search"))
	v.close = closeBinding(keys)
	return v
}

// closeBinding is how every overlay closes: esc, and the quit keys (q)
// other than ctrl+c, which always quits. So q closes what is in front
// first, and quits once nothing is.
func closeBinding(keys keyMap) key.Binding {
	closeKeys, help := slices.Clone(keys.Clear.Keys()), keys.Clear.Help().Key
	for _, q := range keys.Quit.Keys() {
		if !slices.Contains(keys.Interrupt.Keys(), q) && !slices.Contains(closeKeys, q) {
			closeKeys, help = append(closeKeys, q), help+"/"+q
		}
	}
	return key.NewBinding(key.WithKeys(closeKeys...), key.WithHelp(help, "close"))
}

// pageKeys are the chunk keys, shown only for a file larger than a page.
func (v *viewer) pageKeys() []key.Binding {
	next, prev := v.keys.NextChunk, v.keys.PrevChunk
	next.SetEnabled(v.paged())
	prev.SetEnabled(v.paged())
	return []key.Binding{next, prev}
}

// ShortHelp implements help.KeyMap: the viewer's own keys.
func (v *viewer) ShortHelp() []key.Binding {
	if v.opening {
		return []key.Binding{v.close} // nothing else acts while a file opens
	}
	b := []key.Binding{v.search, v.keys.NextMatch, v.keys.PrevMatch}
	return append(append(b, v.pageKeys()...), v.keys.Wrap, v.copyKey(), v.close)
}

// FullHelp implements help.KeyMap.
func (v *viewer) FullHelp() [][]key.Binding {
	k := v.keys
	left, right := k.Left, k.Right
	left.SetHelp(left.Help().Key, "scroll left")
	right.SetHelp(right.Help().Key, "scroll right")
	return [][]key.Binding{append(k.moveHelp(), left, right), append(append([]key.Binding{v.search, k.NextMatch, k.PrevMatch}, v.pageKeys()...), k.Wrap, v.copyKey(), v.close)}
}

// copyKey is the copy-content binding as the viewer uses it.
func (v *viewer) copyKey() key.Binding {
	c := v.keys.CopyContent
	c.SetHelp(c.Help().Key, "copy file")
	return c
}

// maxScroll is how far the page's longest line can scroll: until its end
// is at the right edge.
func (v *viewer) maxScroll() int {
	room := v.room()
	longest := 0
	for _, l := range v.lines {
		if len(l) > longest+room { // bytes bound cells from above
			longest = max(longest, ansi.StringWidth(strings.Map(printable, l)))
		}
	}
	return max(0, longest-room)
}

// dropCells cuts the first n cells off s; a wide character the cut goes
// through goes whole.
func dropCells(s string, n int) string {
	w := 0
	for i, r := range s {
		if w >= n {
			return s[i:]
		}
		w += ansi.StringWidth(string(r))
	}
	return ""
}

// Click implements pane: a click puts the cursor on a line of the page.
func (v *viewer) Click(row int) tea.Cmd {
	if v.opening {
		return nil
	}
	r, ok := v.rowAt(row, 0)
	if v.wrapped {
		r, ok = v.wrappedRowAt(row)
	}
	if ok {
		v.set(r)
		v.fitWrap()
	}
	return v.Highlight()
}

// Wheel implements pane: a notch scrolls the cursor a few lines, within
// the page (the paging keys read the next one).
func (v *viewer) Wheel(notch int) tea.Cmd {
	if v.opening {
		return nil
	}
	v.move(notch * wheelStep)
	v.fitWrap()
	return v.Highlight()
}
