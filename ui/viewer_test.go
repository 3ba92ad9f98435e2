package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func TestViewer(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	var opened []string
	m.open = func(_ context.Context, layer int, path string) (io.ReadCloser, error) {
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
	// n and N go to the next and previous match, round the file when it
	// is all in one page; the line numbers are not searched.
	press(t, m, "/")
	typeText(t, m, "xampl")
	press(t, m, "enter")
	for _, step := range []struct {
		key  string
		want int
		wrap string // what the title says of going round, if anything
	}{{"n", 1, ""}, {"n", 0, "wrapped to the top"}, {"N", 1, "wrapped to the bottom"}, {"N", 0, ""}} {
		press(t, m, step.key)
		if m.viewer.cursor != step.want {
			t.Errorf("%s: cursor %d, want %d", step.key, m.viewer.cursor, step.want)
		}
		if got := strings.Contains(m.viewer.title, "wrapped"); got != (step.wrap != "") || !strings.Contains(m.viewer.title, step.wrap) {
			t.Errorf("%s to %d: title %q, want it to say %q", step.key, step.want, m.viewer.title, step.wrap)
		}
	}
	press(t, m, "/")
	typeText(t, m, "3")
	if m.status != "not found" {
		t.Errorf("search for a line number: status %q, want not found", m.status)
	}
	press(t, m, "enter", "esc")
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
	var gotTo []string
	m.extract = func(_ context.Context, layer int, path, to string, _ func(int64, int64)) (string, error) {
		gotTo = append(gotTo, to)
		return "./" + path + "@" + itoa(layer), nil
	}
	press(t, m, "x")
	if m.status != "extracted /bin/sh to ./bin/sh@0" {
		t.Errorf("status %q", m.status)
	}
	press(t, m, "up", "x")
	if !strings.Contains(m.status, "not available") { // a directory needs ExtractDir (see extract_test.go)
		t.Errorf("x on a directory: status %q", m.status)
	}

	// X asks where to, starting from the file's name here.
	press(t, m, "down", "X")
	if !m.filter.active || m.filter.Query() != "./sh" {
		t.Fatalf("X: prompt active %v with %q, want ./sh", m.filter.active, m.filter.Query())
	}
	if f := frame(m); !strings.Contains(f, "save /bin/sh to: ./sh") {
		t.Errorf("no save prompt on screen:\n%s", f)
	}
	for range 4 {
		press(t, m, "backspace")
	}
	typeText(t, m, "/tmp/out")
	if m.tree.filter != "" {
		t.Errorf("typing a destination filtered the tree by %q", m.tree.filter)
	}
	press(t, m, "enter")
	if m.filter.active || len(gotTo) != 2 || gotTo[0] != "" || gotTo[1] != "/tmp/out" {
		t.Errorf("after enter: prompt %v, destinations %q; want \"\" for x then /tmp/out", m.filter.active, gotTo)
	}
	// esc saves nothing; an emptied prompt saves nothing either.
	press(t, m, "X", "esc")
	for range 4 {
		press(t, m, "backspace")
	}
	press(t, m, "X", "backspace", "backspace", "backspace", "backspace", "enter")
	if len(gotTo) != 2 || !strings.Contains(m.status, "no destination") {
		t.Errorf("esc or an empty destination extracted: %q, status %q", gotTo, m.status)
	}
}

// openBig opens path of bigFixture in a 100x30 viewer, as enter would.
func openBig(t *testing.T, path string) (m *Model, v *viewer, text, bin []byte, opens *int) {
	t.Helper()
	res, open, text, bin, opens := bigFixture(t)
	m = newTestModel(t, res, 100, 30)
	m.open = open
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: path})
	run(m, cmd)
	return m, &m.viewer, text, bin, opens
}

