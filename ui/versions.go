package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// version is one entry a layer holds for a path: a write or a removal.
type version struct {
	layer, index int
	e            analyze.Entry
	hash         uint64 // content hash when the image was hashed, else 0
}

// stored reports whether the version has content the viewer can show:
// a regular file, or a hard link (the opener follows it).
func (v version) stored() bool {
	return v.e.Change != analyze.ChangeRemoved && (v.e.Kind == analyze.KindFile || v.e.Kind == analyze.KindHardlink)
}

// versions is the overlay listing every version of one path across the
// layers, oldest first: what each layer wrote there or removed, and the
// step that did it. Enter opens a version in the viewer (for a symlink,
// the file it leads to; f puts the tree on its target, see follow.go);
// space marks one and d diffs the marked version with the one under the
// cursor.
type versions struct {
	res    *analyze.Result
	keys   keyMap
	mark   key.Binding // space
	diff   key.Binding // d
	close  key.Binding // the viewer's: esc and q
	st     *Styles
	steps  map[int]analyze.Step // by layer, made once
	path   string
	rows   []version
	hashed bool // some row has a hash: show the column
	marked int  // row marked for a diff, or -1
	list
	width int
}

func newVersions(res *analyze.Result, keys keyMap, st *Styles) *versions {
	return &versions{res: res, keys: keys, st: st, marked: -1,
		mark: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark")),
		diff: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff"))}
}

// Load lists the versions of p. It scans every layer's entries: one pass
// over slices already in memory, done only when the overlay opens, so no
// index by path is kept.
func (v *versions) Load(p string) bool {
	if v.steps == nil {
		v.steps = map[int]analyze.Step{}
		for _, s := range v.res.Steps() {
			if s.Layer >= 0 {
				v.steps[s.Layer] = s
			}
		}
	}
	v.path, v.rows, v.hashed, v.marked = p, nil, false, -1
	v.cursor, v.offset = 0, 0
	id, ok := v.res.Tree.Lookup(p)
	if !ok {
		return false
	}
	for l, layer := range v.res.Layers {
		for i, e := range layer.Entries {
			if e.Node != id {
				continue
			}
			r := version{layer: l, index: i, e: e}
			if i < len(layer.FileHashes) {
				r.hash = layer.FileHashes[i]
				v.hashed = v.hashed || r.hash != 0
			}
			v.rows = append(v.rows, r)
		}
	}
	v.resize(len(v.rows), v.height)
	v.set(len(v.rows) - 1) // the newest: most often the one asked about
	return len(v.rows) > 0
}

// Title names the path.
func (v *versions) Title() string {
	return "History of /" + safetext.Line(v.path) + " (enter: view, space: mark, d: diff, esc/q: close)"
}

// content is the version whose content a row opens: the row itself, or
// for a removal the last version stored before it.
func (v *versions) content(r int) (version, bool) {
	for ; r >= 0; r-- {
		if v.rows[r].e.Change != analyze.ChangeRemoved {
			return v.rows[r], v.rows[r].stored()
		}
	}
	return version{}, false
}

// Update implements component.
func (v *versions) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(v.rows) == 0 || v.navigate(v.keys, k) {
		return nil
	}
	cur := v.rows[v.cursor]
	link := cur.e.Kind == analyze.KindSymlink && cur.e.Change != analyze.ChangeRemoved
	switch {
	case link && keyMatches(k, v.keys.Apply, v.keys.Follow):
		return followVersion(v.res, cur.layer, v.path, keyMatches(k, v.keys.Apply))
	case keyMatches(k, v.keys.Follow):
		return statusCmd("not a symlink: nothing to follow")
	case keyMatches(k, v.keys.Apply):
		c, ok := v.content(v.cursor)
		if !ok {
			return statusCmd("only regular files can be viewed")
		}
		note := ""
		if cur.e.Change == analyze.ChangeRemoved {
			note = fmt.Sprintf("removed by layer %d, last stored", cur.layer)
		}
		return msgCmd(fileOpenMsg{Layer: c.layer, Path: v.path, Note: note})
	case keyMatches(k, v.mark):
		if v.marked == v.cursor {
			v.marked = -1
		} else {
			v.marked = v.cursor
		}
	case keyMatches(k, v.diff):
		switch {
		case v.marked < 0:
			return statusCmd("mark a version with space first, then press d on another")
		case v.marked == v.cursor:
			return statusCmd("move to another version to diff with the marked one")
		case !v.rows[v.marked].stored() || !cur.stored():
			return statusCmd("only stored regular files can be diffed")
		}
		a, b := v.rows[v.marked], cur
		if a.layer > b.layer || a.layer == b.layer && a.index > b.index {
			a, b = b, a
		}
		return msgCmd(diffMsg{Path: v.path, A: a.layer, B: b.layer, SizeA: a.e.Size, SizeB: b.e.Size})
	}
	return nil
}

