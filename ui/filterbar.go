package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// filterChangedMsg says the path filter changed. It carries no query:
// commands run concurrently, so these messages can arrive out of order,
// and the receiver reads the bar's query as it is now (filterBar.Query).
type filterChangedMsg struct{}

// filterDoneMsg says the user stopped editing the filter (enter keeps it,
// esc clears it).
type filterDoneMsg struct{ Keep bool }

func msgCmd(m tea.Msg) tea.Cmd { return func() tea.Msg { return m } }

// filterBar is the one-line editor of the status line: the path filter,
// or where to save a file. It is deliberately tiny: typing, backspace,
// ctrl+w, enter and esc.
type filterBar struct {
	keys   keyMap
	st     *Styles
	query  []rune
	active bool
	width  int
	// saving, when set, makes the bar ask where to save that file: it then
	// sends one extractMsg on enter instead of filter messages as it goes.
	saving *extractMsg
}

// Query is the text in the bar ("" once cleared).
func (f *filterBar) Query() string { return string(f.query) }

// Start opens the editor on the current query.
func (f *filterBar) Start(q string) {
	f.query, f.active, f.saving = []rune(q), true, nil
}

// StartSave asks where to save the file of x, starting from dest.
func (f *filterBar) StartSave(x extractMsg, dest string) {
	f.query, f.active, f.saving = []rune(dest), true, &x
}

// Update implements component.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !f.active {
		return nil
	}
	switch {
	case f.saving != nil && keyMatches(k, f.keys.Apply):
		x := *f.saving
		x.To = strings.TrimSpace(string(f.query))
		f.active, f.saving = false, nil
		if x.To == "" {
			return msgCmd(statusMsg{Text: "not saved: no destination"})
		}
		return msgCmd(x)
	case f.saving != nil && keyMatches(k, f.keys.Clear):
		f.active, f.saving = false, nil
		return nil
	case keyMatches(k, f.keys.Apply):
		f.active = false
		return msgCmd(filterDoneMsg{Keep: true})
	case keyMatches(k, f.keys.Clear):
		f.active, f.query = false, nil
		return tea.Batch(msgCmd(filterChangedMsg{}), msgCmd(filterDoneMsg{}))
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
	if f.saving != nil {
		return nil
	}
	return msgCmd(filterChangedMsg{})
}

// View implements component.
func (f *filterBar) View() string {
	label := "/"
	if f.saving != nil {
		label = "save /" + f.saving.Path + " to: "
	}
	return f.st.StatusKey.Render(label) + truncate(string(f.query)+"█", max(f.width-len([]rune(label)), 1))
}

// SetSize implements component.
func (f *filterBar) SetSize(w, _ int) { f.width = w }

// ShortHelp implements help.KeyMap.
func (f *filterBar) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Apply, f.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (f *filterBar) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
