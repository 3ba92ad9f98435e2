package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/strata-cli/strata/internal/safetext"
)

// chunkSize is the most of a file the viewer holds: one page. A larger
// file is paged: each page is read from the layer when it is wanted, by
// streaming the layer up to the file and the file up to the page (layers
// are compressed streams, they cannot seek), and only the page is kept.
const chunkSize = 1 << 20

// OpenFileFunc returns the content of path as stored in layer (an index
// into analyze.Result.Layers). The caller closes the reader. When the
// reader has a Size() int64 method the viewer takes the file's size from
// it; otherwise it learns the size by reading to the end.
type OpenFileFunc func(layer int, path string) (io.ReadCloser, error)

// ExtractFunc saves path as stored in layer to the destination to (the
// current directory when empty) and returns where it went.
type ExtractFunc func(layer int, path, to string) (string, error)

// extractMsg asks the root to save a file of a layer, to To (a file or a
// directory; "" for the current directory).
type extractMsg struct {
	Layer int
	Path  string
	To    string
}

// extractCmd saves a file off the UI goroutine and reports the outcome on
// the status line.
func extractCmd(extract ExtractFunc, layer int, path, to string) tea.Cmd {
	return func() tea.Msg {
		dest, err := extract(layer, path, to)
		if err != nil {
			return statusMsg{Text: "extracting /" + path + ": " + err.Error()}
		}
		return statusMsg{Text: "extracted /" + path + " to " + dest}
	}
}

// fileOpenMsg asks the root to show a file of a layer in the viewer.
type fileOpenMsg struct {
	Layer int
	Path  string
}

// fileContentMsg carries one page of a file, at most chunkSize bytes, or
// why it could not be read.
type fileContentMsg struct {
	Layer int
	Path  string
	// Data is the page: the file's bytes from Offset on. A text page holds
	// whole lines, unless a single line is longer than a chunk.
	Data   []byte
	Offset int64
	// Line is the number of the page's first line. It is exact: the bytes
	// before Offset are streamed past to reach the page anyway, and their
	// newlines are counted on the way.
	Line int64
	// Size is the file's size, or -1 while it is not known.
	Size int64
	// More reports bytes after the page.
	More bool
	// Binary is set when the start of the file does not look like text:
	// every page of it shows as a hex dump.
	Binary bool
	// Req is the viewer request this answers (see viewer.Open and fetch).
	// An answer to a request the viewer no longer waits for is dropped.
	Req uint64
	// NotFound is set when a search beyond the shown page found nothing.
	NotFound bool
	Err      error

	open OpenFileFunc // where the following pages come from
	// rows are Data as the viewer shows it, laid out in the command: a hex
	// page of 1 MiB is 65,536 formatted rows, too many for a key press.
	rows []string
}

// Open asks for the first page of a file through open, off the UI
// goroutine. The viewer takes the file over when that page comes (Load);
// like any request, it makes the pages still on their way stale, those of
// a file opened before it included.
func (v *viewer) Open(open OpenFileFunc, layer int, path string) tea.Cmd {
	v.req++
	v.pending, v.opening = true, true
	r := pageReq{open: open, layer: layer, path: path, id: v.req, kind: fetchForward, sniff: true}
	return func() tea.Msg { return fetchPage(r) }
}

// fetchKind is what a page request asks for.
type fetchKind uint8

const (
	fetchForward  fetchKind = iota // the page starting at at
	fetchBack                      // the page ending at at
	fetchLast                      // the last page of the file
	fetchFindNext                  // the first page from at with a row holding query
	fetchFindPrev                  // the last page before at with a row holding query
)

// pageReq is one read of a page. It is a copy of what the command needs:
// the command runs on another goroutine and never sees the viewer.
type pageReq struct {
	open   OpenFileFunc
	layer  int
	path   string
	id     uint64
	kind   fetchKind
	at     int64
	binary bool
	sniff  bool // decide binary from the first page
	query  string
}

