package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// clipboardOf runs cmd and returns what it puts on the clipboard (ok when
// it does) and the status it says. tea.SetClipboard's message type is
// Bubble Tea's own; it is a string underneath.
func clipboardOf(t *testing.T, cmd tea.Cmd) (clip string, ok bool, status string) {
	t.Helper()
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		case statusMsg:
			status = msg.Text
		default:
			v := reflect.ValueOf(msg)
			if v.IsValid() && v.Type().String() == "tea.setClipboardMsg" {
				clip, ok = v.String(), true
			}
		}
	}
	walk(cmd)
	return clip, ok, status
}

func TestViewerCopyContent(t *testing.T) {
	// 'é' straddles the limit: the cut keeps whole characters.
	big := strings.Repeat("a", copyLimit-1) + "é and more\n"
	tests := []struct {
		name, content string
		want          string // on the clipboard; "" for nothing
		status        string // part of the status line
	}{
		{"text", "NAME=Example\n\tID=example\n", "NAME=Example\n\tID=example\n", "copied /etc/os-release"},
		{"cut", big, strings.Repeat("a", copyLimit-1), "copied the first 102 kB of /etc/os-release: the clipboard limit"},
		{"binary", "\x7fELF\x00\x01", "", "binary: not copied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestModel(t, fixture(t), 100, 30)
			m.open = func(_ context.Context, layer int, path string) (io.ReadCloser, error) {
				if path != "etc/os-release" {
					return nil, errors.New("no such file")
				}
				return io.NopCloser(strings.NewReader(tt.content)), nil
			}
			press(t, m, "tab", "down", "down", "down", "enter")
			if m.overlay != overlayViewer {
				t.Fatalf("the viewer did not open")
			}
			_, cmd := m.Update(keyMsg("Y"))
			clip, ok, status := clipboardOf(t, cmd)
			if ok != (tt.want != "") || clip != tt.want {
				t.Errorf("clipboard %v %d bytes %q…, want %d bytes %q…", ok, len(clip), clip[:min(len(clip), 20)], len(tt.want), tt.want[:min(len(tt.want), 20)])
			}
			if !utf8.ValidString(clip) || len(clip) > copyLimit {
				t.Errorf("clipboard holds %d bytes, valid UTF-8 %v", len(clip), utf8.ValidString(clip))
			}
			if !strings.Contains(status, tt.status) {
				t.Errorf("status %q, want it to say %q", status, tt.status)
			}
		})
	}
}

func TestCopyRecordedCommand(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	// The history opens on step 0; y copies its one-line form, Y the
	// command as recorded.
	_, cmd := m.Update(keyMsg("y"))
	short, _, _ := clipboardOf(t, cmd)
	_, cmd = m.Update(keyMsg("Y"))
	full, ok, status := clipboardOf(t, cmd)
	if !ok || full != "/bin/sh -c #(nop) ADD file:0123abcd in / " || short != "ADD file:0123abcd in /" {
		t.Errorf("history: y copied %q, Y copied %q (%v)", short, full, ok)
	}
	if !strings.Contains(status, "step 0") {
		t.Errorf("status %q", status)
	}
	// The layer details copy the same step's.
	press(t, m, "down", "down", "shift+tab")
	if m.focus != focusLayer {
		t.Fatalf("focus %d, want the layer details", m.focus)
	}
	_, cmd = m.Update(keyMsg("Y"))
	if got, _, _ := clipboardOf(t, cmd); got != "RUN |1 VERSION=8.5 /bin/sh -c apt-get update && apt-get install -y curl" {
		t.Errorf("layer details: Y copied %q", got)
	}
}

func TestRecordedCommand(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"RUN <<EOF\n\tapt-get update\nEOF\n", "RUN <<EOF\n\tapt-get update\nEOF"},
		{"echo \x1b]52;c;aGk=\x07", `echo \x1b]52;c;aGk=\x07`},
		{"a\r\nb", `a\x0d` + "\nb"},
	} {
		if got := recordedCommand(tt.in); got != tt.want {
			t.Errorf("recordedCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClipText(t *testing.T) {
	for _, n := range []int{copyLimit - 2, copyLimit - 1, copyLimit} {
		b := append(bytes.Repeat([]byte("a"), n), "€€"...)
		got, cut := clipText(b)
		if !cut || len(got) > copyLimit || !utf8.ValidString(got) || len(got) < copyLimit-2 {
			t.Errorf("%d bytes before €: cut %v, %d bytes, valid %v", n, cut, len(got), utf8.ValidString(got))
		}
	}
	if got, cut := clipText([]byte("short")); cut || got != "short" {
		t.Errorf("short: %q %v", got, cut)
	}
}