// bigFixture is an image with a text and a binary file of about 3 MiB
// each, more than two chunks, and an OpenFileFunc reading them through
// analyze.OpenEntry as the explorer does. The text's lines say their own
// number ("line 7: ...") and vary in length, so that chunk cuts fall
// anywhere.
func bigFixture(t *testing.T) (res *analyze.Result, open OpenFileFunc, text, bin []byte, opens *int) {
	t.Helper()
	var b bytes.Buffer
	for i := 1; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "line %d: %s\n", i, strings.Repeat("abcdefghij", i%13))
	}
	text, bin = b.Bytes(), it.Filler(3<<20+100)
	layers := []v1.Layer{it.MustLayer(t, it.Tar(
		it.Dir("var"), it.Entry{Name: "var/big.log", Body: text}, it.Entry{Name: "var/big.bin", Body: bin},
	), it.Gzip)}
	img := it.MustImage(t, layers, []v1.History{{CreatedBy: "COPY big /var"}}, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: "big:1"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	opens = new(int)
	open = func(_ context.Context, layer int, path string) (io.ReadCloser, error) {
		id, ok := res.Tree.Lookup(path)
		for i, e := range res.Layers[layer].Entries {
			if ok && e.Node == id {
				*opens++
				return analyze.OpenEntry(context.Background(), layers[layer], res.Layers[layer], i)
			}
		}
		return nil, errors.New("no such file")
	}
	return res, open, text, bin, opens
}

// lineAt is the number of the line starting at byte off of text.
func lineAt(text []byte, off int64) int64 { return int64(bytes.Count(text[:off], []byte("\n"))) + 1 }

// checkTextPage checks that the viewer shows whole lines of text with
// their true numbers, no more than a chunk of them.
func checkTextPage(t *testing.T, m *Model, text []byte) {
	t.Helper()
	v := &m.viewer
	if v.end-v.start > chunkSize || v.end <= v.start {
		t.Fatalf("page [%d, %d) is not 1 to %d bytes", v.start, v.end, chunkSize)
	}
	if v.start > 0 && text[v.start-1] != '\n' || text[v.end-1] != '\n' {
		t.Errorf("page [%d, %d) does not hold whole lines", v.start, v.end)
	}
	if want := lineAt(text, v.start); v.first != want {
		t.Errorf("page at byte %d numbered from line %d, want %d", v.start, v.first, want)
	}
	want := strings.Split(strings.TrimSuffix(string(text[v.start:v.end]), "\n"), "\n")
	if len(v.lines) != len(want) || v.lines[0] != want[0] || v.lines[len(v.lines)-1] != want[len(want)-1] {
		t.Fatalf("page [%d, %d): %d rows from %q, want %d from %q", v.start, v.end, len(v.lines), v.lines[0], len(want), want[0])
	}
	// Every row says its own number.
	for _, r := range []int{0, len(v.lines) - 1} {
		if p := fmt.Sprintf("line %d: ", v.first+int64(r)); !strings.HasPrefix(v.lines[r], p) {
			t.Errorf("row %d is %q, want it to start %q", r, v.lines[r], p)
		}
	}
	row := []rune(itoa(int(v.first)+v.cursor) + " │ " + v.lines[v.cursor])
	if row := string(row[:min(len(row), 60)]); !strings.Contains(frame(m), row) {
		t.Errorf("frame does not show the cursor row %q:\n%s", row, frame(m))
	}
}

