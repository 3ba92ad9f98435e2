package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// component is what every pane implements. Panes are pointers owned by the
// root model; they render to plain strings and only the root builds the
// tea.View.
type component interface {
	help.KeyMap
	// Update handles a message addressed to the pane.
	Update(msg tea.Msg) tea.Cmd
	// View renders the pane's content in exactly its size.
	View() string
	// SetSize sets the content size the pane renders into.
	SetSize(w, h int)
}

// pane is a component the root models place on the screen, and so the
// mouse reaches. Rows count from the first line of the pane's View: a
// pane with a column header knows that its row 0 is the header.
type pane interface {
	component
	// Click handles a left click on a row of the pane.
	Click(row int) tea.Cmd
	// Wheel handles one wheel notch: -1 up, 1 down.
	Wheel(notch int) tea.Cmd
}

var (
	_ pane      = (*history)(nil)
	_ pane      = (*layerDetails)(nil)
	_ pane      = (*imageDetails)(nil)
	_ pane      = (*fileTree)(nil)
	_ pane      = (*wasted)(nil)
	_ pane      = (*largest)(nil)
	_ pane      = (*packages)(nil)
	_ pane      = (*viewer)(nil)
	_ pane      = (*versions)(nil)
	_ pane      = (*diffView)(nil)
	_ pane      = (*alignedLayers)(nil)
	_ pane      = (*pairDetails)(nil)
	_ pane      = (*diffTree)(nil)
	_ component = (*filterBar)(nil)
)

// list is the cursor-and-scroll state shared by the scrolling panes.
type list struct {
	cursor, offset, height, n int
}

// rowAt is the list row shown on line y of a pane that has header lines
// above its rows, and whether there is one there.
func (l *list) rowAt(y, header int) (int, bool) {
	r := l.offset + y - header
	if y < header || r >= min(l.n, l.offset+max(1, l.height)) {
		return 0, false
	}
	return r, true
}

// moveTo puts the cursor on row r (clamped) and reports whether it moved.
func (l *list) moveTo(r int) bool {
	before := l.cursor
	l.set(r)
	return l.cursor != before
}

// move shifts the cursor by d rows, clamped to the list.
func (l *list) move(d int) {
	l.set(l.cursor + d)
}

// set puts the cursor at row i (clamped) and scrolls it into view.
func (l *list) set(i int) {
	l.cursor = max(0, min(i, l.n-1))
	h := max(1, l.height)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = max(0, min(l.offset, l.n-h))
}

// resize changes the number of rows or the page height, keeping the cursor
// in range and visible.
func (l *list) resize(n, height int) {
	l.n, l.height = n, height
	l.set(l.cursor)
}

// navigate applies the common motion keys and reports whether it did.
func (l *list) navigate(k keyMap, msg tea.KeyPressMsg) bool {
	switch {
	case keyMatches(msg, k.Top):
		l.set(0)
	case keyMatches(msg, k.Bottom):
		l.set(l.n - 1)
	default:
		d := moveBy(k, msg, l.height)
		if d == 0 {
			return false
		}
		l.move(d)
	}
	return true
}

// moveBy is how many rows a relative motion key moves, page rows making a
// page: up, down, page and half-page moves; 0 for any other key.
func moveBy(k keyMap, msg tea.KeyPressMsg, page int) int {
	page = max(1, page)
	switch {
	case keyMatches(msg, k.Up):
		return -1
	case keyMatches(msg, k.Down):
		return 1
	case keyMatches(msg, k.PageUp):
		return -page
	case keyMatches(msg, k.PageDown):
		return page
	case keyMatches(msg, k.HalfUp):
		return -max(1, page/2)
	case keyMatches(msg, k.HalfDown):
		return max(1, page/2)
	}
	return 0
}
