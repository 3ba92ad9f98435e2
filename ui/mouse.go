package ui

import (
	tea "charm.land/bubbletea/v2"
)

// handleMouse passes the wheel and left clicks to the pane under the
// pointer; while the filter bar is open the mouse does nothing.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.state != stateReady || m.filter.active {
		return nil
	}
	return routeMouse(msg, m.panes(), func(f int) {
		switch {
		case f == splitLower:
			m.focusTree(1)
		case focus(f) == focusTree:
			m.focusTree(0)
		default:
			m.setFocus(focus(f))
		}
	})
}

// panes is where the explorer's panes are on the screen now: the three of
// the left column and the file tree, or the overlay covering them all.
// The help overlay is not a pane: the mouse does nothing there.
func (m *Model) panes() []placed {
	h := m.bodyHeight()
	switch m.overlay {
	case overlayHelp:
		return nil
	case overlayViewer:
		return []placed{{w: m.width, h: h, title: m.viewer.title, focused: true, pane: &m.viewer, focus: noFocus}}
	case overlayWasted:
		return []placed{{w: m.width, h: h, title: "Wasted files (enter: jump to layer, esc/q: close)", focused: true, pane: m.wasted, focus: noFocus}}
	case overlayLargest:
		return []placed{{w: m.width, h: h, title: m.largest.Title(), focused: true, pane: m.largest, focus: noFocus}}
	case overlayPackages:
		return []placed{{w: m.width, h: h, title: m.packages.Title(), focused: true, pane: m.packages, focus: noFocus}}
	case overlayVersions:
		return []placed{{w: m.width, h: h, title: m.versions.Title(), focused: true, pane: m.versions, focus: noFocus}}
	case overlayDiff:
		return []placed{{w: m.width, h: h, title: m.diff.title, focused: true, pane: &m.diff, focus: noFocus}}
	}
	left := m.leftWidth()
	ps := []placed{
		{w: left, h: m.histH, title: "Layers", focused: m.focus == focusHistory, pane: m.history, focus: int(focusHistory)},
		{y: m.histH, w: left, h: m.layerH, title: "Layer details", focused: m.focus == focusLayer, pane: m.layer, focus: int(focusLayer)},
		{y: m.histH + m.layerH, w: left, h: h - m.histH - m.layerH, title: "Image details", pane: m.image, focus: noFocus},
	}
	if m.split {
		up, low := splitHeights(h)
		return append(ps,
			placed{x: left + 1, w: m.width - left - 1, h: up, title: m.trees[0].Title(), focused: m.trees[0].focused, pane: m.trees[0], focus: int(focusTree)},
			placed{x: left + 1, y: up, w: m.width - left - 1, h: low, title: m.trees[1].Title(), focused: m.trees[1].focused, pane: m.trees[1], focus: splitLower})
	}
	return append(ps, placed{x: left + 1, w: m.width - left - 1, h: h, title: m.tree.Title(), focused: m.focus == focusTree, pane: m.tree, focus: int(focusTree)})
}
