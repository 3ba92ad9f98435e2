package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// chrome is what the explorer and the compare view share around their
// panes: the key map, the styles, the help line, the terminal size, pane
// titles, how panes are put side by side, and the mouse. Each root model
// embeds one.
type chrome struct {
	keys   keyMap
	theme  Theme
	styles *Styles
	help   help.Model

	width, height int
}

func newChrome(theme Theme, keys keyMap) chrome {
	c := chrome{keys: keys, theme: theme, help: help.New(), width: 80, height: 24}
	st := newStyles(theme, true)
	c.styles = &st
	c.help.Styles = st.Help
	return c
}

// guessBackground picks the auto theme's styles from COLORFGBG until the
// terminal answers the background query (restyle), which it may never
// do: without either, auto draws as on a dark background. It reports
// whether the styles changed.
func (c *chrome) guessBackground(getenv func(string) string) bool {
	if c.theme != ThemeAuto {
		return false
	}
	dark, ok := darkFromCOLORFGBG(getenv("COLORFGBG"))
	if !ok || dark {
		return false
	}
	*c.styles = newStyles(ThemeAuto, dark)
	c.help.Styles = c.styles.Help
	return true
}

// restyle rebuilds the styles for the terminal's background, once it is
// known, and reports whether they changed. The panes hold the same
// *Styles, so they follow.
func (c *chrome) restyle(msg tea.BackgroundColorMsg) bool {
	if c.theme != ThemeAuto {
		return false
	}
	*c.styles = newStyles(ThemeAuto, msg.IsDark())
	c.help.Styles = c.styles.Help
	return true
}

// view wraps a frame for the terminal: the alternate screen, with the
// mouse reporting clicks and the wheel.
func (c *chrome) view(content, windowTitle string) tea.View {
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = windowTitle
	return v
}

// title draws a pane title; the focused pane gets a heavy rule, so focus
// shows without colour.
func (c *chrome) title(name string, focused bool, w int) string {
	rule, st := "─", c.styles.Title
	if focused {
		rule, st = "━", c.styles.TitleFocused
	}
	text := rule + " " + truncate(name, max(0, w-4)) + " "
	return st.Render(text + strings.Repeat(rule, max(0, w-len([]rune(text)))))
}

// helpText is the short help of the pane in front followed by the global
// keys, on one line. The help key is pinned at the right end, so that
// however narrow the terminal, the way to every other key shows.
func (c *chrome) helpText(pane []key.Binding, global ...key.Binding) string {
	rest := slices.Clip(pane)
	var pinned []key.Binding
	for _, b := range global {
		if slices.Equal(b.Keys(), c.keys.Help.Keys()) {
			pinned = append(pinned, b)
		} else {
			rest = append(rest, b)
		}
	}
	right := c.help.ShortHelpView(pinned)
	rw := ansi.StringWidth(right)
	if rw == 0 || rw+2 > c.width {
		// help cuts at its width, but counts the separator of the first
		// item it drops; truncate again so the line never wraps.
		return ansi.Truncate(c.help.ShortHelpView(append(rest, pinned...)), c.width, "…")
	}
	h := c.help // a copy: the pinned key's room is taken off its width
	h.SetWidth(c.width - rw - 2)
	left := ansi.Truncate(h.ShortHelpView(rest), c.width-rw-2, "…")
	return left + strings.Repeat(" ", c.width-ansi.StringWidth(left)-rw) + right
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

// placed is a pane where the root model put it: its box on the screen
// (title row included), its title, and the focus it takes when clicked
// (noFocus for a pane that never has it).
type placed struct {
	x, y, w, h int
	title      string
	focused    bool
	pane       pane
	focus      int
}

const noFocus = -1

// compose draws the placed panes, each under its title, into h rows of the
// terminal's width. Panes side by side are split by a vertical rule.
func (c *chrome) compose(panes []placed, h int) string {
	panes = slices.Clone(panes)
	slices.SortStableFunc(panes, func(a, b placed) int { return a.x - b.x })
	blocks := make([][]string, len(panes))
	for i, p := range panes {
		blocks[i] = fit(c.title(p.title, p.focused, p.w)+"\n"+p.pane.View(), p.w, p.h)
	}
	sep := c.styles.Dim.Render("│")
	var b strings.Builder
	for y := range h {
		if y > 0 {
			b.WriteByte('\n')
		}
		x := 0
		for i, p := range panes {
			if y < p.y || y >= p.y+p.h {
				continue
			}
			if p.x > x {
				b.WriteString(strings.Repeat(sep, p.x-x))
			}
			b.WriteString(blocks[i][y-p.y])
			x = p.x + p.w
		}
	}
	return b.String()
}

// wheelStep is how many rows one wheel notch scrolls a pane that scrolls
// by rows rather than by selection.
const wheelStep = 3

// routeMouse sends a wheel notch or a left click to the pane under the
// pointer. A click also gives that pane the focus (through focus), and
// reaches the pane as a row of its content: row 0 is the first line under
// its title.
func routeMouse(msg tea.MouseMsg, panes []placed, focus func(int)) tea.Cmd {
	ms := msg.Mouse()
	i := slices.IndexFunc(panes, func(p placed) bool {
		return ms.X >= p.x && ms.X < p.x+p.w && ms.Y >= p.y && ms.Y < p.y+p.h
	})
	if i < 0 {
		return nil
	}
	p := panes[i]
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch ms.Button {
		case tea.MouseWheelUp:
			return p.pane.Wheel(-1)
		case tea.MouseWheelDown:
			return p.pane.Wheel(1)
		}
	case tea.MouseClickMsg:
		if ms.Button != tea.MouseLeft {
			return nil
		}
		if p.focus != noFocus {
			focus(p.focus)
		}
		if row := ms.Y - p.y - 1; row >= 0 {
			return p.pane.Click(row)
		}
	}
	return nil
}
