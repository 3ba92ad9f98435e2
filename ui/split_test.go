package ui

import (
	"strings"
	"testing"
)

// TestSplitView: | shows the selected layer's own changes above and the
// filesystem stacked up to it below, both following the layer; tab goes
// from the history to the upper half, the lower half, then on; each half
// keeps its own cursor; | again leaves one tree.
func TestSplitView(t *testing.T) {
	m := newTestModel(t, fixture(t), 120, 40)
	press(t, m, "down", "down", "|") // layer 1: apt-get install
	if !m.split || m.trees[0].mode != modeLayer || m.trees[1].mode != modeStacked || m.trees[1].layer != 1 {
		t.Fatalf("after |: split %v, modes %v/%v, lower on layer %d", m.split, m.trees[0].mode, m.trees[1].mode, m.trees[1].layer)
	}
	f := frame(m)
	for _, want := range []string{"Files: layer 1 (layer)", "Files: layer 1 (stacked)"} {
		if !strings.Contains(f, want) {
			t.Errorf("no %q in the frame:\n%s", want, f)
		}
	}
	// The upper half lists what layer 1 did only: no bin/sh (layer 0's),
	// which the lower half has.
	up, low := rowsOf(m.trees[0]), rowsOf(m.trees[1])
	if contains(up, "bin/sh") || !contains(up, "usr/bin/curl") || !contains(up, "etc/passwd") {
		t.Errorf("upper half %q, want layer 1's changes only", up)
	}
	if !contains(low, "bin/sh") || !contains(low, "usr/bin/curl") {
		t.Errorf("lower half %q, want everything up to layer 1", low)
	}

	press(t, m, "tab")
	if m.focus != focusTree || m.tree != m.trees[0] || !m.trees[0].focused || m.trees[1].focused {
		t.Fatalf("tab from the history: focus %v, upper has it %v", m.focus, m.tree == m.trees[0])
	}
	press(t, m, "tab", "down", "down")
	if m.tree != m.trees[1] || m.trees[1].cursor != 2 || m.trees[0].cursor != 0 {
		t.Errorf("tab then down: lower has it %v, cursors %d above, %d below", m.tree == m.trees[1], m.trees[0].cursor, m.trees[1].cursor)
	}
	press(t, m, "shift+tab")
	if m.tree != m.trees[0] {
		t.Error("shift+tab from the lower half did not go back up")
	}
	press(t, m, "tab", "tab")
	if m.focus != focusLayer {
		t.Errorf("tab from the lower half: focus %v, want the layer details", m.focus)
	}

	// Both halves follow the history and the filter.
	press(t, m, "shift+tab", "shift+tab", "shift+tab", "down", "down", "/")
	typeText(t, m, "tmp")
	press(t, m, "enter")
	if m.trees[0].layer != 2 || m.trees[1].layer != 2 || m.trees[1].filter != "tmp" {
		t.Errorf("layers %d/%d, lower filter %q; want 2/2 and tmp", m.trees[0].layer, m.trees[1].layer, m.trees[1].filter)
	}

	press(t, m, "|")
	if m.split || m.tree != m.trees[0] || strings.Contains(frame(m), "(stacked)") {
		t.Errorf("after | again: split %v\n%s", m.split, frame(m))
	}
}

func rowsOf(f *fileTree) []string {
	var out []string
	for _, n := range f.rows {
		out = append(out, f.vt.path(n))
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestSplitGolden: the split view at the two sizes the explorer is
// checked at, colour off.
func TestSplitGolden(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"split_120x40", 120, 40}, {"split_80x24", 80, 24}} {
		t.Run(sz.name, func(t *testing.T) {
			m := newTestModel(t, fixture(t), sz.w, sz.h)
			press(t, m, "down", "down", "|", "tab", "tab", "down")
			golden(t, sz.name, frame(m))
		})
	}
}