func TestViewerPagesLargeText(t *testing.T) {
	m, v, text, _, opens := openBig(t, "var/big.log")
	if m.overlay != overlayViewer || !v.more || v.start != 0 || v.first != 1 {
		t.Fatalf("first page: overlay %d, more %v, start %d, first line %d", m.overlay, v.more, v.start, v.first)
	}
	end1 := int64(bytes.LastIndexByte(text[:chunkSize], '\n') + 1)
	if v.end != end1 {
		t.Errorf("first page ends at %d, want %d (after the chunk's last newline)", v.end, end1)
	}
	if want := fmt.Sprintf("bytes 0-%d of %d", end1-1, len(text)); !strings.Contains(v.title, want) {
		t.Errorf("title %q, want %q", v.title, want)
	}
	checkTextPage(t, m, text)

	// ] reads the second chunk, from the line after the first page's last.
	press(t, m, "]")
	end2 := end1 + int64(bytes.LastIndexByte(text[end1:end1+chunkSize], '\n')+1)
	if v.start != end1 || v.end != end2 || v.cursor != 0 {
		t.Errorf("second page [%d, %d) cursor %d, want [%d, %d) cursor 0", v.start, v.end, v.cursor, end1, end2)
	}
	checkTextPage(t, m, text)
	golden(t, "viewer_paged", frame(m))
	second := v.first

	// Up from its first row goes back to the last row of the first page,
	// down from there forward again: line numbers run on across the cut.
	press(t, m, "up")
	if v.start != 0 || v.cursor != v.n-1 || v.first+int64(v.cursor) != second-1 {
		t.Errorf("up across the cut: page at %d, row %d of %d is line %d, want line %d", v.start, v.cursor, v.n, v.first+int64(v.cursor), second-1)
	}
	checkTextPage(t, m, text)
	press(t, m, "down")
	if v.start != end1 || v.cursor != 0 {
		t.Errorf("down across the cut: page at %d, row %d", v.start, v.cursor)
	}
	// ctrl+d and pgdn scroll within the page, then on into the next one,
	// landing where the motion would have taken them.
	for i := 0; v.start == end1 && i < 10000; i++ {
		press(t, m, "pgdown")
	}
	if v.start != end2 || v.cursor >= v.height {
		t.Errorf("pgdn to the third page: start %d, cursor %d, want %d and a row on the first screen", v.start, v.cursor, end2)
	}
	checkTextPage(t, m, text)

	// G reads the last chunk, g the first again.
	press(t, m, "G")
	if v.end != int64(len(text)) || v.more || v.cursor != v.n-1 {
		t.Fatalf("last page [%d, %d) more %v cursor %d/%d, want it to end the file with the cursor on its last row", v.start, v.end, v.more, v.cursor, v.n)
	}
	checkTextPage(t, m, text)
	if want := fmt.Sprintf("bytes %d-%d of %d", v.start, len(text)-1, len(text)); !strings.Contains(v.title, want) {
		t.Errorf("title %q, want %q", v.title, want)
	}
	last, lastFirst := v.start, v.first
	press(t, m, "[")
	if v.end != last || v.first+int64(v.n) != lastFirst {
		t.Errorf("[ from the last page: page [%d, %d) lines %d+%d, want it to end at %d, before line %d", v.start, v.end, v.first, v.n, last, lastFirst)
	}
	checkTextPage(t, m, text)
	press(t, m, "g")
	if v.start != 0 || v.cursor != 0 {
		t.Errorf("g: page at %d, cursor %d", v.start, v.cursor)
	}
	// Each page is one read of the file.
	if *opens != 8 {
		t.Errorf("%d opens of the file for 8 pages", *opens)
	}
}

