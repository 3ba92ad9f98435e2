package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The viewer's rows, long lines either scrolled sideways (h/l) or wrapped
// (W). Wrapping is by cells, as the terminal lays text out: a wide
// character takes two and never splits over two screen lines, and tabs are
// spaces already (pageRows). While wrapped there is nothing to scroll
// sideways, so h and l do nothing.

// numbered reports whether rows carry a line number: text that opened.
func (v *viewer) numbered() bool { return !v.binary && !v.failed }

// room is how many cells of text a screen line holds after the number.
func (v *viewer) room() int {
	room := v.width
	if v.numbered() {
		room -= v.numW + 3 // the line number and " │ "
	}
	return max(1, room)
}

// toggleWrap is W: wrap long lines, or scroll them again.
func (v *viewer) toggleWrap() {
	v.wrapped = !v.wrapped
	v.hoff = 0
	v.fitWrap()
	v.retitle()
}

// segments cuts text into screen lines of at most room cells: byte
// ranges, at most limit of them (a line of a megabyte is only cut as far
// as the screen shows). An empty text is one empty line.
func segments(text string, room, limit int) [][2]int {
	var segs [][2]int
	start, w := 0, 0
	for i, r := range text {
		if len(segs) >= limit {
			return segs
		}
		cw := runeCells(r)
		if w+cw > room && i > start {
			segs = append(segs, [2]int{start, i})
			start, w = i, 0
		}
		w += cw
	}
	if len(segs) < limit {
		segs = append(segs, [2]int{start, len(text)})
	}
	return segs
}

// runeCells is the width of one character: ASCII without a lookup.
func runeCells(r rune) int {
	if r < 0x80 {
		return 1
	}
	return ansi.StringWidth(string(r))
}

// rowHeight is how many screen lines row r takes, counted up to limit.
func (v *viewer) rowHeight(r, limit int) int {
	if !v.wrapped {
		return 1
	}
	return len(segments(strings.Map(printable, v.shown(v.lines[r], limit)), v.room(), limit))
}

// shown cuts line to what can show of it: the columns up to the
// horizontal scroll and the screen's width or, wrapped, limit screen
// lines of it; 8 bytes a cell bound the widest escape a cell can take.
// A megabyte line then costs a frame what the screen holds, not its length.
func (v *viewer) shown(line string, limit int) string {
	n := 8 * (v.width + v.hoff)
	if v.wrapped {
		n = 8 * v.room() * max(1, limit)
	}
	if len(line) > n {
		return line[:n]
	}
	return line
}

// fitWrap scrolls so that the cursor row shows whole (or from its top,
// when it is taller than the screen): the list scrolls by rows, and a
// wrapped row above the cursor can take several lines.
func (v *viewer) fitWrap() {
	if !v.wrapped {
		return
	}
	h := max(1, v.height)
	for v.offset < v.cursor {
		used := 0
		for r := v.offset; r <= v.cursor && used <= h; r++ {
			used += v.rowHeight(r, h+1)
		}
		if used <= h {
			return
		}
		v.offset++
	}
}

// wrappedRowAt is the row shown on screen line y while wrapped.
func (v *viewer) wrappedRowAt(y int) (int, bool) {
	line := 0
	for r := v.offset; r < len(v.lines) && line < max(1, v.height); r++ {
		line += v.rowHeight(r, v.height)
		if y < line {
			return r, true
		}
	}
	return 0, false
}

// View implements component. The cursor row is highlighted, or when it
// holds the search's query, its first match; the text is shown as is (it
// may hold escape sequences of its own, which are cut), its syntax
// coloured when the styles allow it.
func (v *viewer) View() string {
	if v.opening && v.reading {
		return v.openingView()
	}
	h := max(1, v.height)
	q := ""
	if !v.failed {
		q = strings.Map(printable, v.query)
	}
	var out []string
	for r := v.offset; r < len(v.lines) && len(out) < h; r++ {
		line := v.shown(v.lines[r], h-len(out)) // only what can show of a long line is rendered
		out = append(out, v.renderRow(r, strings.Map(printable, line), q, h-len(out))...)
	}
	return strings.Join(out, "\n")
}

// renderRow lays row r out in screen lines, at most limit of them.
func (v *viewer) renderRow(r int, text, q string, limit int) []string {
	prefix, cont := "", ""
	if v.numbered() {
		prefix = padLeft(strconv.FormatInt(v.first+int64(r), 10), v.numW) + " │ "
		cont = strings.Repeat(" ", v.numW) + " │ "
	}
	var matches [][2]int
	for i := 0; q != "" && i <= len(text); {
		j := strings.Index(text[i:], q)
		if j < 0 {
			break
		}
		matches = append(matches, [2]int{i + j, i + j + len(q)})
		i += j + len(q)
	}
	room := v.room()
	var segs [][2]int
	cut := false
	if v.wrapped {
		segs = segments(text, room, limit)
	} else {
		a := len(text) - len(dropCells(text, v.hoff))
		b := len(text)
		if ansi.StringWidth(text[a:]) > room {
			// Cut with an ellipsis, as padRight does.
			b, cut = a+len(ansi.Truncate(text[a:], room-1, "")), true
		}
		segs = [][2]int{{a, b}}
	}
	spans := v.spans(r)
	lines := make([]string, 0, len(segs))
	for i, s := range segs {
		p := prefix
		if i > 0 {
			p = cont
		}
		end := ""
		if cut {
			end = "…"
		}
		if r == v.cursor && len(matches) == 0 {
			lines = append(lines, v.st.Selected.Render(padRight(p+text[s[0]:s[1]]+end, v.width)))
			continue
		}
		body := v.paint(text, s[0], s[1], matches, spans, r == v.cursor)
		pad := v.width - ansi.StringWidth(p) - ansi.StringWidth(text[s[0]:s[1]]) - ansi.StringWidth(end)
		lines = append(lines, p+body+end+strings.Repeat(" ", max(0, pad)))
	}
	return lines
}

// paint renders text[a:b]: the search's matches stand out (on the cursor
// row the first is the current match), the rest takes its syntax colour.
func (v *viewer) paint(text string, a, b int, matches [][2]int, spans []synSpan, current bool) string {
	var sb strings.Builder
	mi, si := 0, 0
	for mi < len(matches) && matches[mi][1] <= a {
		mi++
	}
	for pos := a; pos < b; {
		if mi < len(matches) && matches[mi][0] <= pos {
			end := min(matches[mi][1], b)
			st := v.st.Match
			if current && mi == 0 {
				st = v.st.Selected
			}
			sb.WriteString(st.Render(text[pos:end]))
			pos = end
			if end == matches[mi][1] {
				mi++
			}
			continue
		}
		next := b
		if mi < len(matches) {
			next = min(next, matches[mi][0])
		}
		for pos < next {
			for si < len(spans) && int(spans[si].to) <= pos {
				si++
			}
			if si < len(spans) && int(spans[si].from) <= pos {
				end := min(int(spans[si].to), next)
				sb.WriteString(v.st.Syntax.sgr(spans[si].class))
				sb.WriteString(text[pos:end])
				sb.WriteString(sgrReset)
				pos = end
				continue
			}
			end := next
			if si < len(spans) {
				end = min(end, int(spans[si].from))
			}
			sb.WriteString(text[pos:end])
			pos = end
		}
	}
	return sb.String()
}
