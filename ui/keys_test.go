package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestKeyMapWithRebindsAction(t *testing.T) {
	keys, err := keyMapWith(map[string][]string{"quit": {"x"}, "filter": {"f"}})
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(fixture(t), ThemeMono, "", keys)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})

	if press(t, m, "q") {
		t.Error("q still quits after quit was rebound to x")
	}
	// The rebound filter key opens the filter bar, where typed text goes.
	press(t, m, "f")
	typeText(t, m, "zqzq")
	if !strings.Contains(frame(m), "zqzq") {
		t.Errorf("f did not open the filter bar; frame:\n%s", frame(m))
	}
	press(t, m, "esc")
	if !press(t, m, "x") {
		t.Error("x does not quit after quit was rebound to it")
	}
	if !strings.Contains(keys.Quit.Help().Key, "x") {
		t.Errorf("help shows %q for quit, want the new key", keys.Quit.Help().Key)
	}
}

func TestKeyMapWithErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   map[string][]string
		want string
	}{
		{"unknown action", map[string][]string{"explode": {"e"}}, `unknown explorer action "explode"`},
		{"no keys", map[string][]string{"quit": {}}, `action "quit": want at least one key`},
		{"empty key", map[string][]string{"quit": {""}}, `action "quit": want at least one key`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckKeys(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckKeys = %v, want %q", err, tc.want)
			}
		})
	}
	if err := CheckKeys(map[string][]string{"explode": {"e"}}); !errors.Is(err, ErrUnknownAction) {
		t.Errorf("err = %v, want ErrUnknownAction", err)
	}
	if err := CheckKeys(nil); err != nil {
		t.Errorf("CheckKeys(nil) = %v", err)
	}
}

func TestDefaultKeysNamesEveryBinding(t *testing.T) {
	got := DefaultKeys()
	seen := map[string]bool{}
	for _, b := range got {
		if seen[b.Action] || len(b.Keys) == 0 {
			t.Errorf("action %q repeated or without keys", b.Action)
		}
		seen[b.Action] = true
	}
	if len(got) != 38 {
		t.Errorf("DefaultKeys has %d actions, want the keyMap's 38", len(got))
	}
}
