package ui

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	udiff "github.com/aymanbagabas/go-udiff"
)

// diffLimit is the most of each file the diff reads into memory: larger
// files are compared byte by byte as they stream, and summarised.
const diffLimit = 1 << 20

// diffMsg asks the root to diff two stored versions of a path: the
// content layer A stores with the content layer B stores (A the older).
type diffMsg struct {
	Path         string
	A, B         int
	SizeA, SizeB int64
}

// diffDoneMsg carries a diff laid out for the diff overlay.
type diffDoneMsg struct {
	Req   uint64
	Title string
	Lines []string
}

// diffCmd reads both versions through open, off the UI goroutine. Text
// files up to diffLimit each get a unified diff; anything else a summary:
// the sizes, and where the content first differs, with the hex rows there.
func diffCmd(open OpenFileFunc, d diffMsg, req uint64) tea.Cmd {
	return func() tea.Msg {
		title := fmt.Sprintf("Diff /%s: layer %d → layer %d", d.Path, d.A, d.B)
		lines, err := diffVersions(open, d)
		if err != nil {
			lines = []string{"cannot diff: " + err.Error()}
		}
		return diffDoneMsg{Req: req, Title: title, Lines: lines}
	}
}

// diffVersions is the body of diffCmd.
func diffVersions(open OpenFileFunc, d diffMsg) ([]string, error) {
	ra, err := open(context.Background(), d.A, d.Path)
	if err != nil {
		return nil, err
	}
	defer ra.Close()
	rb, err := open(context.Background(), d.B, d.Path)
	if err != nil {
		return nil, err
	}
	defer rb.Close()
	a, err := readHead(ra, diffLimit+1)
	if err != nil {
		return nil, fmt.Errorf("reading /%s in layer %d: %w", d.Path, d.A, err)
	}
	b, err := readHead(rb, diffLimit+1)
	if err != nil {
		return nil, fmt.Errorf("reading /%s in layer %d: %w", d.Path, d.B, err)
	}
	small := len(a) <= diffLimit && len(b) <= diffLimit
	if small && !isBinary(a) && !isBinary(b) {
		return textDiff(d, string(a), string(b))
	}
	cmp, err := compareStreams(io.MultiReader(bytes.NewReader(a), ra), io.MultiReader(bytes.NewReader(b), rb))
	if err != nil {
		return nil, fmt.Errorf("reading /%s: %w", d.Path, err)
	}
	var out []string
	if small {
		out = append(out, "binary content: no line diff")
	} else {
		out = append(out, fmt.Sprintf("larger than %s: no line diff", humanBytes(diffLimit)))
	}
	out = append(out, "",
		fmt.Sprintf("layer %d: %s (%d bytes)", d.A, humanBytes(cmp.sizeA), cmp.sizeA),
		fmt.Sprintf("layer %d: %s (%d bytes)", d.B, humanBytes(cmp.sizeB), cmp.sizeB), "")
	if cmp.at < 0 {
		return append(out, "the content is identical"), nil
	}
	out = append(out, fmt.Sprintf("the content first differs at byte %d (0x%x):", cmp.at, cmp.at))
	row := cmp.at / 16 * 16
	for _, side := range []struct {
		layer int
		b     []byte
	}{{d.A, cmp.rowA}, {d.B, cmp.rowB}} {
		text := "(ends before it)"
		if len(side.b) > 0 {
			text = hexLines(side.b, row)[0]
		}
		out = append(out, fmt.Sprintf("  layer %-3d %s", side.layer, text))
	}
	return out, nil
}

// textDiff is the unified diff of two texts, three lines of context.
func textDiff(d diffMsg, a, b string) ([]string, error) {
	if a == b {
		return []string{"the content is identical"}, nil
	}
	labelA, labelB := fmt.Sprintf("layer %d/%s", d.A, d.Path), fmt.Sprintf("layer %d/%s", d.B, d.Path)
	u, err := udiff.ToUnified(labelA, labelB, a, udiff.Lines(a, b), udiff.DefaultContextLines)
	if err != nil {
		return nil, fmt.Errorf("diffing /%s: %w", d.Path, err)
	}
	u = strings.ReplaceAll(u, "\t", "    ")
	return strings.Split(strings.TrimSuffix(u, "\n"), "\n"), nil
}

// readHead reads up to n bytes, fewer only at the end of the stream.
func readHead(r io.Reader, n int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(n)))
	return b, err
}

// streamCmp is what compareStreams found: both sizes, the first offset
// where the bytes differ (-1 for none), and the 16-byte rows holding it.
type streamCmp struct {
	sizeA, sizeB int64
	at           int64
	rowA, rowB   []byte
}

// compareStreams reads a and b to their ends side by side, holding a
// block of each at a time.
func compareStreams(a, b io.Reader) (streamCmp, error) {
	const block = 64 << 10
	c := streamCmp{at: -1}
	ba, bb := bufio.NewReaderSize(a, block), bufio.NewReaderSize(b, block)
	bufA, bufB := make([]byte, block), make([]byte, block)
	var off int64
	for {
		na, errA := io.ReadFull(ba, bufA)
		nb, errB := io.ReadFull(bb, bufB)
		for _, err := range []error{errA, errB} {
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
				return c, err
			}
		}
		c.sizeA, c.sizeB = c.sizeA+int64(na), c.sizeB+int64(nb)
		if c.at < 0 {
			n := min(na, nb)
			i := 0
			for i < n && bufA[i] == bufB[i] {
				i++
			}
			if i < n || na != nb {
				c.at = off + int64(i)
				start := i / 16 * 16
				c.rowA = bytes.Clone(bufA[min(start, na):min(start+16, na)])
				c.rowB = bytes.Clone(bufB[min(start, nb):min(start+16, nb)])
			}
		}
		off += block
		if na < block && nb < block {
			return c, nil
		}
	}
}
