package ui

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// maxView is how much of a file the viewer reads: enough for any text a
// person reads in a terminal, small enough to never stall on a huge blob.
const maxView = 1 << 20

// OpenFileFunc returns the content of path as stored in layer (an index
// into analyze.Result.Layers). The caller closes the reader.
type OpenFileFunc func(layer int, path string) (io.ReadCloser, error)

// ExtractFunc saves path as stored in layer and returns where it went.
type ExtractFunc func(layer int, path string) (string, error)

// ExtractMsg asks the root to save a file of a layer.
type ExtractMsg struct {
	Layer int
	Path  string
}

// extractCmd saves a file off the UI goroutine and reports the outcome on
// the status line.
func extractCmd(extract ExtractFunc, layer int, path string) tea.Cmd {
	return func() tea.Msg {
		dest, err := extract(layer, path)
		if err != nil {
			return StatusMsg{Text: "extracting /" + path + ": " + err.Error()}
		}
		return StatusMsg{Text: "extracted /" + path + " to " + dest}
	}
}

// FileOpenMsg asks the root to show a file of a layer in the viewer.
type FileOpenMsg struct {
	Layer int
	Path  string
}

// FileContentMsg carries the first maxView bytes of a file, or why they
// could not be read.
type FileContentMsg struct {
	Layer     int
	Path      string
	Data      []byte
	Truncated bool
	Err       error
}

// readFileCmd reads a file through open, off the UI goroutine.
func readFileCmd(open OpenFileFunc, layer int, path string) tea.Cmd {
	return func() tea.Msg {
		msg := FileContentMsg{Layer: layer, Path: path}
		rc, err := open(layer, path)
		if err != nil {
			msg.Err = err
			return msg
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxView+1))
		if err != nil {
			msg.Err = fmt.Errorf("reading /%s: %w", path, err)
			return msg
		}
		if len(data) > maxView {
			data, msg.Truncated = data[:maxView], true
		}
		msg.Data = data
		return msg
	}
}

// viewer is the overlay showing one file: text with line numbers, or a hex
// dump of binary content.
type viewer struct {
	keys  keyMap
	st    *Styles
	title string
	lines []string
	query string
	list
	width int
}

// Load shows a file's content.
func (v *viewer) Load(msg FileContentMsg) {
	v.title = fmt.Sprintf("/%s (layer %d)", msg.Path, msg.Layer)
	v.query = ""
	v.cursor, v.offset = 0, 0
	switch {
	case msg.Err != nil:
		v.lines = []string{"cannot read: " + msg.Err.Error()}
	case isBinary(msg.Data):
		v.title += " binary, hex"
		v.lines = hexLines(msg.Data)
	default:
		text := strings.ReplaceAll(string(msg.Data), "\t", "    ")
		v.lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		w := len(itoa(len(v.lines)))
		for i, l := range v.lines {
			v.lines[i] = padLeft(itoa(i+1), w) + " │ " + l
		}
	}
	if msg.Truncated {
		v.title += fmt.Sprintf(", first %s only", humanBytes(maxView))
	}
	v.resize(len(v.lines), v.height)
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

// hexLines formats data as offset, 16 hex bytes and their printable ASCII.
func hexLines(data []byte) []string {
	lines := make([]string, 0, len(data)/16+1)
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		b.Reset()
		fmt.Fprintf(&b, "%08x  ", off)
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

// Search moves to the next line at or after the cursor containing q.
func (v *viewer) Search(q string, from int) bool {
	v.query = q
	if q == "" {
		return false
	}
	for i := range len(v.lines) {
		r := (from + i) % len(v.lines)
		if strings.Contains(v.lines[r], q) {
			v.set(r)
			return true
		}
	}
	return false
}

// Update implements component; n finds the next match of the search.
func (v *viewer) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || v.navigate(v.keys, k) {
		return nil
	}
	if k.Text == "n" && v.query != "" && !v.Search(v.query, v.cursor+1) {
		return statusCmd("%q not found", v.query)
	}
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
		line := padRight(strings.Map(printable, v.lines[r]), v.width)
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

// ShortHelp implements help.KeyMap.
func (v *viewer) ShortHelp() []key.Binding {
	return []key.Binding{v.keys.Up, v.keys.Down, v.keys.Filter, v.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (v *viewer) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{k.moveHelp(), {k.Filter, k.Clear}}
}
