package ui

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// refresh recomputes which nodes show and the rows on screen. It walks the
// whole view tree once (folded directories included, so that their sizes
// reflect the filter) and is called only when what is shown changes, never
// for cursor motion.
func (f *fileTree) refresh() {
	n := len(f.vt.nodes)
	if cap(f.shown) < n {
		f.shown, f.last = make([]int64, n), make([]bool, n)
	}
	f.shown, f.last = f.shown[:n], f.last[:n]
	f.buf = f.buf[:0]
	f.mark(0)
	f.shown[0] = max(f.shown[0], 0)
	f.rows = f.rows[:0]
	f.emit(0)
	f.resize(len(f.rows), f.height)
}

// mark sets shown[i] for node i and its subtree and reports whether i shows.
// A node shows when its change kind is on and its path matches the filter,
// or when it is a directory with something shown below it.
func (f *fileTree) mark(i int32) bool {
	nd := &f.vt.nodes[i]
	mark := len(f.buf)
	filtering := f.filter != ""
	if i > 0 && filtering { // paths are only needed to match a filter
		if mark > 0 {
			f.buf = append(f.buf, '/')
		}
		f.buf = append(f.buf, f.vt.tree.Name(nd.id)...)
	}
	var size int64
	some := false
	for _, c := range nd.children {
		if f.mark(c) {
			some = true
			if f.vt.addsUp(i, c) {
				size += f.shown[c]
			}
		}
	}
	show := some || (i > 0 && !f.hidden[nd.change] && f.matches() && f.inPackage(nd))
	if !nd.dir {
		size = nd.size
	}
	f.buf = f.buf[:mark]
	if !show {
		f.shown[i] = -1
		return false
	}
	f.shown[i] = size
	return true
}

// matches applies the filter to the path in f.buf.
func (f *fileTree) matches() bool {
	switch {
	case f.re != nil:
		return f.re.Match(f.buf)
	case f.filter != "":
		return bytes.Contains(f.buf, []byte(f.filter))
	}
	return true
}

// emit appends the shown children of i, recursing into unfolded directories.
func (f *fileTree) emit(i int32) {
	kids := f.vt.children(i, f.bySize)
	lastShown := int32(-1)
	for _, c := range kids {
		if f.shown[c] >= 0 {
			f.last[c] = false
			lastShown = c
		}
	}
	if lastShown >= 0 {
		f.last[lastShown] = true
	}
	for _, c := range kids {
		if f.shown[c] < 0 {
			continue
		}
		f.rows = append(f.rows, c)
		if f.vt.nodes[c].dir && !f.collapsed[f.vt.nodes[c].id] {
			f.emit(c)
		}
	}
}

// View implements component. Only the rows on screen are rendered.
func (f *fileTree) View() string {
	var b strings.Builder
	head := "  " + padLeft("Size", 8) + " "
	if f.attrs {
		head += "Mode       UID:GID   "
	}
	head += "Name"
	b.WriteString(f.st.Label.Render(padRight(head, f.width)))
	switch {
	case f.building:
		b.WriteString("\n" + f.st.Dim.Render(padRight(fmt.Sprintf("  building the %s view of layer %d…", f.mode, f.layer), f.width)))
	case len(f.rows) == 0:
		b.WriteString("\n" + f.st.Dim.Render(padRight("  (nothing to show)", f.width)))
	}
	end := min(len(f.rows), f.offset+f.height)
	var line strings.Builder
	for r := f.offset; r < end; r++ {
		b.WriteByte('\n')
		i := f.rows[r]
		nd := &f.vt.nodes[i]
		line.Reset()
		line.WriteString(nd.change.symbol())
		line.WriteByte(' ')
		line.WriteString(padLeft(humanBytes(f.shown[i]), 8))
		line.WriteByte(' ')
		if f.attrs {
			if nd.hasEntry {
				line.WriteString(modeString(kindMode(nd.entry)))
				line.WriteByte(' ')
				line.WriteString(padRight(strconv.FormatUint(uint64(nd.entry.UID), 10)+":"+strconv.FormatUint(uint64(nd.entry.GID), 10), 9))
				line.WriteByte(' ')
			} else {
				line.WriteString(strings.Repeat(" ", 21))
			}
		}
		f.writePrefix(&line, i)
		name := safetext.Line(f.vt.tree.Name(nd.id))
		room := f.width - ansi.StringWidth(line.String())
		if nd.dir {
			room-- // the slash
		}
		// A name too long for the row is cut in the middle: its start
		// and its end tell it from its siblings.
		line.WriteString(truncateMiddle(name, max(room, 5)))
		if nd.dir {
			line.WriteByte('/')
		}
		// A symlink points at a path, resolved when used ("-> target",
		// relative or not); a hard link is the same file as another entry
		// of the archive, always a path from the root ("=> /target").
		if nd.hasEntry && (nd.entry.Kind == analyze.KindSymlink || nd.entry.Kind == analyze.KindHardlink) {
			if t := f.vt.tree.LinkTarget(nd.entry); t != "" {
				if nd.entry.Kind == analyze.KindHardlink {
					line.WriteString(" => /")
					t = strings.TrimPrefix(t, "/")
				} else {
					line.WriteString(" -> ")
				}
				line.WriteString(safetext.Line(t))
			}
		}
		if l, ok := f.secrets[nd.id]; ok && l <= f.layer {
			line.WriteString(secretMark)
		}
		text := padRight(line.String(), f.width)
		switch {
		case r == f.cursor && f.focused:
			b.WriteString(f.st.Selected.Render(text))
		case r == f.cursor:
			b.WriteString(f.st.SelectedBlur.Render(text))
		case nd.change != changeUnchanged:
			b.WriteString(f.st.Change[nd.change].Render(text))
		case nd.dir:
			b.WriteString(f.st.Dir.Render(text))
		default:
			b.WriteString(text)
		}
	}
	return b.String()
}

// writePrefix draws the tree guides of node i from its ancestors' "last
// child" flags, and marks a folded directory with ▸.
func (f *fileTree) writePrefix(b *strings.Builder, i int32) {
	var guides [64]bool
	depth := 0
	for a := f.vt.nodes[i].parent; a > 0 && depth < len(guides); a = f.vt.nodes[a].parent {
		guides[depth] = f.last[a]
		depth++
	}
	for d := depth - 1; d >= 0; d-- {
		if guides[d] {
			b.WriteString("   ")
		} else {
			b.WriteString("│  ")
		}
	}
	if f.last[i] {
		b.WriteString("└─")
	} else {
		b.WriteString("├─")
	}
	nd := &f.vt.nodes[i]
	if nd.dir && len(nd.children) > 0 && f.collapsed[nd.id] {
		b.WriteString("▸")
	} else {
		b.WriteString(" ")
	}
}
