package ui

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestViewer(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	var opened []string
	m.open = func(layer int, path string) (io.ReadCloser, error) {
		opened = append(opened, itoa(layer)+":"+path)
		switch path {
		case "etc/os-release":
			return io.NopCloser(strings.NewReader("NAME=Example\nID=example\n\tVERSION=1\n")), nil
		case "bin/sh":
			return io.NopCloser(bytes.NewReader([]byte("\x7fELF\x02\x01\x01\x00binary\x00data"))), nil
		}
		return nil, errors.New("no such file")
	}
	press(t, m, "tab", "down", "down", "down", "enter") // etc/os-release
	if m.overlay != overlayViewer || len(opened) != 1 || opened[0] != "0:etc/os-release" {
		t.Fatalf("enter on a file: overlay %d, opened %q", m.overlay, opened)
	}
	press(t, m, "/")
	typeText(t, m, "VERSION")
	press(t, m, "enter")
	if m.viewer.cursor != 2 {
		t.Errorf("search: cursor %d, want 2", m.viewer.cursor)
	}
	golden(t, "viewer_text", frame(m))
	press(t, m, "esc")
	if m.overlay != overlayNone {
		t.Fatal("esc did not close the viewer")
	}

	press(t, m, "g", "down", "enter") // bin/sh, from the stacked view of layer 2
	press(t, m, "esc", "shift+tab", "G", "tab", "ctrl+a", "g", "down", "enter")
	if last := opened[len(opened)-1]; last != "0:bin/sh" {
		t.Errorf("stacked view opened %q, want the layer that stores it (0:bin/sh)", last)
	}
	if !strings.Contains(m.viewer.title, "binary") || !strings.HasPrefix(m.viewer.lines[0], "00000000  7f 45 4c 46") {
		t.Errorf("binary view: %q %q", m.viewer.title, m.viewer.lines)
	}
	golden(t, "viewer_binary", frame(m))
	press(t, m, "esc", "g", "enter") // a directory folds, it does not open
	if m.overlay != overlayNone {
		t.Errorf("enter on a directory opened the viewer")
	}
}

func TestViewerUnavailable(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "down", "enter")
	if m.overlay != overlayNone || !strings.Contains(m.status, "not available") {
		t.Errorf("without OpenFile: overlay %d, status %q", m.overlay, m.status)
	}
}

func TestIsBinary(t *testing.T) {
	tests := []struct {
		in   []byte
		want bool
	}{
		{[]byte("plain text\n"), false},
		{[]byte("caf\xc3\xa9"), false},
		{[]byte("a\x00b"), true},
		{[]byte("\xff\xfe"), true},
		{append(bytes.Repeat([]byte("a"), 8191), 0xc3, 0xa9), false}, // é split by the sniff limit
	}
	for _, tt := range tests {
		if got := isBinary(tt.in); got != tt.want {
			t.Errorf("isBinary(%q…) = %v, want %v", tt.in[:min(len(tt.in), 8)], got, tt.want)
		}
	}
}

func TestCleanCommand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/bin/sh -c #(nop)  CMD [\"sh\"]", `CMD ["sh"]`},
		{"/bin/sh -c apt-get update", "RUN apt-get update"},
		{"RUN |2 A=1 B=2 /bin/sh -c make", "RUN make"},
		{"RUN /bin/sh -c echo  hi  # buildkit", "RUN echo hi # buildkit"},
		{"COPY . /app # buildkit", "COPY . /app # buildkit"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanCommand(tt.in); got != tt.want {
			t.Errorf("cleanCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestModeString(t *testing.T) {
	tests := []struct {
		mode uint32
		want string
	}{
		{0o755, "-rwxr-xr-x"},
		{0o4755, "-rwsr-xr-x"},
		{0o1777, "-rwxrwxrwt"},
		{0o2644, "-rw-r-Sr--"},
	}
	for _, tt := range tests {
		if got := modeString(unixMode(tt.mode)); got != tt.want {
			t.Errorf("modeString(%o) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}

func TestExtract(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "down", "x")
	if !strings.Contains(m.status, "not available") {
		t.Errorf("without Extract: status %q", m.status)
	}
	m.extract = func(layer int, path string) (string, error) { return "./" + path + "@" + itoa(layer), nil }
	press(t, m, "x")
	if m.status != "extracted /bin/sh to ./bin/sh@0" {
		t.Errorf("status %q", m.status)
	}
	press(t, m, "up", "x")
	if !strings.Contains(m.status, "only regular files") {
		t.Errorf("x on a directory: status %q", m.status)
	}
}