// fetchPage opens the file and reads the page r asks for. It runs in a
// tea.Cmd: it streams up to the page, and may stream a whole file.
func fetchPage(r pageReq) fileContentMsg {
	msg := fileContentMsg{Layer: r.layer, Path: r.path, Req: r.id, Binary: r.binary, Size: -1, open: r.open}
	fail := func(err error) fileContentMsg {
		msg.Err = fmt.Errorf("reading /%s: %w", r.path, err)
		return msg
	}
	rc, err := r.open(r.layer, r.path)
	if err != nil {
		msg.Err = err
		return msg
	}
	if s, ok := rc.(interface{ Size() int64 }); ok {
		msg.Size = s.Size()
	}
	if r.kind == fetchLast && msg.Size < 0 {
		// Without a recorded size, one pass measures the file and a second
		// reads its end.
		msg.Size, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fail(err)
		}
		if rc, err = r.open(r.layer, r.path); err != nil {
			msg.Err = err
			return msg
		}
	}
	defer rc.Close()
	s := &stream{r: bufio.NewReaderSize(rc, 64<<10)}

	switch {
	case r.kind == fetchLast && r.binary:
		err = s.forward(&msg, max(0, msg.Size-1)/chunkSize*chunkSize, r.sniff)
	case r.kind == fetchLast:
		err = s.back(&msg, msg.Size)
	case r.kind == fetchBack && r.binary:
		err = s.forward(&msg, max(0, r.at-chunkSize), false)
	case r.kind == fetchBack:
		err = s.back(&msg, r.at)
	case r.kind == fetchFindNext, r.kind == fetchFindPrev:
		err = s.find(&msg, r)
	default:
		err = s.forward(&msg, r.at, r.sniff)
	}
	if err != nil {
		return fail(err)
	}
	if !msg.More && !msg.NotFound {
		msg.Size = msg.Offset + int64(len(msg.Data))
	}
	if msg.rows == nil && !msg.NotFound {
		msg.rows = pageRows(msg.Data, msg.Offset, msg.Binary)
	}
	return msg
}

// stream is a file being read from its start: off bytes consumed so far.
type stream struct {
	r   *bufio.Reader
	off int64
}

// skip discards n bytes (fewer at the end of the file) and returns how
// many newlines they held.
func (s *stream) skip(n int64) (lines int64, err error) {
	for n > 0 {
		b, err := s.r.Peek(int(min(n, int64(s.r.Size()))))
		lines += int64(bytes.Count(b, []byte{'\n'}))
		k, _ := s.r.Discard(len(b))
		s.off += int64(k)
		n -= int64(k)
		if err == io.EOF {
			return lines, nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return lines, err
		}
	}
	return lines, nil
}

// next reads up to n bytes, fewer only at the end of the file.
func (s *stream) next(n int64) ([]byte, error) {
	b := make([]byte, n)
	k, err := io.ReadFull(s.r, b)
	s.off += int64(k)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return b[:k], err
}

// more reports whether bytes follow.
func (s *stream) more() bool {
	_, err := s.r.Peek(1)
	return err == nil
}

// forward reads the page starting at at: a chunk, cut after its last
// newline when more of a text file follows.
func (s *stream) forward(msg *fileContentMsg, at int64, sniff bool) error {
	lines, err := s.skip(at)
	if err != nil {
		return err
	}
	msg.Offset, msg.Line = s.off, lines+1
	if msg.Data, err = s.next(chunkSize); err != nil {
		return err
	}
	if sniff {
		msg.Binary = isBinary(msg.Data)
	}
	if msg.More = s.more(); msg.More && !msg.Binary {
		msg.Data, _ = cutLines(msg.Data)
	}
	return nil
}

// back reads the text page ending at end (a line start): the chunk before
// it without the partial line it starts in.
func (s *stream) back(msg *fileContentMsg, end int64) error {
	start := max(0, end-chunkSize)
	lines, err := s.skip(start)
	if err != nil {
		return err
	}
	data, err := s.next(end - start)
	if err != nil {
		return err
	}
	msg.Line = lines + 1
	if start > 0 {
		if i := bytes.IndexByte(data, '\n'); i >= 0 && i+1 < len(data) {
			data, start, msg.Line = data[i+1:], start+int64(i)+1, msg.Line+1
		} else {
			// One line longer than the chunk: start at a rune.
			for i := 0; i < 3 && len(data) > 0 && !utf8.RuneStart(data[0]); i++ {
				data, start = data[1:], start+1
			}
		}
	}
	msg.Data, msg.Offset, msg.More = data, start, s.more()
	return nil
}

