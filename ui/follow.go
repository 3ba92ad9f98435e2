package ui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// Following a symlink, in the file tree and in a file's history: enter on
// a link to a regular file opens that file in the viewer; the follow key,
// and enter on a link to anything else, put the tree's cursor where the
// link leads. analyze resolves the link in the filesystem stacked up to
// the layer; this file only says where to go, or in one line why not.

// followMsg asks the root to select Layer and put the file tree's cursor
// on Path, where the symlink at Link leads. The file history sends it.
type followMsg struct {
	Layer      int
	Link, Path string
}

// followLink resolves the symlink at p in the filesystem stacked up to
// layer. With open, a link to a regular file (or a hard link to one)
// returns the command opening it in the viewer, titled with the link;
// otherwise the path the link leads to. A link that does not resolve
// returns the status line saying why.
func followLink(res *analyze.Result, layer int, p string, open bool) (target string, cmd tea.Cmd) {
	r, err := res.Resolve(layer, p)
	if err != nil {
		return "", statusCmd("%s", linkProblem(err, layer, len(res.Layers)))
	}
	if open && r.HasEntry {
		e := res.Layers[r.Entry.Layer].Entries[r.Entry.Index]
		if e.Kind == analyze.KindFile || e.Kind == analyze.KindHardlink {
			return "", msgCmd(fileOpenMsg{Layer: r.Entry.Layer, Path: r.Path, Note: arrow(p, r.Path)})
		}
	}
	return r.Path, nil
}

// linkProblem is the status line for a link that does not resolve in the
// view of layer, one of n.
func linkProblem(err error, layer, n int) string {
	var le *analyze.LinkError
	if errors.As(err, &le) && le.Problem == analyze.LinkDangling {
		where := "in this image"
		if layer < n-1 {
			where = fmt.Sprintf("up to layer %d", layer)
		}
		return safetext.Line(fmt.Sprintf("%s (no such file %s)", err, where))
	}
	return safetext.Line(err.Error())
}

// arrow names a link and where it leads, for the viewer's title and the
// status line.
func arrow(link, target string) string {
	return safetext.Line("/" + link + " -> /" + target)
}

// follow handles enter (open set) and the follow key on the tree's row i.
func (f *fileTree) follow(i int32, open bool) tea.Cmd {
	n := f.vt.nodes[i]
	if !n.hasEntry || n.change == changeRemoved || n.entry.Kind != analyze.KindSymlink {
		return statusCmd("not a symlink: nothing to follow")
	}
	p := f.vt.path(i)
	target, cmd := followLink(f.res, f.layer, p, open)
	if cmd != nil {
		return cmd
	}
	return statusCmd("%s", f.reveal(p, target))
}

// reveal puts the cursor on target, where the link at link leads, and
// returns the status line. When the layer's own changes do not show the
// target it switches to the stacked view, which shows every path the
// link can lead to.
func (f *fileTree) reveal(link, target string) string {
	a := arrow(link, target)
	if target == "" {
		return a + " (the root)"
	}
	if f.building {
		f.showNow(f.layer)
	}
	if f.selectPath(target, true) {
		return a
	}
	if f.mode == modeLayer {
		f.mode = modeStacked
		f.show(true)
		if f.selectPath(target, true) {
			return a + " (stacked view: this layer does not change it)"
		}
	}
	return a + ": not in this view"
}

// followVersion handles enter (open set) and the follow key on a symlink
// version of p, resolved at the layer that wrote it.
func followVersion(res *analyze.Result, layer int, p string, open bool) tea.Cmd {
	target, cmd := followLink(res, layer, p, open)
	if cmd != nil {
		return cmd
	}
	return msgCmd(followMsg{Layer: layer, Link: p, Path: target})
}

// follow selects the layer of a link followed from the file history and
// puts the tree's cursor where the link leads.
func (m *Model) follow(msg followMsg) {
	m.tree.showNow(m.gotoLayer(msg.Layer))
	m.setFocus(focusTree)
	m.status = m.tree.reveal(msg.Link, msg.Path)
}
