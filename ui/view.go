package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout pushes sizes down to the panes. The left column holds history,
// layer details and image details; the file tree takes the right column.
// Each pane has a one-line title; two lines at the bottom hold status and
// help.
func (m *Model) layout() {
	m.help.SetWidth(m.width)
	m.filter.SetSize(m.width, 1)
	if m.state != stateReady {
		return
	}
	body := max(3, m.bodyHeight())
	left := m.leftWidth()
	histH := max(2, body*7/20)
	layerH := max(2, (body-histH)/2)
	imageH := max(1, body-histH-layerH)
	m.histH, m.layerH = histH, layerH
	m.history.SetSize(left, histH-1)
	m.layer.SetSize(left, layerH-1)
	m.image.SetSize(left, imageH-1)
	m.tree.SetSize(m.width-left-1, body-1)
	m.wasted.SetSize(m.width, body-1)
	m.viewer.SetSize(m.width, body-1)
}

func (m *Model) bodyHeight() int { return max(0, m.height-2) }

func (m *Model) leftWidth() int {
	return max(24, min(m.width*9/20, 72))
}

// View implements tea.Model.
func (m *Model) View() tea.View {
	var content string
	switch m.state {
	case stateLoading:
		content = m.loading.view(m.ref, m.width, m.height)
	case stateFailed:
		content = m.errorView()
	default:
		content = m.body() + "\n" + m.statusLine() + "\n" + m.helpLine()
	}
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "strata"
	return v
}

// errorView is the failure screen: the error wrapped to the width (a
// registry's or daemon's message easily runs past it), indented under its
// label, and how to leave.
func (m *Model) errorView() string {
	const label = "error: "
	lines := wrap(m.err.Error(), max(1, m.width-len(label)))
	for i, l := range lines {
		if i == 0 {
			lines[i] = m.styles.Error.Render(label) + l
		} else {
			lines[i] = strings.Repeat(" ", len(label)) + l
		}
	}
	return strings.Join(append(lines, "", m.styles.Dim.Render("press q to quit")), "\n")
}

// body renders the panes, or the overlay covering them.
func (m *Model) body() string {
	h := m.bodyHeight()
	switch m.overlay {
	case overlayHelp:
		// Two rows of two columns each, so that every binding fits in 80 cells.
		g := m.allHelp()
		text := m.title("Keys", true, m.width) + "\n" + m.help.FullHelpView(g[:2]) + "\n\n" + m.help.FullHelpView(g[2:])
		return strings.Join(fit(text, m.width, h), "\n")
	case overlayViewer:
		return strings.Join(fit(m.title(m.viewer.title, true, m.width)+"\n"+m.viewer.View(), m.width, h), "\n")
	case overlayWasted:
		return strings.Join(fit(m.title("Wasted files (enter: jump to layer, esc: close)", true, m.width)+"\n"+m.wasted.View(), m.width, h), "\n")
	}
	left := m.leftWidth()
	histH, layerH := m.histH, m.layerH
	var l []string
	l = append(l, fit(m.title("Layers", m.focus == focusHistory, left)+"\n"+m.history.View(), left, histH)...)
	l = append(l, fit(m.title("Layer details", m.focus == focusLayer, left)+"\n"+m.layer.View(), left, layerH)...)
	l = append(l, fit(m.title("Image details", false, left)+"\n"+m.image.View(), left, h-histH-layerH)...)
	rw := m.width - left - 1
	treeTitle := "Files: layer " + itoa(m.tree.layer) + " (" + m.tree.mode.String() + ")"
	if m.tree.layer < 0 {
		treeTitle = "Files"
	}
	r := fit(m.title(treeTitle, m.focus == focusTree, rw)+"\n"+m.tree.View(), rw, h)
	var b strings.Builder
	sep := m.styles.Dim.Render("│")
	for i := range h {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l[i])
		b.WriteString(sep)
		b.WriteString(r[i])
	}
	return b.String()
}

// title draws a pane title; the focused pane gets a heavy rule, so focus
// shows without colour.
func (m *Model) title(name string, focused bool, w int) string {
	rule, st := "─", m.styles.Title
	if focused {
		rule, st = "━", m.styles.TitleFocused
	}
	text := rule + " " + truncate(name, max(0, w-4)) + " "
	return st.Render(text + strings.Repeat(rule, max(0, w-len([]rune(text)))))
}

// fit cuts or pads s to exactly h lines of exactly w cells.
func fit(s string, w, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:max(0, h)]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, line := range lines {
		lw := ansi.StringWidth(line)
		switch {
		case lw > w:
			lines[i] = ansi.Truncate(line, w, "")
		case lw < w:
			lines[i] = line + strings.Repeat(" ", w-lw)
		}
	}
	return lines
}

// statusLine shows the view mode, sort, shown kinds, filter and any note.
func (m *Model) statusLine() string {
	if m.filter.active {
		return m.filter.View()
	}
	t := m.tree
	sort := "name"
	if t.bySize {
		sort = "size"
	}
	var kinds strings.Builder
	for c := range numChanges {
		if t.hidden[c] {
			kinds.WriteString("·")
		} else if c == changeUnchanged {
			kinds.WriteString("=")
		} else {
			kinds.WriteString(c.symbol())
		}
	}
	parts := []string{"view: " + t.mode.String(), "sort: " + sort, "show: " + kinds.String()}
	if t.filter != "" {
		parts = append(parts, "filter: "+t.filter)
	}
	if m.filterErr != "" {
		parts = append(parts, m.filterErr)
	}
	if m.status != "" {
		parts = append(parts, m.status)
	}
	return m.styles.Status.Render(truncate(" "+strings.Join(parts, " │ "), m.width))
}

// helpLine is the short help of what has focus plus the global keys.
func (m *Model) helpLine() string {
	var pane []key.Binding
	switch {
	case m.filter.active:
		pane = m.filter.ShortHelp()
	case m.overlay == overlayWasted:
		pane = m.wasted.ShortHelp()
	case m.overlay == overlayViewer:
		// Only the viewer's own keys: tab, the tree filter and the view
		// keys do nothing there.
		return ansi.Truncate(m.help.ShortHelpView(append(m.viewer.ShortHelp(), m.keys.Help)), m.width, "…")
	case m.focus == focusHistory:
		pane = m.history.ShortHelp()
	case m.focus == focusLayer:
		pane = m.layer.ShortHelp()
	default:
		pane = m.tree.ShortHelp()
	}
	// help cuts at its width, but counts the separator of the first item it
	// drops; truncate again so the line never wraps.
	return ansi.Truncate(m.help.ShortHelpView(append(pane, m.keys.globalHelp()...)), m.width, "…")
}

// allHelp gathers every pane's full help for the ? overlay.
func (m *Model) allHelp() [][]key.Binding {
	k := m.keys
	groups := [][]key.Binding{{k.NextPane, k.PrevPane, k.Wasted, k.Help, k.Quit}}
	groups = append(groups, m.tree.FullHelp()...)
	return groups
}
