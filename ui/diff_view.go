package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/internal/safetext"
)

// diffView is the overlay showing a diff of two versions of a file, or
// its summary, over the versions list it was asked from.
type diffView struct {
	keys    keyMap
	close   key.Binding // the viewer's: esc and q
	st      *Styles
	title   string
	lines   []string
	req     uint64 // the diff waited for; answers to others are stale
	pending bool
	list
	width int
}

// Start waits for a new diff: answers to earlier ones are dropped.
func (d *diffView) Start(title string) uint64 {
	d.req++
	d.pending, d.title = true, title+", diffing…"
	d.lines = nil
	d.cursor, d.offset = 0, 0
	d.resize(0, d.height)
	return d.req
}

// Load shows a finished diff and reports whether it was the one waited for.
func (d *diffView) Load(msg diffDoneMsg) bool {
	if msg.Req != d.req || !d.pending {
		return false
	}
	d.pending, d.title = false, safetext.Line(msg.Title)
	d.lines = msg.Lines
	d.cursor, d.offset = 0, 0
	d.resize(len(d.lines), d.height)
	return true
}

// Cancel forgets the diff on its way.
func (d *diffView) Cancel() {
	d.req++
	d.pending = false
}

// Update implements component: the motion keys scroll.
func (d *diffView) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		d.navigate(d.keys, k)
	}
	return nil
}

// View implements component: added lines in the added colour, removed
// ones in the removed colour, hunk headers as labels.
func (d *diffView) View() string {
	var b strings.Builder
	if d.pending {
		b.WriteString(d.st.Dim.Render(padRight("  reading both versions…", d.width)))
	}
	end := min(len(d.lines), d.offset+d.height)
	for r := d.offset; r < end; r++ {
		if r > d.offset {
			b.WriteByte('\n')
		}
		line := d.lines[r]
		if len(line) > 8*d.width {
			line = line[:8*d.width]
		}
		line = padRight(strings.Map(printable, line), d.width)
		switch {
		case r == d.cursor:
			b.WriteString(d.st.Selected.Render(line))
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "@@"):
			b.WriteString(d.st.Label.Render(line))
		case strings.HasPrefix(line, "+"):
			b.WriteString(d.st.Change[changeAdded].Render(line))
		case strings.HasPrefix(line, "-"):
			b.WriteString(d.st.Change[changeRemoved].Render(line))
		default:
			b.WriteString(line)
		}
	}
	return b.String()
}

// SetSize implements component.
func (d *diffView) SetSize(w, h int) {
	d.width = w
	d.resize(len(d.lines), max(1, h))
}

// ShortHelp implements help.KeyMap.
func (d *diffView) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Up, d.keys.Down, d.keys.PageDown, d.close}
}

// FullHelp implements help.KeyMap.
func (d *diffView) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.keys.moveHelp(), {d.close}}
}

// Click implements pane: a click puts the cursor on a line.
func (d *diffView) Click(row int) tea.Cmd {
	if r, ok := d.rowAt(row, 0); ok {
		d.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls a few lines.
func (d *diffView) Wheel(notch int) tea.Cmd {
	d.move(notch * wheelStep)
	return nil
}
