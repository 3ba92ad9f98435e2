package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// slowFile serves real bytes slowly, 16 KiB a read, as a file deep in a
// large layer does, and counts what was taken from it.
type slowFile struct {
	delay  time.Duration // a read
	r      *bytes.Reader
	size   int64
	read   atomic.Int64
	closed atomic.Bool
}

func (f *slowFile) Read(b []byte) (int, error) {
	time.Sleep(f.delay)
	n, err := f.r.Read(b[:min(len(b), 16<<10)])
	f.read.Add(int64(n))
	return n, err
}
func (f *slowFile) Close() error { f.closed.Store(true); return nil }
func (f *slowFile) Size() int64  { return f.size }

// fastProgress makes the page reads report at once and often.
func fastProgress(t *testing.T) {
	d, e := progressDelay, progressEvery
	progressDelay, progressEvery = time.Millisecond, time.Millisecond
	t.Cleanup(func() { progressDelay, progressEvery = d, e })
}

// slowModel is a model whose files are content served by slowFiles; last
// is the one opened last.
func slowModel(t *testing.T, content []byte, delay time.Duration) (m *Model, last func() *slowFile) {
	var files []*slowFile
	m = newTestModel(t, fixture(t), 100, 30)
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		f := &slowFile{delay: delay, r: bytes.NewReader(content), size: int64(len(content))}
		files = append(files, f)
		return f, nil
	}
	return m, func() *slowFile { return files[len(files)-1] }
}

func bigText() []byte {
	var b bytes.Buffer
	for i := 1; b.Len() < 6<<20; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.Bytes()
}

// readUntil feeds a page read's messages to m until one is not progress,
// or until stop says so of a progress message, and returns the progress
// seen, the command waiting for the next message, and the last message.
func readUntil(t *testing.T, m *Model, cmd tea.Cmd, stop func(pageProgressMsg) bool) (seen []pageProgressMsg, next tea.Cmd, last tea.Msg) {
	t.Helper()
	for cmd != nil {
		msg := cmd()
		p, ok := msg.(pageProgressMsg)
		if !ok {
			return seen, nil, msg
		}
		seen = append(seen, p)
		_, cmd = m.Update(p)
		if stop != nil && stop(p) {
			return seen, cmd, p
		}
	}
	return seen, nil, nil
}

func TestViewerReadProgress(t *testing.T) {
	fastProgress(t)
	content := bigText()
	m, last := slowModel(t, content, time.Millisecond) // 16 MB/s
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	var opening string
	seen, _, msg := readUntil(t, m, cmd, func(p pageProgressMsg) bool {
		if opening == "" && p.Read > 0 {
			opening = frame(m)
		}
		return false
	})
	// The viewer opened for the read, said how far it came of the one
	// page it needs, and took the page when it came.
	if len(seen) < 2 || !strings.Contains(opening, "reading /var/big.log: ") || !strings.Contains(opening, "of "+humanBytes(chunkSize)+", esc cancels") {
		t.Fatalf("%d progress messages; while opening:\n%s", len(seen), opening)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Read < seen[i-1].Read || seen[i].Need != chunkSize {
			t.Errorf("progress %d: %+v after %+v", i, seen[i], seen[i-1])
		}
	}
	if c, ok := msg.(fileContentMsg); !ok || c.Err != nil {
		t.Fatalf("the read ended with %T %v", msg, msg)
	}
	m.Update(msg)
	if m.overlay != overlayViewer || m.viewer.lines[0] != "line 1" || strings.Contains(m.viewer.title, "reading") {
		t.Fatalf("after the page: overlay %d, title %q", m.overlay, m.viewer.title)
	}

	// G reads the whole file: the title counts up to its size; esc stops
	// the read and closes the viewer.
	_, cmd = m.Update(keyMsg("G"))
	_, next, _ := readUntil(t, m, cmd, func(p pageProgressMsg) bool { return p.Read > 2<<20 })
	if want := "of " + humanBytes(int64(len(content))) + ", esc cancels"; !strings.Contains(m.viewer.title, want) {
		t.Errorf("title while reading to the end: %q, want it to say %q", m.viewer.title, want)
	}
	f := last()
	press(t, m, "esc")
	if m.overlay != overlayNone {
		t.Fatalf("esc while reading: overlay %d", m.overlay)
	}
	atCancel := f.read.Load()
	_, _, end := readUntil(t, m, next, nil)
	c, ok := end.(fileContentMsg)
	if !ok || !errors.Is(c.Err, context.Canceled) {
		t.Fatalf("the cancelled read ended with %T %v", end, end)
	}
	m.Update(end)
	if m.overlay != overlayNone {
		t.Errorf("the cancelled read reopened the viewer")
	}
	// One read may have been on its way when esc came, no more.
	if got := f.read.Load(); got > atCancel+16<<10 || got >= int64(len(content)) || !f.closed.Load() {
		t.Errorf("after esc the file was read on: %d bytes at esc, %d at the end of %d, closed %v", atCancel, got, len(content), f.closed.Load())
	}
}

