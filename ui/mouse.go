package ui

import (
	tea "charm.land/bubbletea/v2"
)

// wheelStep is how many rows one wheel notch scrolls the file tree.
const wheelStep = 3

// handleMouse scrolls the pane under the pointer with the wheel and moves
// the cursor to a clicked row, focusing that pane.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.state != stateReady || m.filter.active {
		return nil
	}
	ms := msg.Mouse()
	left := ms.X < m.leftWidth()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		d := 0
		switch ms.Button {
		case tea.MouseWheelUp:
			d = -1
		case tea.MouseWheelDown:
			d = 1
		default:
			return nil
		}
		switch {
		case m.overlay == overlayWasted:
			m.wasted.move(d * wheelStep)
		case m.overlay == overlayViewer:
			m.viewer.move(d * wheelStep)
		case m.overlay != overlayNone:
		case left && ms.Y < m.histH:
			return m.moveHistory(m.history.cursor + d)
		case left && ms.Y < m.histH+m.layerH:
			m.layer.scroll(d * wheelStep)
		case !left:
			m.tree.move(d * wheelStep)
		}
	case tea.MouseClickMsg:
		if ms.Button != tea.MouseLeft || m.overlay != overlayNone {
			return nil
		}
		// Rows start under the pane title and the column header.
		switch {
		case left && ms.Y >= 2 && ms.Y < m.histH:
			m.setFocus(focusHistory)
			return m.moveHistory(m.history.offset + ms.Y - 2)
		case left && ms.Y >= m.histH && ms.Y < m.histH+m.layerH:
			m.setFocus(focusLayer)
		case !left && ms.Y >= 2 && ms.Y < m.bodyHeight():
			m.setFocus(focusTree)
			if r := m.tree.offset + ms.Y - 2; r < len(m.tree.rows) {
				m.tree.set(r)
			}
		}
	}
	return nil
}

// moveHistory puts the history cursor on row r and selects its step.
func (m *Model) moveHistory(r int) tea.Cmd {
	before := m.history.cursor
	m.history.set(r)
	if m.history.cursor == before {
		return nil
	}
	return layerSelectedCmd(m.history.Selected())
}
