package ui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/safetext"
	"github.com/strata-cli/strata/internal/units"
)

// pairDetails explains the selected layer position: both commands, both
// sizes, and for the cache break the paths its step wrote differently and
// why. Its toggle key switches it to the package diff of the two images.
// It scrolls when it has the focus.
type pairDetails struct {
	rep   *compare.Report
	keys  keyMap
	st    *Styles
	sel   int
	lines []string // rendered per selection and width
	off   int
	w, h  int
	// packages shows the package diff instead of the selected position.
	packages bool
	// focused is kept for symmetry with the other panes; the title shows it.
	focused bool
}

func newPairDetails(rep *compare.Report, keys keyMap, st *Styles) *pairDetails {
	return &pairDetails{rep: rep, keys: keys, st: st, sel: -1}
}

// Select shows position i.
func (d *pairDetails) Select(i int) {
	d.sel, d.off = i, 0
	d.layout()
}

// Update implements component: the motion keys scroll.
func (d *pairDetails) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if keyMatches(k, d.keys.Toggle) {
		d.packages, d.off = !d.packages, 0
		d.layout()
		return nil
	}
	last := max(0, len(d.lines)-d.h)
	switch {
	case keyMatches(k, d.keys.Top):
		d.off = 0
	case keyMatches(k, d.keys.Bottom):
		d.off = last
	default:
		d.off += moveBy(d.keys, k, d.h)
	}
	d.off = max(0, min(d.off, last))
	return nil
}

const detailLabel = 8 // width of the label column

// Title names what the pane shows.
func (d *pairDetails) Title() string {
	if d.packages {
		return "Packages"
	}
	return "Details"
}

func (d *pairDetails) layout() {
	d.lines = d.lines[:0]
	if d.packages && d.w > 0 {
		d.packageLines()
		d.off = max(0, min(d.off, len(d.lines)-d.h))
		return
	}
	if d.sel < 0 || d.sel >= len(d.rep.Layers) || d.w <= 0 {
		d.lines = append(d.lines, d.st.Dim.Render(truncate("no layers", d.w)))
		return
	}
	p := d.rep.Layers[d.sel]
	cb := d.rep.CacheBreak
	brk := cb != nil && cb.Layer == p.Index
	field := func(label, value string) {
		for i, l := range wrap(value, max(1, d.w-detailLabel)) {
			if i > 0 {
				label = ""
			}
			d.lines = append(d.lines, d.st.Label.Render(padRight(label, detailLabel))+l)
		}
	}
	text := func(st *lipgloss.Style, s string) {
		for _, l := range wrap(s, max(1, d.w)) {
			d.lines = append(d.lines, st.Render(l))
		}
	}
	field("Layer", fmt.Sprintf("%d (OLD has %d layers, NEW %d)", p.Index, d.rep.Old.Layers, d.rep.New.Layers))
	cmdOf := func(l *compare.Layer) string {
		if l == nil {
			return "(no layer here)"
		}
		return safetext.Line(analyze.Instruction(shortStepDigests(l.Command)))
	}
	field("Old", cmdOf(p.Old))
	field("New", cmdOf(p.New))
	size := func(l *compare.Layer, f func(*compare.Layer) int64) int64 {
		if l == nil {
			return 0
		}
		return f(l)
	}
	raw := func(l *compare.Layer) int64 { return l.SizeBytes }
	comp := func(l *compare.Layer) int64 { return l.CompressedSizeBytes }
	field("Size", sizeChange(size(p.Old, raw), size(p.New, raw)))
	field("Pushed", sizeChange(size(p.Old, comp), size(p.New, comp))+" compressed")
	if p.Old != nil && p.New != nil && p.Old.DiffID == p.New.DiffID {
		field("DiffID", shortDigest(p.New.DiffID))
	} else {
		if p.Old != nil {
			field("DiffID", "old "+shortDigest(p.Old.DiffID))
		}
		if p.New != nil {
			field("", "new "+shortDigest(p.New.DiffID))
		}
	}
	d.lines = append(d.lines, "")

	dim, hot := &d.st.Dim, &d.st.Error
	switch {
	case brk:
		d.breakLines(cb, text)
	case p.Status == "shared":
		text(dim, "Shared: the same diffID in both images, so the build took it from its cache.")
	case p.Status == "dropped":
		text(dim, "Only OLD has a layer here: NEW has fewer layers.")
	case cb != nil && p.Index > cb.Layer:
		s := fmt.Sprintf("Rebuilt: it comes after the cache break at layer %d, so the build ran it again.", cb.Layer)
		if p.InOld {
			s += " Its content is in OLD all the same (the step produced identical output)."
		}
		text(dim, s)
	default:
		text(hot, "Differs from OLD.")
	}
	d.off = max(0, min(d.off, len(d.lines)-d.h))
}

