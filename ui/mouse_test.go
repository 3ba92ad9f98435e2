package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// cellOf finds text in a frame at or right of column minX and returns the
// cell it starts at, so that a test clicks where the text is drawn rather
// than where it expects the layout to put it.
func cellOf(t *testing.T, frame, text string, minX int) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(frame, "\n") {
		for from := 0; from < len(line); {
			i := strings.Index(line[from:], text)
			if i < 0 {
				break
			}
			if x := ansi.StringWidth(line[:from+i]); x >= minX {
				return x, y
			}
			from += i + len(text)
		}
	}
	t.Fatalf("%q is not on screen at column %d or right of it:\n%s", text, minX, frame)
	return 0, 0
}

func click(x, y int) tea.MouseClickMsg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func wheel(x, y int, down bool) tea.MouseWheelMsg {
	b := tea.MouseWheelUp
	if down {
		b = tea.MouseWheelDown
	}
	return tea.MouseWheelMsg{X: x, Y: y, Button: b}
}

// TestClickFollowsScroll: once the history has scrolled, a click lands on
// the step drawn under the pointer, not on the row the pane would hold
// unscrolled; the column header and the pane title select nothing.
func TestClickFollowsScroll(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 16) // two history rows
	press(t, m, "G", "k", "k")
	if m.history.offset != 2 || m.history.height != 2 {
		t.Fatalf("history offset %d, %d rows; the test wants it scrolled to 2 of 2 rows", m.history.offset, m.history.height)
	}
	_, y := cellOf(t, frame(m), "rm -rf", 0)
	run(m, second(m.Update(click(3, y))))
	if m.history.cursor != 3 || m.tree.layer != 2 {
		t.Errorf("click on the rm step: cursor %d, layer %d; want 3, 2", m.history.cursor, m.tree.layer)
	}
	for _, header := range []string{"Command", "Layers"} {
		_, y := cellOf(t, frame(m), header, 0)
		run(m, second(m.Update(click(3, y))))
		if m.history.cursor != 3 {
			t.Errorf("click on %q moved the cursor to %d", header, m.history.cursor)
		}
	}
}

// TestClickInOverlays: under the wasted list a click picks a file; under
// the help overlay the mouse does nothing.
func TestClickInOverlays(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "w")
	if len(m.wasted.files) < 2 {
		t.Fatalf("the fixture has %d wasted files, the test needs 2", len(m.wasted.files))
	}
	second := m.wasted.files[1].Path
	_, y := cellOf(t, frame(m), "/"+second, 0)
	m.Update(click(10, y))
	if m.wasted.cursor != 1 {
		t.Errorf("click on /%s: cursor %d", second, m.wasted.cursor)
	}
	press(t, m, "w", "?")
	before := m.history.cursor
	m.Update(wheel(5, 3, true))
	m.Update(click(5, 3))
	if m.overlay != overlayHelp || m.history.cursor != before {
		t.Errorf("mouse under the help overlay: overlay %d, cursor %d", m.overlay, m.history.cursor)
	}
}

// TestCompareMouse: the compare view takes the mouse as the explorer
// does. A click on a layer position selects it (the cache-break divider
// is not a position), a click in the diff tree focuses it and puts the
// cursor there, and the wheel moves what is under the pointer.
func TestCompareMouse(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Errorf("compare view does not ask for the mouse")
	}
	feed := func(msg tea.Msg) {
		_, cmd := m.Update(msg)
		if cmd != nil {
			if _, ok := cmd().(pairSelectedMsg); ok {
				m.Update(pairSelectedMsg{})
			}
		}
	}
	f := compareFrame(m)
	_, y := cellOf(t, f, "+ added", 0)
	feed(click(5, y))
	if m.layers.cursor != 4 || m.details.sel != 4 {
		t.Errorf("click on the added layer: cursor %d, details %d", m.layers.cursor, m.details.sel)
	}
	_, y = cellOf(t, f, "cache broke here", 0)
	feed(click(5, y))
	if m.layers.cursor != 4 {
		t.Errorf("click on the divider moved the cursor to %d", m.layers.cursor)
	}
	feed(wheel(5, y, false))
	if m.layers.cursor != 3 || m.details.sel != 3 {
		t.Errorf("wheel up over the layers: cursor %d, details %d", m.layers.cursor, m.details.sel)
	}
	x, y := cellOf(t, f, "main.c", m.leftWidth())
	feed(click(x, y))
	if m.focus != cmpFocusTree || !strings.HasSuffix(m.tree.path(m.tree.cursorNode()), "main.c") {
		t.Errorf("click on main.c: focus %d, cursor %q", m.focus, m.tree.path(m.tree.cursorNode()))
	}
	x, y = cellOf(t, f, "Details", 0)
	feed(click(x, y))
	if m.focus != cmpFocusDetails {
		t.Errorf("click on the details title: focus %d", m.focus)
	}
	pressCompare(t, m, "/")
	feed(click(5, 3))
	if m.layers.cursor != 3 {
		t.Errorf("a click while the filter is typed moved the cursor to %d", m.layers.cursor)
	}
}
