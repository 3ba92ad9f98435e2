package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/safetext"
	"github.com/strata-cli/strata/internal/units"
)

// CompareOptions configures RunCompare.
type CompareOptions struct {
	// Theme picks the colours; NO_COLOR in the environment forces ThemeMono.
	Theme Theme
	// Verdict, when set, ends the summary line ("verdict: ok").
	Verdict string
	// Keys rebinds actions as Options.Keys does for Run; an unknown action
	// is an error (CheckKeys).
	Keys map[string][]string
	// Input and Output default to the terminal (stdin and stdout).
	Input  io.Reader
	Output io.Writer
}

// RunCompare shows a comparison of two images until the user quits: both
// layer histories aligned, the cache break and why, and the diff of the
// final filesystems. It returns ctx's error if ctx ends the program.
func RunCompare(ctx context.Context, rep *compare.Report, opts CompareOptions) error {
	if rep == nil {
		return errors.New("ui: nothing to compare")
	}
	opts.Theme = themeFor(opts.Theme, os.Getenv)
	keys, err := keyMapWith(opts.Keys)
	if err != nil {
		return err
	}
	m := newCompareModel(rep, opts.Theme, opts.Verdict, keys)
	if m.guessBackground(os.Getenv) {
		m.details.layout() // its lines are rendered with the styles
	}
	return runProgram(ctx, m, opts.Input, opts.Output)
}

// cmpFocus names the compare pane that receives motion keys.
type cmpFocus uint8

const (
	cmpFocusLayers cmpFocus = iota
	cmpFocusDetails
	cmpFocusTree
	numCmpFocus
)

// compareModel is the root model of the compare view. Like Model it owns
// layout, focus and routing; the three panes own their state.
type compareModel struct {
	chrome
	rep     *compare.Report
	verdict string

	layers  *alignedLayers
	details *pairDetails
	tree    *diffTree
	filter  filterBar

	focus    cmpFocus
	showHelp bool

	topH int // the aligned history's height, title included
}

func newCompareModel(rep *compare.Report, theme Theme, verdict string, keys keyMap) *compareModel {
	// Here the fold key only folds: there are no file contents to show.
	keys.Toggle.SetHelp(keys.Toggle.Help().Key, "fold dir")
	keys.Filter.SetHelp(keys.Filter.Help().Key, "filter paths")
	m := &compareModel{chrome: newChrome(theme, keys), rep: rep, verdict: verdict}
	m.filter = newFilterBar(keys, m.styles)
	m.layers = newAlignedLayers(rep, keys, m.styles)
	m.details = newPairDetails(rep, keys, m.styles)
	m.tree = newDiffTree(rep.Files, keys, m.styles)
	m.details.Select(m.layers.Selected())
	m.setFocus(cmpFocusLayers)
	m.layout()
	return m
}

// Init implements tea.Model.
func (m *compareModel) Init() tea.Cmd {
	if m.theme == ThemeAuto {
		return tea.RequestBackgroundColor
	}
	return nil
}

// Update implements tea.Model.
func (m *compareModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case tea.BackgroundColorMsg:
		if m.restyle(msg) {
			m.details.layout() // its lines are rendered with the styles
		}
	// Selections and filter edits arrive from concurrent commands,
	// possibly out of order: each re-applies the state the sender is in now.
	case pairSelectedMsg:
		m.details.Select(m.layers.Selected())
	case filterChangedMsg:
		m.tree.SetFilter(m.filter.Query())
	case tea.PasteMsg:
		// Bracketed paste: text for the bar when it is open, else nothing.
		return m, m.filter.Update(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg, tea.MouseClickMsg:
		if m.filter.active || m.showHelp {
			return m, nil
		}
		return m, routeMouse(msg.(tea.MouseMsg), m.panes(), func(f int) { m.setFocus(cmpFocus(f)) })
	}
	return m, nil
}

func (m *compareModel) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.filter.active {
		if keyMatches(k, m.keys.Interrupt) {
			return tea.Quit
		}
		return m.filter.Update(k)
	}
	switch {
	case m.showHelp && keyMatches(k, closeBinding(m.keys)):
		// As in the explorer's overlays: q closes the help first.
		m.showHelp = false
	case keyMatches(k, m.keys.Quit, m.keys.Interrupt):
		return tea.Quit
	case keyMatches(k, m.keys.Help):
		m.showHelp = !m.showHelp
	case m.showHelp:
	case keyMatches(k, m.keys.NextPane):
		m.setFocus((m.focus + 1) % numCmpFocus)
	case keyMatches(k, m.keys.PrevPane):
		m.setFocus((m.focus + numCmpFocus - 1) % numCmpFocus)
	case keyMatches(k, m.keys.Filter):
		m.setFocus(cmpFocusTree)
		m.filter.Start(m.tree.filter)
	case keyMatches(k, m.keys.Clear):
		m.tree.SetFilter("")
	case m.focus == cmpFocusLayers:
		return m.layers.Update(k)
	case m.focus == cmpFocusDetails:
		return m.details.Update(k)
	default:
		return m.tree.Update(k)
	}
	return nil
}

