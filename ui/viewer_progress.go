package ui

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/internal/safetext"
)

// A page read can stream a long way: a layer is a compressed stream, so
// the page at the end of a 76 MB file, or a search, reads all of it. The
// read runs in a goroutine that reports how far it got, and the viewer
// says so ("reading /path: 34 MB of 76 MB, esc cancels") and opens at
// once for a read that takes a while; esc or q cancel it (through its
// context) and close the viewer.

// Progress is first reported after progressDelay, so that a quick read
// shows no flash of it, then every progressEvery. Tests shorten them.
var (
	progressDelay = 150 * time.Millisecond
	progressEvery = 100 * time.Millisecond
)

// readProgress is how far one request has read the file: shared by the
// goroutine reading and the one reporting.
type readProgress struct {
	read atomic.Int64 // bytes of the file read so far, every pass counted
	need atomic.Int64 // bytes the request must read at most, -1 unknown
}

// progressReader counts what the page read takes and stops it once its
// context is cancelled.
type progressReader struct {
	ctx  context.Context
	r    io.Reader
	prog *readProgress
}

func (p progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.prog.read.Add(int64(n))
	return n, err
}

// reader is rc as the request reads it: counted and cancellable. A
// request built without a context (a test calling fetchPage) reads rc
// as is.
func (r pageReq) reader(rc io.Reader) io.Reader {
	if r.ctx == nil {
		return rc
	}
	return progressReader{ctx: r.ctx, r: rc, prog: r.prog}
}

// setNeed records how much the request reads at most, once the file's
// size is known: what a read of a page starting at at, or of the whole
// file, streams through.
func (r pageReq) setNeed(size int64) {
	if r.prog == nil || size < 0 {
		return
	}
	need := size
	switch r.kind {
	case fetchForward:
		need = min(size, r.at+chunkSize)
	case fetchBack:
		need = min(size, r.at)
	}
	r.prog.need.Store(need)
}

// pageProgressMsg says how far the read of request Req has come. The
// root re-arms the wait for the read's next message after each.
type pageProgressMsg struct {
	Req        uint64
	Read, Need int64 // Need -1 while unknown
	ch         <-chan tea.Msg
}

// pageCmd reads the page r asks for in a goroutine and returns its
// messages one by one: progress while it reads, then the page.
func pageCmd(r pageReq) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, 2)
		done := make(chan fileContentMsg, 1)
		go func() { done <- fetchPage(r) }()
		go func() {
			defer close(ch)
			t := time.NewTimer(progressDelay)
			defer t.Stop()
			for {
				select {
				case msg := <-done:
					ch <- msg // room: at most one progress message waits
					return
				case <-t.C:
					// One report at a time: a late one is replaced by the
					// next rather than queued.
					if len(ch) == 0 {
						ch <- pageProgressMsg{Req: r.id, Read: r.prog.read.Load(), Need: r.prog.need.Load()}
					}
					t.Reset(progressEvery)
				}
			}
		}()
		return waitPage(ch)()
	}
}

// waitPage blocks for the next message of a page read.
func waitPage(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		if p, ok := msg.(pageProgressMsg); ok {
			p.ch = ch
			return p
		}
		return msg
	}
}

// newRead makes the context and counter of a new request, cancelling the
// request it supersedes.
func (v *viewer) newRead() (context.Context, *readProgress) {
	v.cancelRead()
	ctx, cancel := context.WithCancel(context.Background())
	v.readCancel = cancel
	prog := &readProgress{}
	prog.need.Store(-1)
	v.read, v.readNeed, v.reading = 0, -1, false
	return ctx, prog
}

// cancelRead stops the page read on its way, if any.
func (v *viewer) cancelRead() {
	if v.readCancel != nil {
		v.readCancel()
		v.readCancel = nil
	}
}

// Progress shows how far the read waited for has come, and reports
// whether the viewer should be on screen for it: reads of other requests
// are stale.
func (v *viewer) Progress(msg pageProgressMsg) bool {
	if msg.Req != v.req || !v.pending {
		return false
	}
	v.read, v.readNeed, v.reading = msg.Read, msg.Need, true
	v.retitle()
	return true
}

// progressNote is what the title says of a read taking a while.
func (v *viewer) progressNote() string {
	if v.readNeed > 0 {
		return fmt.Sprintf("%s of %s, esc cancels", humanBytes(v.read), humanBytes(v.readNeed))
	}
	return humanBytes(v.read) + " so far, esc cancels"
}

// openingView is the viewer's body while the file it opens is read: the
// previous file's page is not shown under the new title.
func (v *viewer) openingView() string {
	return padRight(fmt.Sprintf("reading /%s: %s", safetext.Line(v.openPath), v.progressNote()), v.width)
}

// viewerProgress routes a page read's progress: the viewer opens for a
// read that takes a while, so that it can be cancelled.
func (m *Model) viewerProgress(msg pageProgressMsg) tea.Cmd {
	if m.viewer.Progress(msg) && m.overlay != overlayViewer {
		m.overlay = overlayViewer
		m.layout()
	}
	return waitPage(msg.ch)
}