// TestViewerSearchAcrossChunks: typing searches the page shown; enter
// searches the whole file, going to the first match after the page, and
// counts the matches; n and N go round the file and say so; a query the
// file lacks says "not found".
func TestViewerSearchAcrossChunks(t *testing.T) {
	m, v, text, _, _ := openBig(t, "var/big.log")
	target := lineAt(text, v.end) + 1000 // well inside the second chunk
	q := fmt.Sprintf("line %d:", target)
	press(t, m, "/")
	typeText(t, m, q)
	if !strings.Contains(m.status, "not in this page") || v.start != 0 {
		t.Errorf("typed search stays in the page: status %q, page at %d", m.status, v.start)
	}
	press(t, m, "enter")
	if v.start == 0 || v.first+int64(v.cursor) != target {
		t.Fatalf("enter: page at %d, cursor on line %d, want line %d", v.start, v.first+int64(v.cursor), target)
	}
	if !strings.Contains(v.title, `1 match of "`+q+`"`) {
		t.Errorf("title does not count the match: %q", v.title)
	}
	checkTextPage(t, m, text)
	if h := v.height; v.cursor-v.offset > h*3/4 {
		t.Errorf("the match is on row %d of %d: too near the bottom", v.cursor-v.offset, h)
	}
	start := v.start
	for _, k := range []string{"n", "N"} {
		press(t, m, k)
		if v.start != start || v.first+int64(v.cursor) != target || !strings.Contains(v.title, "wrapped") {
			t.Errorf("%s on the only match: page at %d (want %d), line %d, title %q", k, v.start, start, v.first+int64(v.cursor), v.title)
		}
	}
	press(t, m, "down")
	if strings.Contains(v.title, "wrapped") {
		t.Errorf("the note outlived the next key: %q", v.title)
	}

	// From the last page, n goes round to a match on the first.
	press(t, m, "/")
	typeText(t, m, "line 2:")
	press(t, m, "enter", "G", "n")
	if v.start != 0 || v.first+int64(v.cursor) != 2 || !strings.Contains(v.title, "search wrapped to the top") {
		t.Errorf("n from the last page: page at %d, line %d, title %q", v.start, v.first+int64(v.cursor), v.title)
	}

	// Many matches are counted over every page.
	press(t, m, "/")
	typeText(t, m, "line 1")
	press(t, m, "enter")
	if want := fmt.Sprintf("%d matches", bytes.Count(text, []byte("line 1"))); !strings.Contains(v.title, want) {
		t.Errorf("title %q, want %s", v.title, want)
	}

	press(t, m, "/")
	typeText(t, m, "no such text")
	press(t, m, "enter")
	if !strings.Contains(v.title, `"no such text" not found`) || v.start != 0 {
		t.Errorf("a query the file lacks: title %q, page at %d", v.title, v.start)
	}
	press(t, m, "n")
	if !strings.Contains(v.title, "not found") && !strings.Contains(m.status, "not found") {
		t.Errorf("n with no match: title %q, status %q", v.title, m.status)
	}
}

// TestViewerHighlightsMatch: the match stands out, not its row; the
// other matches on screen are marked too.
func TestViewerHighlightsMatch(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	var opened []string
	m.open = versionContent(map[string]string{"0:etc/os-release": "NAME=Example\nID=example\n"}, &opened)
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "etc/os-release"})
	run(m, cmd)
	press(t, m, "/")
	typeText(t, m, "xampl")
	press(t, m, "enter")
	rows := strings.Split(m.viewer.View(), "\n")
	st := m.styles
	if !strings.Contains(rows[0], st.Selected.Render("xampl")) || !strings.HasPrefix(rows[0], "1 │ NAME=E") {
		t.Errorf("cursor row %q: want only the match reversed", rows[0])
	}
	if !strings.Contains(rows[1], st.Match.Render("xampl")) {
		t.Errorf("other row %q: want its match marked", rows[1])
	}
	for _, r := range rows {
		if w := ansi.StringWidth(r); w != 80 {
			t.Errorf("row %q is %d cells", r, w)
		}
	}
}

