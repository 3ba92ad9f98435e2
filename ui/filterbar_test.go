package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestFilterBarEditing: the filter takes a bracketed paste, moves its
// cursor with left/right/home/end, inserts where the cursor is, and ctrl+u
// clears what is before the cursor; every change reaches the tree.
func TestFilterBarEditing(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "/")
	_, cmd := m.Update(tea.PasteMsg{Content: "etc/os"})
	run(m, cmd)
	if got := m.filter.Query(); got != "etc/os" {
		t.Fatalf("after paste: query %q, want etc/os", got)
	}
	if m.tree.filter != "etc/os" {
		t.Fatalf("after paste: tree filter %q, want etc/os", m.tree.filter)
	}
	press(t, m, "home")
	typeText(t, m, "/")
	if got, pos := m.filter.Query(), m.filter.input.Position(); got != "/etc/os" || pos != 1 {
		t.Fatalf("home then /: %q at %d, want /etc/os at 1", got, pos)
	}
	press(t, m, "end", "left", "left")
	typeText(t, m, "x")
	if got := m.filter.Query(); got != "/etc/xos" {
		t.Fatalf("end, left, left, x: %q, want /etc/xos", got)
	}
	press(t, m, "right")
	if pos := m.filter.input.Position(); pos != 7 {
		t.Fatalf("right: cursor at %d, want 7", pos)
	}
	press(t, m, "end", "ctrl+u")
	if got := m.filter.Query(); got != "" || m.tree.filter != "" {
		t.Fatalf("ctrl+u: query %q, tree filter %q, want both empty", got, m.tree.filter)
	}
	if !m.filter.active {
		t.Fatal("ctrl+u closed the filter")
	}
}
