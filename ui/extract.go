package ui

import (
	"context"
	"fmt"
	"path"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
)

// ExtractFunc saves path as stored in layer to the destination to (the
// current directory when empty) and returns where it went. progress hears
// the bytes of the stored layer read so far and its stored size (0 when
// unknown); it is called from the extracting goroutine. When ctx ends the
// extraction stops and leaves no file behind.
type ExtractFunc func(ctx context.Context, layer int, path, to string, progress func(read, total int64)) (string, error)

// ExtractDirFunc saves the regular files of directory dir, as the view
// lists them, into a directory named after it placed as ExtractFunc
// places a file, and returns where it went. progress and ctx are as for
// ExtractFunc, progress counting every layer read.
type ExtractDirFunc func(ctx context.Context, dir string, files []ExtractFile, to string, progress func(read, total int64)) (string, error)

// ExtractFile is one file of a directory being saved: its path and the
// layer whose view shows it.
type ExtractFile struct {
	Layer int
	Path  string
}

// extractMsg asks the root to save a file of a layer, to To (a file or a
// directory; "" for the current directory). With Files it is the
// directory Path and its files, which the user confirms first (Confirmed).
type extractMsg struct {
	Layer     int
	Path      string
	To        string
	Files     []ExtractFile
	Bytes     int64 // of Files
	Confirmed bool
}

// dest is where the user asked for, as the confirmation says it.
func (x extractMsg) dest() string {
	if x.To == "" {
		return "./" + path.Base(x.Path)
	}
	return x.To
}

// question is the confirmation a directory's extraction asks.
func (x extractMsg) question() string {
	n := "files"
	if len(x.Files) == 1 {
		n = "file"
	}
	return fmt.Sprintf("extract %d %s (%s) under /%s/ to %s? y/n", len(x.Files), n, humanBytes(x.Bytes), x.Path, x.dest())
}

// extractProgressMsg is how far a running extraction has read its layer.
type extractProgressMsg struct {
	read, total int64
	ch          <-chan tea.Msg
}

// extractDoneMsg ends an extraction, saved or not.
type extractDoneMsg struct{ text string }

// extraction is the one file being saved: the status line shows how far
// it has got, and esc cancels it.
type extraction struct {
	path        string
	read, total int64
	cancel      context.CancelFunc
}

// status is the extraction's part of the status line.
func (e *extraction) status() string {
	s := "extracting /" + e.path
	if e.read > 0 {
		s += ": " + humanBytes(e.read)
		if e.total > 0 {
			s += " of " + humanBytes(e.total)
		}
		s += " of the layer read"
	}
	return s + " · esc cancels"
}

// extractCmd saves a file off the UI goroutine. Progress and the outcome
// arrive as messages on one channel; parent is the program's context,
// which ends a send nobody will receive any more.
func extractCmd(parent, ctx context.Context, extract ExtractFunc, extractDir ExtractDirFunc, x extractMsg) tea.Cmd {
	ch := make(chan tea.Msg, 1)
	return func() tea.Msg {
		go func() {
			progress := func(read, total int64) {
				// A report the screen has not taken yet is replaced
				// by the next one rather than queued.
				select {
				case ch <- extractProgressMsg{read: read, total: total, ch: ch}:
				default:
				}
			}
			var dest string
			var err error
			what := "/" + x.Path
			if x.Files != nil {
				dest, err = extractDir(ctx, x.Path, x.Files, x.To, progress)
				what = fmt.Sprintf("/%s/ (%d files)", x.Path, len(x.Files))
			} else {
				dest, err = extract(ctx, x.Layer, x.Path, x.To, progress)
			}
			done := extractDoneMsg{text: "extracted " + what + " to " + dest}
			switch {
			case ctx.Err() != nil && parent.Err() == nil && x.Files != nil:
				// Each file appears whole or not at all; those done stay.
				done.text = "extraction of /" + x.Path + "/ cancelled: the files saved before stay"
			case ctx.Err() != nil && parent.Err() == nil:
				done.text = "extraction of /" + x.Path + " cancelled: nothing saved"
			case err != nil:
				done.text = "extracting /" + x.Path + ": " + err.Error()
			}
			select {
			case ch <- done:
			case <-parent.Done():
			}
		}()
		return waitExtract(ch)()
	}
}

// waitExtract waits for the next message of an extraction.
func waitExtract(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// updateExtract handles the messages of saving files: the destination
// prompt, the y/n of a directory, an extraction's start, progress and end.
func (m *Model) updateExtract(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case saveAsMsg:
		if m.extract == nil {
			m.status = "extraction is not available for this image"
			return nil
		}
		m.filter.StartSave(msg.File, msg.File.dest())
		m.layout()
	case extractMsg:
		if m.extract == nil || (msg.Files != nil && m.extractDir == nil) {
			m.status = "extraction is not available for this image"
			return nil
		}
		if msg.Files != nil && !msg.Confirmed {
			m.confirm = &msg
			return nil
		}
		if m.saving != nil {
			m.status = "already extracting /" + m.saving.path + ": esc cancels it"
			return nil
		}
		ctx, cancel := context.WithCancel(m.ctx)
		m.saving = &extraction{path: msg.Path, cancel: cancel}
		return extractCmd(m.ctx, ctx, m.extract, m.extractDir, msg)
	case extractProgressMsg:
		if m.saving != nil {
			m.saving.read, m.saving.total = msg.read, msg.total
		}
		return waitExtract(msg.ch)
	case extractDoneMsg:
		if m.saving != nil {
			m.saving.cancel()
			m.saving = nil
		}
		m.status = msg.text
	}
	return nil
}

// answerConfirm takes the key answering a directory's y/n. Only y goes
// ahead: any other key, esc and n included, is no.
func (m *Model) answerConfirm(k tea.KeyPressMsg) tea.Cmd {
	x := m.confirm
	m.confirm = nil
	switch {
	case keyMatches(k, m.keys.Interrupt):
		return tea.Quit
	case k.Text == "y" || k.Text == "Y":
		x.Confirmed = true
		return msgCmd(*x)
	}
	m.status = "not extracted"
	return nil
}

// dirExtract is the extraction of the directory at vnode i: every
// regular file (or hard link to one) under it that this view has and does
// not show removed, whether folded, filtered or hidden by kind.
func (f *fileTree) dirExtract(i int32) extractMsg {
	x := extractMsg{Layer: f.layer, Path: f.vt.path(i), Files: []ExtractFile{}}
	var walk func(int32)
	walk = func(j int32) {
		for _, c := range f.vt.nodes[j].children {
			n := f.vt.nodes[c]
			switch {
			case n.change == changeRemoved:
			case n.dir:
				walk(c)
			case n.hasEntry && (n.entry.Kind == analyze.KindFile || n.entry.Kind == analyze.KindHardlink):
				x.Files = append(x.Files, ExtractFile{Layer: int(n.layer), Path: f.vt.path(c)})
				x.Bytes += n.entry.Size
			}
		}
	}
	walk(i)
	return x
}
