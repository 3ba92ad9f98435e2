package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
	"github.com/strata-cli/strata/internal/units"
)

// layerDetails shows the selected step and its layer. The command wraps
// over the pane's width; when the whole does not fit, the pane scrolls
// (it takes the focus in the tab order, and the wheel scrolls it) and a
// dim marker on its last row says more follows.
type layerDetails struct {
	res   *analyze.Result
	keys  keyMap
	st    *Styles
	sel   layerSelectedMsg
	w, h  int
	lines []string // rendered once per selection or size change
	// recorded is the selected step's command as the image records it,
	// for Y.
	recorded string
	off      int // first line shown
}

func newLayerDetails(res *analyze.Result, keys keyMap, st *Styles) *layerDetails {
	return &layerDetails{res: res, keys: keys, st: st, sel: layerSelectedMsg{Layer: -1}}
}

// Update implements component: it follows layerSelectedMsg, and the motion
// keys scroll.
func (d *layerDetails) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case layerSelectedMsg:
		d.sel, d.off = m, 0
		d.layout()
	case tea.KeyPressMsg:
		switch {
		case keyMatches(m, d.keys.CopyContent):
			return copyRecordedCmd(d.recorded, "step "+itoa(d.sel.Step))
		case keyMatches(m, d.keys.Top):
			d.off = 0
		case keyMatches(m, d.keys.Bottom):
			d.scroll(len(d.lines))
		default:
			d.scroll(moveBy(d.keys, m, d.h-1)) // the marker takes a row
		}
	}
	return nil
}

// scroll moves the first line shown by n, clamped so that the last page
// is full.
func (d *layerDetails) scroll(n int) {
	d.off = max(0, min(d.off+n, len(d.lines)-d.h))
}

func (d *layerDetails) layout() {
	d.lines = d.lines[:0]
	field := func(label, value string) {
		d.lines = append(d.lines, d.st.Label.Render(padRight(label, 11))+truncate(value, max(0, d.w-11)))
	}
	var command string
	var digests [][2]string
	if d.sel.Step >= 0 && d.sel.Step < len(d.res.History) && (d.sel.Empty || d.res.History[d.sel.Step].LayerIndex == d.sel.Layer) {
		command = d.res.History[d.sel.Step].CreatedBy
	}
	switch {
	case d.sel.Empty && d.sel.Layer >= 0:
		d.lines = append(d.lines, d.st.Dim.Render(truncate(fmt.Sprintf("empty step: no layer; files as of layer %d", d.sel.Layer), d.w)))
	case d.sel.Empty:
		d.lines = append(d.lines, d.st.Dim.Render(truncate("empty step: no layer", d.w)))
	case d.sel.Layer >= 0 && d.sel.Layer < len(d.res.Layers):
		l := d.res.Layers[d.sel.Layer]
		if command == "" {
			command = l.Command
		}
		field("Layer", fmt.Sprintf("%d (%d of %d)", l.Index, l.Index+1, len(d.res.Layers)))
		field("Size", humanBytes(l.SizeBytes)+" ("+humanBytes(l.CompressedSizeBytes)+" compressed)")
		changes := fmt.Sprintf("+%d ~%d -%d", l.Added, l.Modified, l.Removed)
		if l.WastedBytes > 0 {
			changes += "  wasted " + humanBytes(l.WastedBytes)
		}
		field("Changes", changes)
		for i, line := range packageLines(l, maxPackageLines, d.keys.Packages.Help().Key) {
			label := ""
			if i == 0 {
				label = "Packages"
			}
			field(label, line)
		}
		digests = [][2]string{{"Digest", l.Digest}, {"DiffID", l.DiffID}}
	}
	d.recorded = command
	// The command goes before the digests: it is what users read first,
	// as the history pane shows it. All of it: what does not fit is
	// reached by scrolling.
	for i, c := range wrap(safetext.Line(analyze.Instruction(command)), max(1, d.w-11)) {
		label := ""
		if i == 0 {
			label = "Command"
		}
		d.lines = append(d.lines, d.st.Label.Render(padRight(label, 11))+c)
	}
	if bf := d.res.BuildFile; bf != nil && d.sel.Step >= 0 {
		field("Dockerfile", dockerfileLines(d.res, d.sel.Step))
	}
	for _, dg := range digests {
		field(dg[0], dg[1])
	}
	d.scroll(0)
}

// more reports whether lines follow the ones shown.
func (d *layerDetails) more() bool { return d.h > 1 && d.off+d.h < len(d.lines) }

// View implements component.
func (d *layerDetails) View() string {
	end := min(len(d.lines), d.off+d.h)
	if !d.more() {
		return strings.Join(d.lines[min(d.off, end):end], "\n")
	}
	lines := append(slices.Clip(d.lines[d.off:end-1]), d.st.Dim.Render("↓ more"))
	return strings.Join(lines, "\n")
}

// SetSize implements component.
func (d *layerDetails) SetSize(w, h int) {
	d.w, d.h = w, h
	d.layout()
}

// ShortHelp implements help.KeyMap.
func (d *layerDetails) ShortHelp() []key.Binding {
	up, down := d.keys.Up, d.keys.Down
	up.SetHelp(up.Help().Key, "scroll up")
	down.SetHelp(down.Help().Key, "scroll down")
	return []key.Binding{up, down, d.keys.PageDown}
}

// FullHelp implements help.KeyMap.
func (d *layerDetails) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.keys.moveHelp(), {recordedKey(d.keys)}}
}

// adviceShown is how many findings the image details list at most.
const adviceShown = 3

// imageDetails shows the image-wide numbers, the biggest findings of the
// waste advice and the worst wasted files.
type imageDetails struct {
	res    *analyze.Result
	advice []advice.Advice // computed once: it walks every wasted entry
	st     *Styles
	w, h   int
}

func newImageDetails(res *analyze.Result, st *Styles) *imageDetails {
	return &imageDetails{res: res, st: st, advice: advice.Advise(res)}
}

// Update implements component; the pane is static.
func (d *imageDetails) Update(tea.Msg) tea.Cmd { return nil }

// View implements component.
func (d *imageDetails) View() string {
	im := d.res.Image
	var lines []string
	field := func(label, value string) {
		lines = append(lines, d.st.Label.Render(padRight(label, 11))+truncate(value, max(0, d.w-11)))
	}
	if im.Reference != "" {
		field("Image", safetext.Line(im.Reference))
	}
	field("Size", humanBytes(im.SizeBytes)+" ("+humanBytes(im.CompressedSizeBytes)+" compressed)")
	field("Wasted", humanBytes(im.WastedBytes)+"  user "+units.Percent(im.UserWastedPercent))
	field("Efficiency", units.Percent(im.Efficiency))
	// The findings take up to three rows, but a short pane (80x24) drops
	// all but the biggest so that the worst wasted file still shows.
	room := max(0, d.h-len(lines))
	nAdvice := min(len(d.advice), adviceShown)
	if len(d.res.WastedFiles) > 0 {
		nAdvice = max(min(nAdvice, 1), min(nAdvice, room-2)) // the header and one file
	}
	// The biggest findings: what to change in the Dockerfile.
	for i, a := range d.advice[:min(nAdvice, room)] {
		label := ""
		if i == 0 {
			label = "Advice"
		}
		// The pane is narrow: the kind and the layers involved, not the
		// whole sentence (the report and --json carry it).
		layers := make([]string, len(a.Layers))
		for j, l := range a.Layers {
			layers[j] = itoa(l)
		}
		field(label, padLeft(humanBytes(a.Bytes), 8)+"  "+a.Kind+" ("+strings.Join(layers, "→")+")")
	}
	if len(d.res.WastedFiles) > 0 && len(lines) < d.h-1 {
		// Copies counts the layers that stored a hidden copy, as in the
		// reports; the wasted list (w) names them.
		lines = append(lines, d.st.Label.Render(padRight("Copies", 6)+padLeft("Wasted", 9)+"  Path"))
		for _, wf := range d.res.WastedFiles {
			if len(lines) >= d.h {
				break
			}
			lines = append(lines, truncate(padRight(itoa(len(wf.Layers)), 6)+padLeft(humanBytes(wf.WastedBytes), 9)+"  /"+wf.Path, d.w))
		}
	}
	if len(lines) > d.h {
		lines = lines[:d.h]
	}
	return strings.Join(lines, "\n")
}

// SetSize implements component.
func (d *imageDetails) SetSize(w, h int) { d.w, d.h = w, h }

// ShortHelp implements help.KeyMap.
func (d *imageDetails) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (d *imageDetails) FullHelp() [][]key.Binding { return nil }

// Click implements pane; the root gives the pane the focus, and that is
// all a click does.
func (d *layerDetails) Click(int) tea.Cmd { return nil }

// Wheel implements pane: the wheel scrolls a long command.
func (d *layerDetails) Wheel(notch int) tea.Cmd {
	d.scroll(notch * wheelStep)
	return nil
}

// Click implements pane; the pane is static.
func (d *imageDetails) Click(int) tea.Cmd { return nil }

// Wheel implements pane; the pane is static.
func (d *imageDetails) Wheel(int) tea.Cmd { return nil }

// dockerfileLines says where history step i is in the Dockerfile:
// "Dockerfile:12-14", "Dockerfile:1 (base image)", or that it was not
// placed.
func dockerfileLines(res *analyze.Result, i int) string {
	sl, ok := res.StepLines(i)
	switch {
	case !ok:
		return "not found in " + safetext.Line(res.BuildFile.Path)
	case sl.Base:
		return safetext.Line(res.BuildFile.Where(sl)) + " (base image)"
	}
	return safetext.Line(res.BuildFile.Where(sl))
}

// packageSymbols mark what a layer did to a package, as the tree's
// symbols mark what it did to a file.
var packageSymbols = map[analyze.PackageChange]string{
	analyze.PackageAdded: "+", analyze.PackageRemoved: "-", analyze.PackageUpgraded: "~",
	analyze.PackageReinstalled: "=", analyze.PackageTouched: "·",
}

// maxPackageLines is how many of a layer's packages its details list.
const maxPackageLines = 5

// packageLines says what a layer did to its packages, largest first, as
// the details show it: "+ curl 8.5.0-2 (1.2 MB)", "~ libc6 2.36-9 → 2.36-10",
// then how many more (and the key that lists them all) and the bytes no
// package owns. Nothing for an image without package databases.
func packageLines(l analyze.Layer, n int, listKey string) []string {
	if len(l.Packages) == 0 && l.PackagedBytes == 0 {
		return nil
	}
	var lines []string
	for i, p := range l.Packages {
		if i == n {
			lines = append(lines, fmt.Sprintf("… %d more (%s lists them)", len(l.Packages)-n, listKey))
			break
		}
		sym := packageSymbols[p.Change]
		line := sym + " " + safetext.Line(p.Name) + " " + safetext.Line(layerPackageVersion(p))
		if p.SizeBytes > 0 {
			line += " (" + humanBytes(p.SizeBytes) + ")"
		}
		lines = append(lines, line)
	}
	return append(lines, humanBytes(l.UnpackagedBytes)+" in files no package owns")
}

// layerPackageVersion is a layer's package version as the panes show it:
// "old → new" for an upgrade.
func layerPackageVersion(p analyze.LayerPackage) string {
	if p.Change == analyze.PackageUpgraded {
		return p.PreviousVersion + " → " + p.Version
	}
	return p.Version
}