// find reads the file in line-aligned chunks, from r.at to the end for
// fetchFindNext or from the start to r.at for fetchFindPrev, and keeps the
// first (or last) one with a row holding r.query, as the viewer would show
// it. At most two chunks are held at once.
func (s *stream) find(msg *fileContentMsg, r pageReq) error {
	end := int64(-1)
	if r.kind == fetchFindPrev {
		end, r.at = r.at, 0
	}
	lines, err := s.skip(r.at)
	if err != nil {
		return err
	}
	msg.NotFound = true
	pos, line := s.off, lines+1
	var carry []byte
	for {
		limit := chunkSize - int64(len(carry))
		if end >= 0 {
			limit = min(limit, end-s.off)
		}
		b, err := s.next(limit)
		if err != nil {
			return err
		}
		data := append(append(make([]byte, 0, len(carry)+len(b)), carry...), b...)
		carry = nil
		more := s.more()
		if more && !r.binary && (end < 0 || s.off < end) {
			data, carry = cutLines(data)
		}
		if len(data) == 0 {
			return nil
		}
		if rows := pageRows(data, pos, r.binary); slices.ContainsFunc(rows, func(row string) bool { return strings.Contains(row, r.query) }) {
			msg.Data, msg.Offset, msg.Line, msg.More, msg.NotFound = data, pos, line, more || len(carry) > 0, false
			msg.rows = rows // the command laid them out already
			if end < 0 {
				return nil
			}
		}
		pos += int64(len(data))
		line += int64(bytes.Count(data, []byte{'\n'}))
		if (!more && len(carry) == 0) || (end >= 0 && pos >= end) {
			return nil
		}
	}
}

// cutLines splits b after its last newline; with none (a line longer than
// a chunk) it splits at the last rune start.
func cutLines(b []byte) (head, rest []byte) {
	i := bytes.LastIndexByte(b, '\n') + 1
	if i == 0 {
		i = len(b)
		for j := len(b) - 1; j >= max(0, len(b)-3); j-- {
			if utf8.RuneStart(b[j]) {
				if !utf8.FullRune(b[j:]) {
					i = j
				}
				break
			}
		}
	}
	return b[:i], b[i:]
}

// pageRows is what the viewer shows of a page (line numbers apart), and
// what its search looks at: the lines of text with tabs expanded, or hex
// dump rows with the file offsets of their first byte.
func pageRows(data []byte, offset int64, binary bool) []string {
	if binary {
		return hexLines(data, offset)
	}
	text := strings.ReplaceAll(string(data), "\t", "    ")
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
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
	binary     bool
	failed     bool  // lines is the error that kept the file from opening
	size       int64 // -1 while unknown
	start, end int64 // the page: bytes [start, end)
	first      int64 // number of the page's first line
	more       bool  // bytes follow the page
	numW       int   // width of the line numbers
	lines      []string
	query      string
	req        uint64 // the request waited for; answers to others are stale
	pending    bool
	opening    bool // the request pending is Open's
	land       int  // where the cursor goes in the page on its way: a row, or from the bottom when negative
	landMatch  int  // or: 1 to the first match of query in it, -1 to the last
	note       string
	list
	width int
}

// Load shows a page of a file and reports whether it did: an answer to a
// request the viewer no longer waits for is dropped. The answer to Open
// starts the file anew.
func (v *viewer) Load(msg fileContentMsg) bool {
	if msg.Req != v.req || !v.pending {
		return false
	}
	v.note = ""
	if v.opening {
		v.opening = false
		v.open, v.layer, v.path, v.binary = msg.open, msg.Layer, msg.Path, msg.Binary
		v.query, v.size, v.pending, v.failed = "", -1, false, false
		v.land, v.landMatch = 0, 0
		v.cursor, v.offset = 0, 0
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
		where := "after"
		if v.landMatch < 0 {
			where = "before"
		}
		v.note = fmt.Sprintf("%q not found %s this chunk", v.query, where)
	default:
		v.show(msg)
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
	case v.landMatch < 0:
		v.set(v.match(v.query, v.n-1, -1, false))
	case v.land < 0:
		v.set(v.n + v.land)
	default:
		v.set(v.land)
	}
}