// TestViewerCancelWhileOpening: q while the first page is read closes the
// viewer it opened and stops the read.
func TestViewerCancelWhileOpening(t *testing.T) {
	fastProgress(t)
	content := bigText()
	m, last := slowModel(t, content, 5*time.Millisecond) // the first page in a third of a second
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	_, next, _ := readUntil(t, m, cmd, func(p pageProgressMsg) bool { return p.Read > 0 })
	if m.overlay != overlayViewer || !strings.Contains(m.viewer.View(), "reading /var/big.log") {
		t.Fatalf("while opening: overlay %d, view %q", m.overlay, m.viewer.View())
	}
	// The page under the progress is the previous file's: keys do not
	// reach it.
	before := m.viewer
	press(t, m, "j", "W", "G")
	if m.viewer.cursor != before.cursor || m.viewer.wrapped || m.viewer.req != before.req {
		t.Errorf("keys while opening moved the viewer: cursor %d, wrapped %v, request %d (was %d)", m.viewer.cursor, m.viewer.wrapped, m.viewer.req, before.req)
	}
	if press(t, m, "q") || m.overlay != overlayNone {
		t.Fatalf("q while opening: overlay %d (want closed, the program running)", m.overlay)
	}
	_, _, end := readUntil(t, m, next, nil)
	m.Update(end)
	if c, ok := end.(fileContentMsg); !ok || !errors.Is(c.Err, context.Canceled) || m.overlay != overlayNone {
		t.Fatalf("the cancelled open ended with %T %v, overlay %d", end, end, m.overlay)
	}
	if f := last(); f.read.Load() >= chunkSize {
		t.Errorf("the whole first page was read after q: %d bytes", f.read.Load())
	}
}

// TestViewerProgressFrame: the screen of a file opening slowly, from a
// progress report (the read itself is not run).
func TestViewerProgressFrame(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return nil, errors.New("not read in this test")
	}
	m.Update(fileOpenMsg{Layer: 1, Path: "var/big.log"})
	if m.overlay != overlayNone {
		t.Fatalf("the viewer opened before its read reported")
	}
	m.Update(pageProgressMsg{Req: m.viewer.req, Read: 34_000_000, Need: 76_000_000})
	golden(t, "viewer_reading", frame(m))
	if !strings.Contains(frame(m), "reading /var/big.log: 34 MB of 76 MB, esc cancels") {
		t.Errorf("frame:\n%s", frame(m))
	}
	// A report of a read the viewer no longer waits for changes nothing.
	press(t, m, "esc")
	m.Update(pageProgressMsg{Req: m.viewer.req - 1, Read: 35_000_000, Need: 76_000_000})
	if m.overlay != overlayNone {
		t.Errorf("a stale progress report reopened the viewer")
	}
}

// TestViewerCancelWhileFindingTheFile: the time before the file's first
// byte (its layer streamed up to the entry) can be cancelled too: the
// open gets the read's context, and q ends it.
func TestViewerCancelWhileFindingTheFile(t *testing.T) {
	fastProgress(t)
	m := newTestModel(t, fixture(t), 80, 24)
	opened := make(chan context.Context, 1)
	m.open = func(ctx context.Context, _ int, _ string) (io.ReadCloser, error) {
		opened <- ctx
		<-ctx.Done() // a layer that takes as long as it is let
		return nil, ctx.Err()
	}
	_, cmd := m.Update(fileOpenMsg{Layer: 1, Path: "var/big.log"})
	_, next, _ := readUntil(t, m, cmd, func(pageProgressMsg) bool { return true })
	if m.overlay != overlayViewer || !strings.Contains(m.viewer.View(), "esc cancels") {
		t.Fatalf("while finding the file: overlay %d, view %q", m.overlay, m.viewer.View())
	}
	ctx := <-opened
	if press(t, m, "q") || m.overlay != overlayNone {
		t.Fatalf("q while finding the file: overlay %d", m.overlay)
	}
	if ctx.Err() == nil {
		t.Fatal("q left the open's context running")
	}
	_, _, end := readUntil(t, m, next, nil)
	if c, ok := end.(fileContentMsg); !ok || !errors.Is(c.Err, context.Canceled) {
		t.Fatalf("the cancelled open ended with %T %v", end, end)
	}
}
