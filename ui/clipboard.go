package ui

import (
	"context"
	"io"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/internal/safetext"
)

// copyLimit bounds what Y puts on the clipboard. OSC 52 carries it
// base64-encoded through the terminal, and terminals and tmux drop or cut
// sequences much longer than this; a larger file is extracted (x) rather
// than copied.
const copyLimit = 100 << 10

// copyFileCmd reads the start of a file, up to copyLimit bytes, and puts
// it on the clipboard over OSC 52 (tea.SetClipboard), saying in the status
// line when the file was cut. It reads in the command: the file may sit
// deep in a compressed layer.
func copyFileCmd(open OpenFileFunc, layer int, path string) tea.Cmd {
	return func() tea.Msg {
		rc, err := open(context.Background(), layer, path)
		if err != nil {
			return statusMsg{Text: "cannot copy: " + safetext.Line(err.Error())}
		}
		defer rc.Close()
		// One byte past the limit tells a cut file from one of exactly
		// copyLimit bytes.
		b, err := io.ReadAll(io.LimitReader(rc, copyLimit+1))
		if err != nil {
			return statusMsg{Text: "cannot copy /" + safetext.Line(path) + ": " + safetext.Line(err.Error())}
		}
		text, cut := clipText(b)
		status := statusCmd("copied /%s (%s)", safetext.Line(path), humanBytes(int64(len(text))))
		if cut {
			of := ""
			if s, ok := rc.(interface{ Size() int64 }); ok {
				of = " of " + humanBytes(s.Size())
			}
			status = statusCmd("copied the first %s%s of /%s: the clipboard limit (x extracts the whole file)", humanBytes(int64(len(text))), of, safetext.Line(path))
		}
		return tea.BatchMsg{tea.SetClipboard(text), status}
	}
}

// clipText is b cut to copyLimit bytes, at a rune start so that the
// clipboard does not end in half a character, and whether it was cut.
func clipText(b []byte) (string, bool) {
	if len(b) <= copyLimit {
		return string(b), false
	}
	b = b[:copyLimit]
	return string(b[:wholeRunes(b)]), true
}

// copyContent is Y in the viewer: the file's content, not the page's
// rows (tabs stay tabs). A binary file is not copied: the clipboard is
// for text, and x extracts the file whole.
func (v *viewer) copyContent() tea.Cmd {
	switch {
	case v.open == nil || v.failed:
		return nil
	case v.binary:
		return statusCmd("/%s is binary: not copied (x in the file tree extracts it)", safetext.Line(v.path))
	}
	return copyFileCmd(v.open, v.layer, v.path)
}

// recordedCommand is a step's command as the image records it, for Y in
// the history and the layer details: in full, with its line breaks and
// tabs (a heredoc stays runnable), every other control character escaped
// as the panes show it, so that pasting it cannot drive the terminal.
// y copies the one-line form instead.
func recordedCommand(createdBy string) string {
	lines := strings.Split(strings.TrimRight(createdBy, "\n"), "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = safetext.Line(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

// copyRecordedCmd puts a recorded command on the clipboard; what names
// where it comes from in the status line.
func copyRecordedCmd(createdBy, what string) tea.Cmd {
	c := recordedCommand(createdBy)
	if strings.TrimSpace(c) == "" {
		return statusCmd("%s records no command", what)
	}
	if len(c) > copyLimit {
		c, _ = clipText([]byte(c))
		return tea.Batch(tea.SetClipboard(c), statusCmd("copied the first %s of the command of %s", humanBytes(int64(len(c))), what))
	}
	return tea.Batch(tea.SetClipboard(c), statusCmd("copied the recorded command of %s (%d lines)", what, strings.Count(c, "\n")+1))
}

// contentHelp is the ? overlay's column for the keys of the viewer and
// the history that the tree's help does not show.
func contentHelp(k keyMap) []key.Binding {
	c, w := k.CopyContent, k.Wrap
	c.SetHelp(c.Help().Key, "copy file/command")
	w.SetHelp(w.Help().Key, "wrap (viewer)")
	return []key.Binding{c, w}
}