// breakPlace is " (step 3 of NEW, Dockerfile:9)": the step, and its
// lines when NEW's Dockerfile places it; "" when neither is known.
func breakPlace(step int, where string) string {
	var parts []string
	if step > 0 {
		parts = append(parts, "step "+itoa(step)+" of NEW")
	}
	if where != "" {
		parts = append(parts, where)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// breakLines explains the cache break: what changed in the step, which
// paths it wrote differently and why, and what the rebuild costs.
func (d *pairDetails) breakLines(cb *compare.CacheBreak, text func(*lipgloss.Style, string)) {
	text(&d.st.Error, "Cache broke here"+breakPlace(cb.Step, safetext.Line(cb.Where()))+".")
	switch {
	case cb.Command == "" && cb.OldCommand != "":
		text(&d.st.Label, "NEW ends here; OLD went on.")
	case cb.CommandChanged && cb.OldCommand != "":
		text(&d.st.Label, "The instruction itself changed.")
	case cb.OldCommand != "":
		text(&d.st.Label, "Same instruction: what it read or ran changed.")
	}
	switch {
	case len(cb.Changes) > 0:
		text(&d.st.Label, fmt.Sprintf("The step wrote %d path(s) differently:", len(cb.Changes)))
		for _, c := range cb.Changes {
			line := changeOf(c).symbol() + " /" + c.Path + "  " + c.Describe(humanBytes, "→")
			d.lines = append(d.lines, d.st.Change[changeOf(c)].Render(truncate("  "+line, d.w)))
		}
	case cb.ContentKnown:
		text(&d.st.Dim, "No file differs in content, size, mode, owner or link: only timestamps or tar order changed.")
	case cb.Command != "" && cb.OldCommand != "":
		text(&d.st.Dim, "No file differs in size, mode, owner or link (contents were not hashed).")
	}
	rb := d.rep.Rebuilt
	d.lines = append(d.lines, "")
	text(&d.st.Label, fmt.Sprintf("Rebuilt from here: %d layer(s), %s (%s compressed) to push and pull.",
		rb.Layers, humanBytes(rb.SizeBytes), humanBytes(rb.CompressedSizeBytes)))
}

// View implements component.
func (d *pairDetails) View() string {
	end := min(len(d.lines), d.off+d.h)
	return strings.Join(d.lines[min(d.off, end):end], "\n")
}

// SetSize implements component.
func (d *pairDetails) SetSize(w, h int) {
	d.w, d.h = w, h
	d.layout()
}

// ShortHelp implements help.KeyMap.
func (d *pairDetails) ShortHelp() []key.Binding {
	up, down, toggle := d.keys.Up, d.keys.Down, d.keys.Toggle
	up.SetHelp("↑/k", "scroll up")
	down.SetHelp("↓/j", "scroll down")
	toggle.SetHelp(toggle.Help().Key, "packages/layer")
	return []key.Binding{up, down, toggle}
}

// FullHelp implements help.KeyMap.
func (d *pairDetails) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// sizeChange prints "old → new (±delta)".
func sizeChange(old, new int64) string {
	return humanBytes(old) + " → " + humanBytes(new) + " (" + signedBytes(new-old) + ")"
}

// signedBytes prints a size change with its sign.
func signedBytes(n int64) string { return units.SignedBytes(n) }

// stepDigest is the content digest the classic builder writes into COPY
// and ADD steps ("COPY file:<64 hex> in /app"): 64 digits hide the
// destination at the end of the step.
var stepDigest = regexp.MustCompile(`\b(file|multi|dir):([0-9a-f]{12})[0-9a-f]{52}\b`)

// shortStepDigests cuts those digests to 12 digits.
func shortStepDigests(c string) string { return stepDigest.ReplaceAllString(c, "$1:$2") }

// Click implements pane; the root gives the pane the focus, and that is
// all a click does.
func (d *pairDetails) Click(int) tea.Cmd { return nil }

// Wheel implements pane: the wheel scrolls.
func (d *pairDetails) Wheel(notch int) tea.Cmd {
	d.off = max(0, min(d.off+notch*wheelStep, len(d.lines)-d.h))
	return nil
}
