package ui

import tea "charm.land/bubbletea/v2"

// The split view divides the tree column: above, what the selected layer
// itself did (added, modified, removed); below, the filesystem stacked up
// to it. Both halves are file trees, the same component in its two modes,
// each with its own cursor and folding; tab goes from one to the other.

// splitLower is the focus value a click on the split's lower half gives.
const splitLower = int(numFocus)

// toggleSplit opens or closes the split. Opening puts the tree in its
// layer mode above and a stacked tree of the same layer, filter and
// shown kinds below; closing keeps the upper tree as it is.
func (m *Model) toggleSplit() tea.Cmd {
	m.split = !m.split
	up := m.trees[0]
	if !m.split {
		m.tree = up
		m.setFocus(m.focus)
		m.layout()
		return nil
	}
	cmds := []tea.Cmd{up.SetMode(modeLayer)}
	low := m.trees[1]
	if low == nil {
		// Straight at the layer and mode it shows: a large stacked view
		// is built in a command, as any other.
		var cmd tea.Cmd
		low, cmd = newFileTreeAt(m.res, m.keys, m.styles, up.layer, modeStacked, false)
		m.trees[1] = low
		cmds = append(cmds, cmd)
	}
	low.hidden, low.bySize, low.attrs = up.hidden, up.bySize, up.attrs
	_ = low.SetFilter(up.filter) // the upper tree took it: it is valid
	cmds = append(cmds, low.SetMode(modeStacked), low.SetLayer(up.layer))
	m.layout()
	m.setFocus(m.focus)
	return tea.Batch(cmds...)
}

// focusTree gives the keyboard to tree i of the split (0 above, 1 below).
func (m *Model) focusTree(i int) {
	if m.trees[i] == nil {
		i = 0
	}
	m.tree = m.trees[i]
	m.setFocus(focusTree)
}

// setTreeFilter filters both halves of the split by the one query.
func (m *Model) setTreeFilter(q string) error {
	err := m.trees[0].SetFilter(q)
	if m.trees[1] != nil {
		_ = m.trees[1].SetFilter(q)
	}
	return err
}

// splitHeights is how the split shares h rows of the tree column: the
// upper half, a layer's own changes, is usually the shorter list.
func splitHeights(h int) (up, low int) {
	up = max(2, h*2/5)
	return up, max(2, h-up)
}

// cyclePane moves the focus to the next pane (or the previous one); in
// the split the tree column counts as two panes, the upper one first.
func (m *Model) cyclePane(forward bool) {
	switch {
	case m.split && m.focus == focusTree && forward && m.tree == m.trees[0]:
		m.focusTree(1)
	case m.split && m.focus == focusTree && !forward && m.tree == m.trees[1]:
		m.focusTree(0)
	case forward:
		m.setFocus((m.focus + 1) % numFocus)
		if m.focus == focusTree {
			m.focusTree(0)
		}
	default:
		m.setFocus((m.focus + numFocus - 1) % numFocus)
		if m.focus == focusTree && m.split {
			m.focusTree(1)
		}
	}
}
