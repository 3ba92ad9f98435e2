package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// FilterChangedMsg carries the path filter as typed so far.
type FilterChangedMsg struct{ Query string }

// FilterDoneMsg says the user stopped editing the filter (enter keeps it,
// esc clears it).
type FilterDoneMsg struct{ Keep bool }

func msgCmd(m tea.Msg) tea.Cmd { return func() tea.Msg { return m } }

// filterBar is the one-line editor for the path filter. It is deliberately
// tiny: typing, backspace, ctrl+w, enter and esc.
type filterBar struct {
	keys   keyMap
	st     *Styles
	query  []rune
	active bool
	width  int
}

// Start opens the editor on the current query.
func (f *filterBar) Start(q string) {
	f.query, f.active = []rune(q), true
}

// Update implements component.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !f.active {
		return nil
	}
	switch {
	case keyMatches(k, f.keys.Apply):
		f.active = false
		return msgCmd(FilterDoneMsg{Keep: true})
	case keyMatches(k, f.keys.Clear):
		f.active, f.query = false, nil
		return tea.Batch(msgCmd(FilterChangedMsg{}), msgCmd(FilterDoneMsg{}))
	case k.Code == tea.KeyBackspace:
		if len(f.query) > 0 {
			f.query = f.query[:len(f.query)-1]
		}
	case k.Code == 'w' && k.Mod == tea.ModCtrl:
		s := strings.TrimRight(string(f.query), " ")
		if i := strings.LastIndexAny(s, " /"); i >= 0 {
			f.query = []rune(s[:i])
		} else {
			f.query = nil
		}
	case k.Text != "":
		f.query = append(f.query, []rune(k.Text)...)
	default:
		return nil
	}
	return msgCmd(FilterChangedMsg{Query: string(f.query)})
}

// View implements component.
func (f *filterBar) View() string {
	return f.st.StatusKey.Render("/") + truncate(string(f.query)+"█", f.width-1)
}

// SetSize implements component.
func (f *filterBar) SetSize(w, _ int) { f.width = w }

// ShortHelp implements help.KeyMap.
func (f *filterBar) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Apply, f.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (f *filterBar) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