func TestViewerPagesHex(t *testing.T) {
	m, v, _, bin, _ := openBig(t, "var/big.bin")
	row := func(off int64) string { return hexLines(bin[off:off+16], off)[0] }
	if !v.binary || v.start != 0 || v.end != chunkSize || v.lines[0] != row(0) {
		t.Fatalf("first hex page: binary %v [%d, %d) %q", v.binary, v.start, v.end, v.lines[0])
	}
	if want := fmt.Sprintf("binary, hex, bytes 0-%d of %d", chunkSize-1, len(bin)); !strings.Contains(v.title, want) {
		t.Errorf("title %q, want %q", v.title, want)
	}
	press(t, m, "]")
	if v.start != chunkSize || !strings.HasPrefix(v.lines[0], "00100000  ") || v.lines[0] != row(chunkSize) {
		t.Errorf("second hex page at %d: %q, want %q", v.start, v.lines[0], row(chunkSize))
	}
	press(t, m, "G")
	if v.start != 3*chunkSize || v.end != int64(len(bin)) || v.n != 7 || v.cursor != 6 || !strings.HasPrefix(v.lines[0], "00300000  ") {
		t.Errorf("last hex page [%d, %d), %d rows, cursor %d, %q", v.start, v.end, v.n, v.cursor, v.lines[0])
	}
	if !strings.Contains(frame(m), v.lines[6]) {
		t.Errorf("frame does not show the last row %q", v.lines[6])
	}
	press(t, m, "g", "up")
	if v.start != 0 || v.cursor != 0 {
		t.Errorf("g, up: page at %d, cursor %d", v.start, v.cursor)
	}
	press(t, m, "G", "pgup")
	for i := 0; v.start == 3*chunkSize && i < 100; i++ {
		press(t, m, "pgup")
	}
	if v.start != 2*chunkSize || v.lines[v.cursor] != row(2*chunkSize+int64(v.cursor)*16) {
		t.Errorf("pgup from the last page: page at %d, row %q", v.start, v.lines[v.cursor])
	}
}

func TestViewerIgnoresStaleChunks(t *testing.T) {
	m, v, text, _, _ := openBig(t, "var/big.log")

	// ] and then G before either answer comes: only G's counts.
	_, next := m.Update(keyMsg("]"))
	if !strings.Contains(v.title, "loading") {
		t.Errorf("title while a page is on its way: %q", v.title)
	}
	_, bottom := m.Update(keyMsg("G"))
	if next == nil || bottom == nil {
		t.Fatal("] and G returned no command")
	}
	lastMsg, nextMsg := pageMsg(bottom).(fileContentMsg), pageMsg(next).(fileContentMsg)
	m.Update(lastMsg)
	if v.end != int64(len(text)) || strings.Contains(v.title, "loading") {
		t.Fatalf("G's page: [%d, %d), title %q", v.start, v.end, v.title)
	}
	lastStart := v.start
	if v.Load(nextMsg) {
		t.Error("Load took the answer to a superseded request")
	}
	m.Update(nextMsg)
	m.Update(lastMsg) // an answer delivered twice
	if v.start != lastStart || v.cursor != v.n-1 {
		t.Errorf("a stale page replaced the shown one: page at %d (want %d), cursor %d", v.start, lastStart, v.cursor)
	}
	checkTextPage(t, m, text)

	// Opening the file anew makes what was on its way stale too.
	_, next = m.Update(keyMsg("["))
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	run(m, cmd)
	m.Update(next())
	if v.start != 0 || v.cursor != 0 {
		t.Errorf("a page asked for before the file was reopened was shown: page at %d, cursor %d", v.start, v.cursor)
	}

	// While one page is on its way, scrolling past the end asks for no other.
	for range v.n - 1 {
		press(t, m, "down")
	}
	_, first := m.Update(keyMsg("down"))
	_, again := m.Update(keyMsg("down"))
	if first == nil || again != nil {
		t.Errorf("down at the end of the page: command %v, then %v while loading", first != nil, again != nil)
	}
}

func TestViewerKeys(t *testing.T) {
	m, _, _, _, _ := openBig(t, "var/big.log")
	var help []string
	for _, b := range m.viewer.ShortHelp() {
		if b.Enabled() {
			help = append(help, b.Help().Key+" "+b.Help().Desc)
		}
	}
	if got, want := strings.Join(help, ", "), "/ search, n next match, N previous match, ] next chunk, [ previous chunk, W wrap lines, Y copy file, esc/q close"; got != want {
		t.Errorf("viewer help %q, want %q", got, want)
	}
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("small\n")), nil
	}
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "small"})
	run(m, cmd)
	for _, b := range m.viewer.ShortHelp() {
		if b.Enabled() && strings.Contains(b.Help().Desc, "chunk") {
			t.Errorf("help of a one-page file lists %q", b.Help().Desc)
		}
	}
	if !press(t, m, "ctrl+c") {
		t.Error("ctrl+c does not quit from the viewer")
	}
}