// retitle describes the file and which part of it is shown.
func (v *viewer) retitle() {
	t := fmt.Sprintf("/%s (layer %d)", safetext.Line(v.path), v.layer)
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
	if v.pending {
		t += ", loading…"
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
	v.retitle()
	r := pageReq{open: v.open, layer: v.layer, path: v.path, id: v.req, kind: kind, at: at, binary: v.binary, query: v.query}
	return func() tea.Msg { return fetchPage(r) }
}

// Close forgets any page on its way, so that its answer, when it comes,
// is stale and does not bring the viewer back.
func (v *viewer) Close() {
	v.req++
	v.pending, v.opening = false, false
	v.retitle()
}

// paged reports whether the file is larger than the page shown.
func (v *viewer) paged() bool { return v.start > 0 || v.more }

// isBinary guesses from the first 8 KiB: a NUL byte or invalid UTF-8.
func isBinary(b []byte) bool {
	cut := len(b) > 8192
	b = b[:min(len(b), 8192)]
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	if utf8.Valid(b) {
		return false
	}
	// A multi-byte rune split by the sniff boundary is not evidence.
	for i := 1; cut && i <= 3; i++ {
		if utf8.Valid(b[:len(b)-i]) {
			return false
		}
	}
	return true
}

// hexLines formats data, which starts at byte base of the file, as file
// offset, 16 hex bytes and their printable ASCII.
func hexLines(data []byte, base int64) []string {
	lines := make([]string, 0, len(data)/16+1)
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		b.Reset()
		fmt.Fprintf(&b, "%08x  ", base+int64(off))
		for i := range 16 {
			if i < len(row) {
				fmt.Fprintf(&b, "%02x ", row[i])
			} else {
				b.WriteString("   ")
			}
			if i == 7 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(" |")
		for _, c := range row {
			if c < 32 || c > 126 {
				c = '.'
			}
			b.WriteByte(c)
		}
		b.WriteByte('|')
		lines = append(lines, b.String())
	}
	return lines
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
	v.query = q
	if q == "" || len(v.lines) == 0 {
		return false
	}
	if r := v.match(q, from, 1, true); r >= 0 {
		v.set(r)
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
		return nil
	}
	switch {
	case fwd && v.more:
		return v.fetch(fetchFindNext, v.end, 0, 1)
	case !fwd && v.start > 0:
		return v.fetch(fetchFindPrev, v.start, 0, -1)
	case !v.paged():
		// The whole file is here: go round it.
		if r := v.match(q, v.cursor+step, step, true); r >= 0 {
			v.set(r)
			return nil
		}
	}
	return statusCmd("%q not found", q)
}

// motion is how many rows a motion key moves, 0 for other keys.
func (v *viewer) motion(k tea.KeyPressMsg) int { return moveBy(v.keys, k, v.height) }

// Update implements component. Motion stays in the page until it runs
// past an end of it; then the next (previous) page is read and the cursor
// lands where the motion would have taken it. g and G go to the first and
// last page, [ and ] page by chunk, n and N find the next and previous
// match.
func (v *viewer) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if v.note != "" {
		v.note = ""
		v.retitle()
	}
	switch {
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

// View implements component. The cursor line is highlighted; the text is
// shown as is (it may hold escape sequences of its own, which are cut).
func (v *viewer) View() string {
	var b strings.Builder
	end := min(len(v.lines), v.offset+v.height)
	for r := v.offset; r < end; r++ {
		if r > v.offset {
			b.WriteByte('\n')
		}
		line := v.lines[r]
		// Only the start of a long line can show.
		if len(line) > 8*v.width {
			line = line[:8*v.width]
		}
		if !v.binary && !v.failed {
			line = padLeft(strconv.FormatInt(v.first+int64(r), 10), v.numW) + " │ " + line
		}
		line = padRight(strings.Map(printable, line), v.width)
		if r == v.cursor {
			b.WriteString(v.st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
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
}

// searchKey is the filter key as the viewer uses it: to search the file.
// newViewer is the viewer for keys: its search and close bindings are
// derived from the key map once.
func newViewer(keys keyMap, st *Styles) viewer {
	v := viewer{keys: keys, st: st}
	v.search = key.NewBinding(key.WithKeys(keys.Filter.Keys()...), key.WithHelp(keys.Filter.Help().Key, "search"))
	// Closing takes esc, and the quit key (q) other than ctrl+c, which
	// always quits.
	closeKeys, help := slices.Clone(keys.Clear.Keys()), keys.Clear.Help().Key
	for _, q := range keys.Quit.Keys() {
		if !slices.Contains(keys.Interrupt.Keys(), q) && !slices.Contains(closeKeys, q) {
			closeKeys, help = append(closeKeys, q), help+"/"+q
		}
	}
	v.close = key.NewBinding(key.WithKeys(closeKeys...), key.WithHelp(help, "close"))
	return v
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
	b := []key.Binding{v.search, v.keys.NextMatch, v.keys.PrevMatch}
	return append(append(b, v.pageKeys()...), v.close)
}

// FullHelp implements help.KeyMap.
func (v *viewer) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{k.moveHelp(), append(append([]key.Binding{v.search, k.NextMatch, k.PrevMatch}, v.pageKeys()...), v.close)}
}
