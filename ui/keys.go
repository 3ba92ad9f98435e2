package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
	Split                          key.Binding
	Sort, Attrs                    key.Binding
	Wasted, Largest                key.Binding
	Packages                       key.Binding
	FileHistory, Follow            key.Binding
	Copy, Extract                  key.Binding
	ExtractTo                      key.Binding
	Help, Quit, Apply              key.Binding
	// The file viewer's own keys: the next and previous match of its
	// search, and the next and previous chunk of a file too large to hold
	// at once. They are not in actions (not configurable yet).
	NextMatch, PrevMatch key.Binding
	NextChunk, PrevChunk key.Binding
	// Wrap folds the viewer's long lines instead of scrolling them;
	// CopyContent copies what a pane holds in full: the file's content in
	// the viewer, the recorded command in the history and layer details.
	Wrap, CopyContent key.Binding
	// ClearLine empties the bar (filter, search or destination) whatever
	// the cursor's place.
	ClearLine key.Binding
	// Interrupt quits from anywhere, even while a filter is being typed
	// (where q is text). It is not rebindable: ctrl+c must always work.
	Interrupt key.Binding
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
		Split:         b([]string{"|"}, "|", "split: layer over stacked"),
		Sort:          b([]string{"o"}, "o", "sort name/size"),
		Attrs:         b([]string{"b"}, "b", "attributes"),
		Wasted:        b([]string{"w"}, "w", "wasted files"),
		Largest:       b([]string{"L"}, "L", "largest files"),
		Packages:      b([]string{"p"}, "p", "packages"),
		FileHistory:   b([]string{"H"}, "H", "file history"),
		Follow:        b([]string{"f"}, "f", "follow symlink"),
		Copy:          b([]string{"y"}, "y", "copy path"),
		Extract:       b([]string{"x"}, "x", "extract file/dir"),
		ExtractTo:     b([]string{"X"}, "X", "extract to…"),
		Help:          b([]string{"?"}, "?", "help"),
		Quit:          b([]string{"q", "ctrl+c"}, "q", "quit"),
		Apply:         b([]string{"enter"}, "enter", "apply/jump"),
		NextMatch:     b([]string{"n"}, "n", "next match"),
		PrevMatch:     b([]string{"N"}, "N", "previous match"),
		NextChunk:     b([]string{"]"}, "]", "next chunk"),
		PrevChunk:     b([]string{"["}, "[", "previous chunk"),
		Wrap:          b([]string{"W"}, "W", "wrap lines"),
		CopyContent:   b([]string{"Y"}, "Y", "copy content"),
		ClearLine:     b([]string{"ctrl+u"}, "ctrl+u", "clear"),
		Interrupt:     b([]string{"ctrl+c"}, "ctrl+c", "quit"),
	}
}

// moveHelp is the help column of every scrolling pane.
func (k keyMap) moveHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown}
}

// globalHelp is the part of the short help every screen shares.
func (k keyMap) globalHelp() []key.Binding {
	return []key.Binding{k.NextPane, k.Filter, k.ToggleView, k.Wasted, k.Help, k.Quit}
}

// keyMatches is key.Matches for a key press.
func keyMatches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// ErrUnknownAction is returned for a key override naming no action.
var ErrUnknownAction = errors.New("unknown explorer action")

// keyAction is one configurable binding of a keyMap.
type keyAction struct {
	name string
	b    *key.Binding
}

// actions names every binding for configuration, in help order. The names
// are the kebab-case of the keyMap fields, so that a config file reads
// like the help screen.
func (k *keyMap) actions() []keyAction {
	return []keyAction{
		{"up", &k.Up}, {"down", &k.Down}, {"left", &k.Left}, {"right", &k.Right},
		{"top", &k.Top}, {"bottom", &k.Bottom},
		{"page-up", &k.PageUp}, {"page-down", &k.PageDown},
		{"half-up", &k.HalfUp}, {"half-down", &k.HalfDown},
		{"next-pane", &k.NextPane}, {"prev-pane", &k.PrevPane},
		{"toggle", &k.Toggle}, {"collapse-all", &k.CollapseAll}, {"expand-all", &k.ExpandAll},
		{"filter", &k.Filter}, {"clear", &k.Clear},
		{"show-added", &k.ShowAdded}, {"show-modified", &k.ShowModified},
		{"show-removed", &k.ShowRemoved}, {"show-unchanged", &k.ShowUnchanged},
		{"toggle-view", &k.ToggleView}, {"stacked", &k.Stacked}, {"layer-only", &k.LayerOnly}, {"split", &k.Split},
		{"sort", &k.Sort}, {"attrs", &k.Attrs},
		{"wasted", &k.Wasted}, {"largest", &k.Largest}, {"packages", &k.Packages}, {"file-history", &k.FileHistory}, {"follow", &k.Follow}, {"copy", &k.Copy}, {"extract", &k.Extract}, {"extract-to", &k.ExtractTo},
		{"help", &k.Help}, {"quit", &k.Quit}, {"apply", &k.Apply},
	}
}

// KeyBinding is one explorer action and the keys that trigger it.
type KeyBinding struct {
	Action string
	Keys   []string
}

// DefaultKeys returns every explorer action with its default keys, in the
// order of the help screen. These are the names Options.Keys accepts.
func DefaultKeys() []KeyBinding {
	k := defaultKeyMap()
	var out []KeyBinding
	for _, a := range k.actions() {
		out = append(out, KeyBinding{Action: a.name, Keys: a.b.Keys()})
	}
	return out
}

// CheckKeys reports whether overrides would be accepted by Options.Keys:
// every name an action, every action given at least one key.
func CheckKeys(overrides map[string][]string) error {
	_, err := keyMapWith(overrides)
	return err
}

// keyMapWith returns the default bindings with overrides applied. An
// override replaces the action's keys; the help line shows the new keys.
func keyMapWith(overrides map[string][]string) (keyMap, error) {
	k := defaultKeyMap()
	acts := k.actions()
	// Sorted, so that the first bad name reported does not depend on map
	// order.
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		i := slices.IndexFunc(acts, func(a keyAction) bool { return a.name == n })
		if i < 0 {
			return k, fmt.Errorf("%w %q", ErrUnknownAction, n)
		}
		keys := overrides[n]
		if len(keys) == 0 || slices.Contains(keys, "") {
			return k, fmt.Errorf("action %q: want at least one key, and no empty ones", n)
		}
		b := acts[i].b
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	return k, nil
}