func TestViewerUnknownSize(t *testing.T) {
	res, open, text, _, opens := bigFixture(t)
	m := newTestModel(t, res, 100, 30)
	// A reader without a Size method: the viewer learns the size at the end.
	m.open = func(_ context.Context, layer int, path string) (io.ReadCloser, error) {
		rc, err := open(context.Background(), layer, path)
		return struct {
			io.Reader
			io.Closer
		}{rc, rc}, err
	}
	v := &m.viewer
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	run(m, cmd)
	if !strings.HasSuffix(v.title, " of ?") {
		t.Errorf("title before the size is known: %q", v.title)
	}
	press(t, m, "G")
	if v.end != int64(len(text)) || v.size != int64(len(text)) || *opens != 3 {
		t.Errorf("G without a size: page ends at %d, size %d, %d opens (want %d, %d, 3)", v.end, v.size, *opens, len(text), len(text))
	}
	checkTextPage(t, m, text)
}

func TestViewerCloseKeys(t *testing.T) {
	m, _, _, _, _ := openBig(t, "var/big.log")
	if press(t, m, "q") || m.overlay != overlayNone {
		t.Fatalf("q in the viewer: overlay %d (want it closed, the program running)", m.overlay)
	}
	// A page still on its way when the viewer closes does not reopen it.
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	run(m, cmd)
	_, next := m.Update(keyMsg("]"))
	press(t, m, "esc")
	m.Update(next())
	if m.overlay != overlayNone || m.viewer.start != 0 {
		t.Errorf("a page read after esc: overlay %d, page at %d", m.overlay, m.viewer.start)
	}
	if !press(t, m, "q") {
		t.Error("q outside the viewer does not quit")
	}
}

// TestViewerOpenSupersedes: a file opened while another is still being
// read wins, whichever first page arrives last.
func TestViewerOpenSupersedes(t *testing.T) {
	res, open, _, _, _ := bigFixture(t)
	m := newTestModel(t, res, 100, 30)
	m.open = open
	_, first := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.log"})
	_, second := m.Update(fileOpenMsg{Layer: 0, Path: "var/big.bin"})
	run(m, second) // progress, if the read is slow, then the page
	run(m, first)  // the slow one, late (and cancelled by the second)
	if m.overlay != overlayViewer || m.viewer.path != "var/big.bin" || !m.viewer.binary {
		t.Errorf("viewer on %q (binary %v), want var/big.bin", m.viewer.path, m.viewer.binary)
	}
}

// TestViewerScrollsSideways: l and h scroll long lines by half a screen,
// the line numbers stay, the title says where the view starts, and a new
// file opens at column 1.
func TestViewerScrollsSideways(t *testing.T) {
	m := newTestModel(t, fixture(t), 60, 20)
	long := strings.Repeat("abcdefghij", 20) + "END"
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(long + "\nshort\n")), nil
	}
	press(t, m, "tab", "down", "down", "down", "enter")
	if m.overlay != overlayViewer {
		t.Fatal("the viewer did not open")
	}
	if strings.Contains(frame(m), "END") {
		t.Fatal("the end of the long line shows before scrolling")
	}
	for range 8 {
		press(t, m, "l")
	}
	f := frame(m)
	// Scrolled as far as it goes: the long line's end at the right edge.
	row := strings.Split(f, "\n")[1]
	if !strings.HasPrefix(row, "1 │ ") || !strings.HasSuffix(row, "END") || !strings.Contains(m.viewer.title, "from column ") {
		t.Errorf("after 8 × l: title %q, frame:\n%s", m.viewer.title, f)
	}
	press(t, m, "h", "h", "h", "h", "h", "h", "h", "h", "h")
	if m.viewer.hoff != 0 || strings.Contains(m.viewer.title, "from column") {
		t.Errorf("h back past the start: offset %d, title %q", m.viewer.hoff, m.viewer.title)
	}
}
