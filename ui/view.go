package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/strata-cli/strata/internal/safetext"
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
	// The history takes the rows its steps need (title, header, one per
	// step) up to 7/20 of the body; what a short history leaves goes to
	// the details, whose digests and commands otherwise get cut.
	histH := max(2, min(body*7/20, len(m.history.steps)+2))
	layerH := max(2, (body-histH)/2)
	imageH := max(1, body-histH-layerH)
	m.histH, m.layerH = histH, layerH
	m.history.SetSize(left, histH-1)
	m.layer.SetSize(left, layerH-1)
	m.image.SetSize(left, imageH-1)
	if m.split {
		up, low := splitHeights(body)
		m.trees[0].SetSize(m.width-left-1, up-1)
		m.trees[1].SetSize(m.width-left-1, low-1)
	} else {
		m.tree.SetSize(m.width-left-1, body-1)
	}
	m.wasted.SetSize(m.width, body-1)
	m.largest.SetSize(m.width, body-1)
	m.packages.SetSize(m.width, body-1)
	m.versions.SetSize(m.width, body-1)
	m.diff.SetSize(m.width, body-1)
	m.viewer.SetSize(m.width, body-1)
}

func (m *Model) bodyHeight() int { return max(0, m.height-2) }

func (m *Model) leftWidth() int {
	// Up to 84 cells: a label and a whole sha256 digest (71) fit.
	return max(24, min(m.width*9/20, 84))
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
	return m.view(content, "strata")
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
	if m.overlay == overlayHelp {
		// Two rows of two columns each, so that every binding fits in 80 cells.
		g := m.allHelp()
		text := m.title("Keys", true, m.width) + "\n" + m.help.FullHelpView(g[:2]) + "\n\n" + m.help.FullHelpView(g[2:])
		return strings.Join(fit(text, m.width, h), "\n")
	}
	return m.compose(m.panes(), h)
}

// statusLine shows the view mode, sort, shown kinds, filter and any note.
func (m *Model) statusLine() string {
	if m.filter.active {
		// A bad regular expression shows as it is typed, not only once
		// the bar is closed.
		v := m.filter.View()
		if m.filterErr != "" && m.overlay != overlayViewer {
			v = ansi.Truncate(v+"  "+m.styles.Error.Render(m.filterErr), m.width, "…")
		}
		return v
	}
	if m.confirm != nil {
		return m.styles.StatusKey.Render(truncate(m.confirm.question(), m.width))
	}
	parts := []string{m.tree.Status()}
	if m.saving != nil {
		// First: it is what is happening now.
		parts = []string{m.saving.status(), m.tree.Status()}
	}
	if m.filterErr != "" {
		parts = append(parts, m.filterErr)
	}
	if m.status != "" {
		parts = append(parts, m.status)
	}
	// The file's details: the package that owns it, when there are packages.
	if n := m.tree.cursorNode(); n >= 0 && m.overlay == overlayNone && !m.tree.vt.nodes[n].dir {
		if note := ownerNote(m.res, m.tree.vt.nodes[n].id); note != "" {
			parts = append(parts, note)
		}
	}
	line := " " + strings.Join(parts, " │ ")
	// The breadcrumb: the whole path under the tree's cursor, whose parents
	// are often scrolled off (after a jump, always). It takes what room is
	// left, cut at the front, since the file's own name matters most.
	if p := m.tree.cursorPath(); p != "" && m.overlay == overlayNone {
		if room := m.width - len([]rune(line)) - len(" │ "); room >= minBreadcrumb {
			crumb := "/" + safetext.Line(p)
			if m.tree.vt.nodes[m.tree.cursorNode()].dir {
				crumb += "/" // as the tree draws a directory
			}
			line += " │ " + truncateLeft(crumb, room)
		}
	}
	return m.styles.Status.Render(truncate(line, m.width))
}

// minBreadcrumb is the fewest cells worth giving the path on the status line.
const minBreadcrumb = 12

// helpLine is the short help of what has focus plus the global keys.
func (m *Model) helpLine() string {
	var pane []key.Binding
	switch {
	case m.filter.active:
		pane = m.filter.ShortHelp()
	case m.overlay == overlayWasted:
		pane = m.wasted.ShortHelp()
	case m.overlay == overlayLargest:
		pane = m.largest.ShortHelp()
	case m.overlay == overlayPackages:
		pane = m.packages.ShortHelp()
	case m.overlay == overlayVersions:
		return m.helpText(m.versions.ShortHelp(), m.keys.Help)
	case m.overlay == overlayDiff:
		return m.helpText(m.diff.ShortHelp(), m.keys.Help)
	case m.overlay == overlayViewer:
		// Only the viewer's own keys: tab, the tree filter and the view
		// keys do nothing there.
		return m.helpText(m.viewer.ShortHelp(), m.keys.Help)
	case m.focus == focusHistory:
		pane = m.history.ShortHelp()
	case m.focus == focusLayer:
		pane = m.layer.ShortHelp()
	default:
		pane = m.tree.ShortHelp()
	}
	return m.helpText(pane, m.keys.globalHelp()...)
}

// allHelp gathers every pane's full help for the ? overlay.
func (m *Model) allHelp() [][]key.Binding {
	k := m.keys
	groups := [][]key.Binding{{k.NextPane, k.PrevPane, k.Wasted, k.Largest, k.Packages, k.FileHistory, k.Help, k.Quit}}
	groups = append(groups, m.tree.FullHelp()...)
	return append(groups, contentHelp(k))
}