// View implements component.
func (v *versions) View() string {
	var b strings.Builder
	hashW := 0
	if v.hashed {
		hashW = 9
	}
	head := "  " + padRight("Layer", 5) + " " + padRight("Change", 8) + " " + padLeft("Size", 9) + " " +
		padRight("Mode", 10) + " " + padRight("Owner", 11) + " " + padRight(map[bool]string{true: "Hash"}[v.hashed], hashW) + "Step"
	b.WriteString(v.st.Label.Render(padRight(head, v.width)))
	if len(v.rows) == 0 {
		b.WriteString("\n" + v.st.Dim.Render(padRight("  no layer holds this path", v.width)))
	}
	end := min(len(v.rows), v.offset+v.height)
	for r := v.offset; r < end; r++ {
		b.WriteByte('\n')
		b.WriteString(v.row(r, hashW))
	}
	return b.String()
}

// row renders one version.
func (v *versions) row(r, hashW int) string {
	x := v.rows[r]
	mark := "  "
	if r == v.marked {
		mark = "* "
	}
	mode, owner, hash := "-", "-", ""
	if x.e.Change != analyze.ChangeRemoved {
		mode, owner = modeString(kindMode(x.e)), fmt.Sprintf("%d:%d", x.e.UID, x.e.GID)
		if x.hash != 0 {
			hash = fmt.Sprintf("%08x", x.hash>>32)
		}
	}
	if x.e.Kind == analyze.KindHardlink && x.e.Change != analyze.ChangeRemoved {
		mode = "hard link"
	}
	step := ""
	if s, ok := v.steps[x.layer]; ok {
		verb := "wrote"
		if x.e.Change == analyze.ChangeRemoved {
			verb = "removed"
		}
		step = fmt.Sprintf("%s by step %d: %s", verb, s.History+1, safetext.Line(s.Instruction))
		if s.History < 0 {
			step = verb + " by a layer no history step claims"
		}
	}
	change := padRight(x.e.Change.String(), 8)
	line := mark + padRight(itoa(x.layer), 5) + " " + change + " " + padLeft(humanBytes(x.e.Size), 9) + " " +
		padRight(mode, 10) + " " + padRight(owner, 11) + " " + padRight(hash, hashW) + step
	line = padRight(truncate(line, v.width), v.width)
	if r == v.cursor {
		return v.st.Selected.Render(line)
	}
	return line
}

// SetSize implements component.
func (v *versions) SetSize(width, h int) {
	v.width = width
	v.resize(len(v.rows), max(1, h-1)) // one line for the column header
}

// ShortHelp implements help.KeyMap.
func (v *versions) ShortHelp() []key.Binding {
	open := v.keys.Apply
	open.SetHelp(open.Help().Key, "view")
	if v.cursor < len(v.rows) && v.rows[v.cursor].e.Kind == analyze.KindSymlink && v.rows[v.cursor].e.Change != analyze.ChangeRemoved {
		// Only on a link, where it means something: the line is full.
		return []key.Binding{v.keys.Up, v.keys.Down, open, v.keys.Follow, v.close}
	}
	return []key.Binding{v.keys.Up, v.keys.Down, open, v.mark, v.diff, v.close}
}

// FullHelp implements help.KeyMap.
func (v *versions) FullHelp() [][]key.Binding {
	open := v.keys.Apply
	open.SetHelp(open.Help().Key, "view")
	return [][]key.Binding{v.keys.moveHelp(), {open, v.keys.Follow, v.mark, v.diff, v.close}}
}

// Click implements pane: a click puts the cursor on a version. Row 0 is
// the column header.
func (v *versions) Click(row int) tea.Cmd {
	if r, ok := v.rowAt(row, 1); ok {
		v.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (v *versions) Wheel(notch int) tea.Cmd {
	v.move(notch * wheelStep)
	return nil
}
