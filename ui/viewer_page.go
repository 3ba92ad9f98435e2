package ui

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// chunkSize is the most of a file the viewer holds: one page. A larger
// file is paged: each page is read from the layer when it is wanted, by
// streaming the layer up to the file and the file up to the page (layers
// are compressed streams, they cannot seek), and only the page is kept.
const chunkSize = 1 << 20

// OpenFileFunc returns the content of path as stored in layer (an index
// into analyze.Result.Layers). The caller closes the reader; cancelling
// ctx stops the read, also while the layer is streamed to the file. When the
// reader has a Size() int64 method the viewer takes the file's size from
// it; otherwise it learns the size by reading to the end.
type OpenFileFunc func(ctx context.Context, layer int, path string) (io.ReadCloser, error)

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
	// Wrapped is set when a search found its match only by going round
	// the end (or the start) of the file.
	Wrapped bool
	Err     error

	open OpenFileFunc // where the following pages come from
	// rows are Data as the viewer shows it, laid out in the command: a hex
	// page of 1 MiB is 65,536 formatted rows, too many for a key press.
	rows []string
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
	// wrap lets a search that finds nothing on its way go round the file:
	// fetchFindNext then looks from the start up to at (the end of the
	// page shown), fetchFindPrev from at (its start) to the end.
	wrap bool
	// ctx stops the read; prog counts it (viewer_progress.go). Both nil
	// read the file as is.
	ctx  context.Context
	prog *readProgress
}

// context is the read's, or the background one for a request made
// without (tests and commands that cannot be cancelled).
func (r pageReq) context() context.Context {
	if r.ctx != nil {
		return r.ctx
	}
	return context.Background()
}

// fetchPage opens the file and reads the page r asks for. It runs in a
// tea.Cmd: it streams up to the page, and may stream a whole file.
func fetchPage(r pageReq) fileContentMsg {
	msg := fileContentMsg{Layer: r.layer, Path: r.path, Req: r.id, Binary: r.binary, Size: -1, open: r.open}
	fail := func(err error) fileContentMsg {
		msg.Err = fmt.Errorf("reading /%s: %w", r.path, err)
		return msg
	}
	if r.ctx != nil && r.ctx.Err() != nil {
		return fail(r.ctx.Err()) // cancelled before it started
	}
	rc, err := r.open(r.context(), r.layer, r.path)
	if err != nil {
		msg.Err = err
		return msg
	}
	if s, ok := rc.(interface{ Size() int64 }); ok {
		msg.Size = s.Size()
	}
	r.setNeed(msg.Size)
	if r.kind == fetchLast && msg.Size < 0 {
		// Without a recorded size, one pass measures the file and a second
		// reads its end.
		msg.Size, err = io.Copy(io.Discard, r.reader(rc))
		rc.Close()
		if err != nil {
			return fail(err)
		}
		if rc, err = r.open(r.context(), r.layer, r.path); err != nil {
			msg.Err = err
			return msg
		}
		r.setNeed(msg.Size)
	}
	defer func() { rc.Close() }() // rc is reopened to wrap a search
	s := &stream{r: bufio.NewReaderSize(r.reader(rc), 64<<10)}

	switch {
	case r.kind == fetchLast && r.binary:
		err = s.forward(&msg, max(0, msg.Size-1)/chunkSize*chunkSize, r.sniff)
	case r.kind == fetchLast:
		err = s.back(&msg, msg.Size)
	case r.kind == fetchBack && r.binary:
		err = s.forward(&msg, max(0, r.at-chunkSize), false)
	case r.kind == fetchBack:
		err = s.back(&msg, r.at)
	case r.kind == fetchFindNext:
		err = s.find(&msg, r.at, -1, false, r)
	case r.kind == fetchFindPrev:
		err = s.find(&msg, 0, r.at, true, r)
	default:
		err = s.forward(&msg, r.at, r.sniff)
	}
	if err == nil && msg.NotFound && r.wrap {
		// Round the file: a second pass over the part the first did not see.
		rc.Close()
		if rc, err = r.open(r.context(), r.layer, r.path); err != nil {
			msg.Err = err
			return msg
		}
		s = &stream{r: bufio.NewReaderSize(r.reader(rc), 64<<10)}
		if r.kind == fetchFindNext {
			err = s.find(&msg, 0, r.at, false, r)
		} else {
			err = s.find(&msg, r.at, -1, true, r)
		}
		msg.Wrapped = !msg.NotFound
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

// find reads the file in line-aligned chunks from byte from up to end (-1:
// the end of the file) and keeps the first (with last, the last) one with a
// row holding r.query, as the viewer would show it. At most two chunks are
// held at once.
func (s *stream) find(msg *fileContentMsg, from, end int64, last bool, r pageReq) error {
	lines, err := s.skip(from)
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
			if !last {
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
		i = wholeRunes(b)
	}
	return b[:i], b[i:]
}

// wholeRunes is how much of b is left once a character its end cuts in
// half is dropped.
func wholeRunes(b []byte) int {
	for j := len(b) - 1; j >= max(0, len(b)-utf8.UTFMax); j-- {
		if utf8.RuneStart(b[j]) {
			if !utf8.FullRune(b[j:]) {
				return j
			}
			break
		}
	}
	return len(b)
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

// matchCountMsg is how often a search's query occurs in the whole file.
type matchCountMsg struct {
	Req   uint64 // the viewer's count request this answers
	Query string
	Count int
	Err   error
}

// countMatches streams the whole file in line-aligned chunks, as find
// does, and counts the occurrences of r.query in the rows the viewer
// would show. It runs in a tea.Cmd.
func countMatches(r pageReq) matchCountMsg {
	msg := matchCountMsg{Req: r.id, Query: r.query}
	rc, err := r.open(r.context(), r.layer, r.path)
	if err != nil {
		msg.Err = err
		return msg
	}
	defer rc.Close()
	s := &stream{r: bufio.NewReaderSize(r.reader(rc), 64<<10)}
	var carry []byte
	pos := int64(0)
	for {
		b, err := s.next(chunkSize - int64(len(carry)))
		if err != nil {
			msg.Err = fmt.Errorf("reading /%s: %w", r.path, err)
			return msg
		}
		data := append(carry, b...)
		carry = nil
		more := s.more()
		if more && !r.binary {
			data, carry = cutLines(data)
			carry = bytes.Clone(carry)
		}
		for _, row := range pageRows(data, pos, r.binary) {
			msg.Count += strings.Count(row, r.query)
		}
		pos += int64(len(data))
		if !more && len(carry) == 0 {
			return msg
		}
	}
}
