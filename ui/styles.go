package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Theme picks the colours of the interface.
type Theme string

// The themes Options.Theme accepts. ThemeAuto follows the terminal
// background; ThemeMono uses no colour at all (bold, faint and reverse
// only) and is chosen whenever NO_COLOR is set.
const (
	ThemeAuto         Theme = ""
	ThemeDark         Theme = "dark"
	ThemeLight        Theme = "light"
	ThemeHighContrast Theme = "high-contrast"
	ThemeMono         Theme = "mono"
)

// Styles holds every style the panes use. It is built once per theme by
// newStyles and handed down; views never create styles of their own.
type Styles struct {
	Title, TitleFocused lipgloss.Style
	Selected            lipgloss.Style // the cursor row of the focused pane
	SelectedBlur        lipgloss.Style // the cursor row of another pane
	Match               lipgloss.Style // a search match other than the current one
	Dim                 lipgloss.Style // empty history steps, hints
	Label               lipgloss.Style // "Digest:" and friends
	Bar                 lipgloss.Style
	Change              [numChanges]lipgloss.Style
	Dir                 lipgloss.Style
	Link                lipgloss.Style
	Status, StatusKey   lipgloss.Style
	Error               lipgloss.Style
	Help                help.Styles
	// Syntax colours the viewer's text (highlight.go); nil in the mono
	// theme, where text stays plain.
	Syntax *syntaxStyle
}

// newStyles builds the styles of a theme. isDark matters only for
// ThemeAuto, where it reflects the detected terminal background.
func newStyles(theme Theme, isDark bool) Styles {
	if theme == ThemeMono {
		return monoStyles()
	}
	if theme == ThemeAuto {
		theme = ThemeLight
		if isDark {
			theme = ThemeDark
		}
	}
	var accent, dim, added, modified, removed, dir, bar color.Color
	switch theme {
	case ThemeLight:
		accent, dim = lipgloss.Color("#5A32C8"), lipgloss.Color("#6B6B6B")
		added, modified, removed = lipgloss.Color("#1A7F37"), lipgloss.Color("#9A6700"), lipgloss.Color("#CF222E")
		dir, bar = lipgloss.Color("#0550AE"), lipgloss.Color("#8250DF")
	case ThemeHighContrast:
		accent, dim = lipgloss.Color("#FFFF00"), lipgloss.Color("#C0C0C0")
		added, modified, removed = lipgloss.Color("#00FF00"), lipgloss.Color("#FFFF00"), lipgloss.Color("#FF4040")
		dir, bar = lipgloss.Color("#00FFFF"), lipgloss.Color("#FFFFFF")
	default: // dark
		accent, dim = lipgloss.Color("#B294FF"), lipgloss.Color("#969696")
		added, modified, removed = lipgloss.Color("#5FD787"), lipgloss.Color("#E5C07B"), lipgloss.Color("#FF6B6B")
		dir, bar = lipgloss.Color("#61AFEF"), lipgloss.Color("#B294FF")
	}
	s := monoStyles()
	s.TitleFocused = s.TitleFocused.Foreground(accent)
	s.Dim = s.Dim.Foreground(dim)
	s.Match = s.Match.Foreground(accent)
	s.Label = lipgloss.NewStyle().Foreground(dim)
	s.Bar = lipgloss.NewStyle().Foreground(bar)
	s.Change[changeAdded] = lipgloss.NewStyle().Foreground(added)
	s.Change[changeModified] = lipgloss.NewStyle().Foreground(modified)
	s.Change[changeRemoved] = lipgloss.NewStyle().Foreground(removed)
	s.Dir = lipgloss.NewStyle().Bold(true).Foreground(dir)
	s.Link = lipgloss.NewStyle().Foreground(dim)
	s.StatusKey = s.StatusKey.Foreground(accent)
	s.Error = s.Error.Foreground(removed)
	s.Help = hintStyles(theme != ThemeLight)
	s.Syntax = newSyntaxStyle(accent, added, modified, dim, dir, removed)
	if theme == ThemeHighContrast {
		s.Help.ShortKey = s.Help.ShortKey.Foreground(accent)
		s.Help.ShortDesc = s.Help.ShortDesc.Foreground(lipgloss.Color("#FFFFFF"))
		s.Help.FullKey = s.Help.FullKey.Foreground(accent)
		s.Help.FullDesc = s.Help.FullDesc.Foreground(lipgloss.Color("#FFFFFF"))
	}
	return s
}

// hintStyles are the help line's: bubbles' defaults are about 2.5:1 on a
// dark background and 2.1:1 on a light one, too faint to read; these keep
// keys and descriptions at 4.5:1 or more (WCAG AA) on the usual terminal
// backgrounds (see TestHintContrast), the separators dimmer.
func hintStyles(isDark bool) help.Styles {
	key, desc, sep := lipgloss.Color("#4A4A4A"), lipgloss.Color("#5E5E5E"), lipgloss.Color("#9E9E9E")
	if isDark {
		key, desc, sep = lipgloss.Color("#B4B4B4"), lipgloss.Color("#9A9A9A"), lipgloss.Color("#5A5A5A")
	}
	k, d, p := lipgloss.NewStyle().Foreground(key), lipgloss.NewStyle().Foreground(desc), lipgloss.NewStyle().Foreground(sep)
	return help.Styles{ShortKey: k, ShortDesc: d, ShortSeparator: p, Ellipsis: p, FullKey: k, FullDesc: d, FullSeparator: p}
}

// monoStyles uses text attributes only, so that everything stays readable
// when colour is off: the tree carries its change symbols anyway.
func monoStyles() Styles {
	plain := lipgloss.NewStyle()
	s := Styles{
		Title:        plain.Bold(true),
		TitleFocused: plain.Bold(true).Underline(true),
		Selected:     plain.Reverse(true),
		SelectedBlur: plain.Underline(true),
		Match:        plain.Underline(true).Bold(true),
		Dim:          plain.Faint(true),
		Label:        plain,
		Bar:          plain,
		Dir:          plain.Bold(true),
		Link:         plain,
		Status:       plain,
		StatusKey:    plain.Bold(true),
		Error:        plain.Bold(true),
	}
	for i := range s.Change {
		s.Change[i] = plain
	}
	s.Help = help.Styles{
		Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
		FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain,
	}
	return s
}
