package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyMap is every binding of the program. Panes receive it by value and
// match with key.Matches; help is rendered from the same bindings.
type keyMap struct {
	Up, Down, Left, Right          key.Binding
	Top, Bottom                    key.Binding
	PageUp, PageDown               key.Binding
	HalfUp, HalfDown               key.Binding
	NextPane, PrevPane             key.Binding
	Toggle                         key.Binding
	CollapseAll, ExpandAll         key.Binding
	Filter, Clear                  key.Binding
	ShowAdded, ShowModified        key.Binding
	ShowRemoved, ShowUnchanged     key.Binding
	ToggleView, Stacked, LayerOnly key.Binding
	Sort, Attrs                    key.Binding
	Wasted, Copy, Extract          key.Binding
	Help, Quit, Apply              key.Binding
}

// defaultKeyMap returns the bindings documented in the package README.
func defaultKeyMap() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Up:            b([]string{"up", "k"}, "↑/k", "up"),
		Down:          b([]string{"down", "j"}, "↓/j", "down"),
		Left:          b([]string{"left", "h"}, "←/h", "collapse/parent"),
		Right:         b([]string{"right", "l"}, "→/l", "expand"),
		Top:           b([]string{"g", "home"}, "g", "top"),
		Bottom:        b([]string{"G", "end"}, "G", "bottom"),
		PageUp:        b([]string{"pgup"}, "pgup", "page up"),
		PageDown:      b([]string{"pgdown"}, "pgdn", "page down"),
		HalfUp:        b([]string{"ctrl+u"}, "ctrl+u", "half page up"),
		HalfDown:      b([]string{"ctrl+d"}, "ctrl+d", "half page down"),
		NextPane:      b([]string{"tab"}, "tab", "next pane"),
		PrevPane:      b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Toggle:        b([]string{"space", "enter"}, "space/enter", "fold dir/view file"),
		CollapseAll:   b([]string{"["}, "[", "collapse all"),
		ExpandAll:     b([]string{"]"}, "]", "expand all"),
		Filter:        b([]string{"/"}, "/", "filter (re: for regex)"),
		Clear:         b([]string{"esc"}, "esc", "clear filter/close"),
		ShowAdded:     b([]string{"1"}, "1", "added on/off"),
		ShowModified:  b([]string{"2"}, "2", "modified on/off"),
		ShowRemoved:   b([]string{"3"}, "3", "removed on/off"),
		ShowUnchanged: b([]string{"4"}, "4", "unchanged on/off"),
		ToggleView:    b([]string{"s"}, "s", "layer/stacked"),
		Stacked:       b([]string{"ctrl+a"}, "ctrl+a", "stacked view"),
		LayerOnly:     b([]string{"ctrl+l"}, "ctrl+l", "layer-only view"),
		Sort:          b([]string{"o"}, "o", "sort name/size"),
		Attrs:         b([]string{"b"}, "b", "attributes"),
		Wasted:        b([]string{"w"}, "w", "wasted files"),
		Copy:          b([]string{"y"}, "y", "copy path"),
		Extract:       b([]string{"x"}, "x", "extract file"),
		Help:          b([]string{"?"}, "?", "help"),
		Quit:          b([]string{"q", "ctrl+c"}, "q", "quit"),
		Apply:         b([]string{"enter"}, "enter", "apply/jump"),
	}
}

// globalHelp is the part of the short help every screen shares.
func (k keyMap) globalHelp() []key.Binding {
	return []key.Binding{k.NextPane, k.Filter, k.ToggleView, k.Wasted, k.Help, k.Quit}
}

// keyMatches is key.Matches for a key press.
func keyMatches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }
