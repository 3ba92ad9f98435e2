package ui

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// packageFilesMsg asks the root to show the files of Result.Packages[Pkg]
// in the tree, in Layer's view of mode Mode. Pkg is -1 for a package no
// longer in the final filesystem: it has no files to show.
type packageFilesMsg struct {
	Pkg   int
	Name  string
	Layer int
	Mode  viewMode
}

// pkgRow is one row of the packages overlay.
type pkgRow struct {
	symbol  string // what the layer did; "" in the image's list
	name    string
	version string // "old → new" for an upgrade
	size    int64
	files   int
	layer   int // the layer that last wrote it, in the image's list
	pkg     int // index in Result.Packages, or -1
}

// packages is the overlay listing the packages of the selected layer (what
// it did to each and the bytes it wrote of them) or of the whole image
// (each installed package and the layer that last wrote it), by size or
// by name. Enter shows a package's files in the tree.
type packages struct {
	res    *analyze.Result
	keys   keyMap
	st     *Styles
	layer  int      // the tree's layer
	mode   viewMode // the tree's mode, kept for the jump
	image  bool     // the whole image's list rather than the layer's
	byName bool
	// at finds a package of the final filesystem by manager, name and
	// architecture, made once.
	at   map[[3]string]int
	rows []pkgRow
	list
	width int
}

func newPackages(res *analyze.Result, keys keyMap, st *Styles) *packages {
	p := &packages{res: res, keys: keys, st: st, at: map[[3]string]int{}}
	for i, pk := range res.Packages {
		p.at[[3]string{pk.Manager, pk.Name, pk.Architecture}] = i
	}
	return p
}

// Load lists the packages for the tree's layer and mode: the stacked view
// starts on the whole image, a layer's own view on that layer.
func (p *packages) Load(layer int, mode viewMode) {
	p.layer, p.mode, p.image = layer, mode, mode == modeStacked
	p.build()
}

// build makes the rows of the current list and sort.
func (p *packages) build() {
	p.rows = p.rows[:0]
	if p.image {
		for i, pk := range p.res.Packages {
			p.rows = append(p.rows, pkgRow{name: pk.Name, version: pk.Version, size: pk.SizeBytes, files: pk.Files, layer: pk.Layer, pkg: i})
		}
	} else if p.layer >= 0 && p.layer < len(p.res.Layers) {
		for _, lp := range p.res.Layers[p.layer].Packages {
			r := pkgRow{symbol: packageSymbols[lp.Change], name: lp.Name, version: layerPackageVersion(lp), size: lp.SizeBytes, files: lp.Files, layer: p.layer, pkg: -1}
			if i, ok := p.at[[3]string{lp.Manager, lp.Name, lp.Architecture}]; ok && lp.Change != analyze.PackageRemoved {
				r.pkg = i
			}
			p.rows = append(p.rows, r)
		}
	}
	// The analysis lists them largest first, then by name; by name, the
	// size breaks ties between architectures of one name.
	if p.byName {
		slices.SortStableFunc(p.rows, func(a, b pkgRow) int { return cmp.Compare(a.name, b.name) })
	}
	p.cursor, p.offset = 0, 0
	p.resize(len(p.rows), p.height)
}

// Title names the list, its sort and the keys that change them.
func (p *packages) Title() string {
	what, other := "layer "+itoa(p.layer), "image"
	if p.image {
		what, other = "image", "layer "+itoa(p.layer)
	}
	sort, next := "size", "name"
	if p.byName {
		sort, next = "name", "size"
	}
	return "Packages: " + what + ", by " + sort + " (enter: files, o: by " + next + ", s: " + other + ", esc: close)"
}

// Update implements component.
func (p *packages) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || p.navigate(p.keys, k) {
		return nil
	}
	switch {
	case keyMatches(k, p.keys.Sort):
		p.byName = !p.byName
		p.build()
	case keyMatches(k, p.keys.ToggleView):
		p.image = !p.image
		p.build()
	case keyMatches(k, p.keys.Apply) && len(p.rows) > 0:
		r := p.rows[p.cursor]
		j := packageFilesMsg{Pkg: r.pkg, Name: r.name, Layer: p.layer, Mode: p.mode}
		if p.image {
			// The image's packages are those of the final filesystem.
			j.Layer, j.Mode = len(p.res.Layers)-1, modeStacked
		}
		return msgCmd(j)
	}
	return nil
}

// View implements component.
func (p *packages) View() string {
	var b strings.Builder
	head := "  " + padLeft("Size", 9) + "  " + padLeft("Files", 5) + "  "
	if p.image {
		head = padLeft("Size", 9) + "  " + padLeft("Files", 5) + "  " + padRight("Layer", 5) + " "
	}
	b.WriteString(p.st.Label.Render(padRight(head+"Package", p.width)))
	empty := ""
	switch {
	case !p.res.HasPackageDB():
		empty = "no package database in this image"
	case len(p.rows) == 0 && p.image:
		empty = "no packages installed in the final filesystem"
	case len(p.rows) == 0:
		empty = "layer " + itoa(p.layer) + " changed no packages"
	}
	if empty != "" {
		b.WriteString("\n" + p.st.Dim.Render(padRight("  "+empty, p.width)))
	}
	end := min(len(p.rows), p.offset+p.height)
	for i := p.offset; i < end; i++ {
		r := p.rows[i]
		line := padRight(r.symbol, 1) + " " + padLeft(humanBytes(r.size), 9) + "  " + padLeft(itoa(r.files), 5) + "  "
		if p.image {
			line = padLeft(humanBytes(r.size), 9) + "  " + padLeft(itoa(r.files), 5) + "  " + padRight(itoa(r.layer), 5) + " "
		}
		line = padRight(line+safetext.Line(r.name)+" "+safetext.Line(r.version), p.width)
		b.WriteByte('\n')
		if i == p.cursor {
			b.WriteString(p.st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
}

// SetSize implements component.
func (p *packages) SetSize(width, h int) {
	p.width = width
	p.resize(len(p.rows), max(1, h-1)) // one line for the column header
}

// ShortHelp implements help.KeyMap.
func (p *packages) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.showFiles(), p.sortHelp(), p.scopeHelp(), closeBinding(p.keys)}
}

// FullHelp implements help.KeyMap.
func (p *packages) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {p.showFiles(), p.sortHelp(), p.scopeHelp(), closeBinding(k), k.Packages}}
}

// The overlay's own descriptions of the keys it borrows.
func (p *packages) showFiles() key.Binding { return withDesc(p.keys.Apply, "show its files") }
func (p *packages) sortHelp() key.Binding  { return withDesc(p.keys.Sort, "sort size/name") }
func (p *packages) scopeHelp() key.Binding { return withDesc(p.keys.ToggleView, "layer/image") }

// withDesc is b described as desc.
func withDesc(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// Click implements pane: a click puts the cursor on a package. Row 0 is
// the column header.
func (p *packages) Click(row int) tea.Cmd {
	if r, ok := p.rowAt(row, 1); ok {
		p.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (p *packages) Wheel(notch int) tea.Cmd {
	p.move(notch * wheelStep)
	return nil
}

// ownerNote is what a file's details say of its package: "Package: libc6
// 2.36-9 (dpkg)" for a path of the final filesystem a package lists,
// "unpackaged" for a regular file of it that none does, and nothing for
// directories, paths gone from the final filesystem, or an image without
// a package database.
func ownerNote(res *analyze.Result, id analyze.NodeID) string {
	if !res.HasPackageDB() {
		return ""
	}
	if i, ok := res.PackageOf(id); ok {
		p := res.Packages[i]
		return "Package: " + safetext.Line(p.Name) + " " + safetext.Line(p.Version) + " (" + p.Manager + ")"
	}
	if ref, ok := res.Tree.Final(id); ok && res.Layers[ref.Layer].Entries[ref.Index].Kind == analyze.KindFile {
		return "unpackaged"
	}
	return ""
}