func (m *compareModel) setFocus(f cmpFocus) {
	m.focus = f
	m.layers.focused = f == cmpFocusLayers
	m.details.focused = f == cmpFocusDetails
	m.tree.focused = f == cmpFocusTree
}

// layout gives the aligned history the top of the screen, as tall as its
// rows need up to two fifths of it, and splits the rest between the
// details (left) and the diff tree (right). Two lines at the bottom hold
// the summary and the help.
func (m *compareModel) layout() {
	m.help.SetWidth(m.width)
	m.filter.SetSize(m.width, 1)
	body := m.bodyHeight()
	need := len(m.rep.Layers) + 3 // title, column header, cache-break divider
	m.topH = max(4, min(need, body*2/5))
	bottom := max(2, body-m.topH)
	left := m.leftWidth()
	m.layers.SetSize(m.width, m.topH-1)
	m.details.SetSize(left, bottom-1)
	m.tree.SetSize(m.width-left-1, bottom-1)
}

func (m *compareModel) bodyHeight() int { return max(6, m.height-2) }

func (m *compareModel) leftWidth() int {
	return max(min(30, m.width/2), min(m.width*9/20, 72))
}

// View implements tea.Model.
func (m *compareModel) View() tea.View {
	return m.view(m.body()+"\n"+m.summaryLine()+"\n"+m.helpLine(), "strata compare")
}

func (m *compareModel) body() string {
	h := m.bodyHeight()
	if m.showHelp {
		k := m.keys
		groups := [][]key.Binding{{k.NextPane, k.PrevPane, k.Filter, k.Clear, k.Help, k.Quit}}
		groups = append(groups, m.details.FullHelp()...)
		groups = append(groups, m.tree.FullHelp()...)
		text := m.title("Keys", true, m.width) + "\n" + m.help.FullHelpView(groups)
		return strings.Join(fit(text, m.width, h), "\n")
	}
	return m.compose(m.panes(), h)
}

// panes is where the compare view's panes are: the aligned history across
// the top, the details and the diff tree side by side under it.
func (m *compareModel) panes() []placed {
	name := "Layers"
	if o, n := m.rep.Old.Reference, m.rep.New.Reference; o != "" || n != "" {
		name += ": OLD " + safetext.Line(o) + " │ NEW " + safetext.Line(n)
	}
	f := m.rep.Files
	treeTitle := fmt.Sprintf("Final filesystem: +%d -%d ~%d", f.Added, f.Removed, f.Changed)
	if m.tree.filter != "" {
		treeTitle += " (filter: " + m.tree.filter + ")"
	}
	left := m.leftWidth()
	bottom := m.bodyHeight() - m.topH
	return []placed{
		{w: m.width, h: m.topH, title: name, focused: m.focus == cmpFocusLayers, pane: m.layers, focus: int(cmpFocusLayers)},
		{y: m.topH, w: left, h: bottom, title: m.details.Title(), focused: m.focus == cmpFocusDetails, pane: m.details, focus: int(cmpFocusDetails)},
		{x: left + 1, y: m.topH, w: m.width - left - 1, h: bottom, title: treeTitle, focused: m.focus == cmpFocusTree, pane: m.tree, focus: int(cmpFocusTree)},
	}
}

// summaryLine is the verdict line: size, waste, layers and files, new
// against old. The filter editor takes its place while it is open.
func (m *compareModel) summaryLine() string {
	if m.filter.active {
		return m.filter.View()
	}
	r := m.rep
	d := r.Delta
	size := "size " + humanBytes(r.Old.SizeBytes) + " → " + humanBytes(r.New.SizeBytes) + " (" + signedBytes(d.SizeBytes)
	if r.Old.SizeBytes > 0 {
		size += ", " + units.SignedPercent(float64(d.SizeBytes)/float64(r.Old.SizeBytes))
	}
	size += ")"
	parts := []string{
		size,
		"wasted " + signedBytes(d.WastedBytes),
		"layers " + itoa(r.Old.Layers) + " → " + itoa(r.New.Layers),
		"shared " + itoa(r.SharedLayers),
		"files " + countsText(r.Files.Added, r.Files.Removed, r.Files.Changed),
	}
	if r.Files.Added+r.Files.Removed+r.Files.Changed == 0 {
		parts[len(parts)-1] = "files same"
	}
	if m.verdict != "" {
		parts = append(parts, m.verdict)
	}
	return m.styles.Status.Render(truncate(" "+strings.Join(parts, " │ "), m.width))
}

// helpLine is the short help of the focused pane plus the global keys.
func (m *compareModel) helpLine() string {
	var pane []key.Binding
	switch {
	case m.filter.active:
		pane = m.filter.ShortHelp()
	case m.focus == cmpFocusLayers:
		pane = m.layers.ShortHelp()
	case m.focus == cmpFocusDetails:
		pane = m.details.ShortHelp()
	default:
		pane = m.tree.ShortHelp()
	}
	k := m.keys
	return m.helpText(pane, k.NextPane, k.Filter, k.Help, k.Quit)
}
