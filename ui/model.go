package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// state is the root model's phase.
type state uint8

const (
	stateLoading state = iota
	stateReady
	stateFailed
)

// focus names the pane that receives motion keys.
type focus uint8

const (
	focusHistory focus = iota
	focusTree
	focusLayer // layer details: the motion keys scroll the command
	numFocus
)

// overlay is what, if anything, covers the panes.
type overlay uint8

const (
	overlayNone overlay = iota
	overlayHelp
	overlayWasted
	overlayLargest
	overlayViewer
	overlayVersions // every version of one path
	overlayDiff     // two of those versions compared
	overlayPackages
)

// Model is the root Bubble Tea model. It owns layout, focus and routing;
// the panes own their state.
type Model struct {
	chrome
	ref string

	state state
	start tea.Cmd // the loader's first wait, when loading
	// loaded, when set, is called once the load's outcome is in the
	// model, so that Run's tests can wait for it instead of sleeping.
	loaded  func()
	err     error
	loading *loading

	res     *analyze.Result
	history *history
	layer   *layerDetails
	image   *imageDetails
	// tree is the file tree with the keyboard: trees[0], or in the split
	// view either half. trees[1] is the split's lower half, the stacked
	// view, made when the split first opens.
	tree     *fileTree
	trees    [2]*fileTree
	split    bool
	wasted   *wasted
	largest  *largest
	packages *packages
	versions *versions
	diff     diffView
	// under is the overlay the viewer or the diff was opened from, shown
	// again when it closes.
	under   overlay
	viewer  viewer
	open    OpenFileFunc // nil when file content is not available
	extract ExtractFunc  // nil when extraction is not available
	// extractDir is nil when a directory cannot be saved.
	extractDir ExtractDirFunc
	saving     *extraction // the file being extracted, if any
	confirm    *extractMsg // a directory's extraction awaiting y or n
	// ctx is the program's: extractions run under it, and Run ends it
	// when the program does.
	ctx       context.Context
	filter    filterBar
	focus     focus
	overlay   overlay
	status    string // transient note, cleared by the next key
	filterErr string

	histH, layerH int // heights of the left column's first two panes
}

// newModel builds the root model. With a nil res it starts in the loading
// state and expects progress and the result on updates.
func newModel(res *analyze.Result, theme Theme, ref string, keys keyMap) *Model {
	m := &Model{chrome: newChrome(theme, keys), ref: ref, ctx: context.Background()}
	m.filter = newFilterBar(m.keys, m.styles)
	m.viewer = newViewer(m.keys, m.styles)
	m.diff = diffView{keys: m.keys, close: m.viewer.close, st: m.styles}
	if res == nil {
		m.loading = newLoading(m.styles)
		return m
	}
	m.ready(res)
	return m
}

// ready builds the panes for a result.
func (m *Model) ready(res *analyze.Result) {
	m.state, m.res = stateReady, res
	m.history = newHistory(res, m.keys, m.styles)
	m.layer = newLayerDetails(res, m.keys, m.styles)
	m.image = newImageDetails(res, m.styles)
	m.tree = newFileTree(res, m.keys, m.styles)
	m.trees = [2]*fileTree{m.tree, nil}
	m.wasted = newWasted(res, m.keys, m.styles)
	m.largest = newLargest(m.keys, m.styles)
	m.packages = newPackages(res, m.keys, m.styles)
	m.versions = newVersions(res, m.keys, m.styles)
	m.versions.close = m.viewer.close
	m.selectStep(m.history.Selected())
	m.setFocus(focusHistory)
	m.layout()
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	if m.theme == ThemeAuto {
		return tea.Batch(tea.RequestBackgroundColor, m.start)
	}
	return m.start
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		if m.restyle(msg) {
			m.layout()
		}
		return m, nil
	case progressMsg, fetchMsg, loadedMsg:
		return m, m.updateLoading(msg)
	case layerSelectedMsg:
		// Commands run concurrently, so selections made in quick
		// succession can arrive out of order: whichever arrives, show the
		// step the history's cursor is on now.
		if m.history == nil {
			return m, nil
		}
		return m, m.selectStep(m.history.Selected())
	case viewTreeBuiltMsg:
		for _, t := range m.trees {
			if t != nil {
				t.built(msg)
			}
		}
		return m, nil
	case largestSortedMsg:
		m.largest.sortedDone(msg)
		return m, nil
	case jumpToFileMsg:
		m.jump(msg)
		return m, nil
	case followMsg:
		m.follow(msg)
		return m, nil
	case packageFilesMsg:
		m.showPackage(msg)
		return m, nil
	case fileOpenMsg:
		if m.open == nil {
			m.status = "file content is not available for this image"
			return m, nil
		}
		m.under = overlayNone
		if m.overlay == overlayVersions {
			m.under = overlayVersions
		}
		return m, m.viewer.Open(m.open, msg.Layer, msg.Path, msg.Note)
	case diffMsg:
		if m.open == nil {
			m.status = "file content is not available for this image"
			return m, nil
		}
		req := m.diff.Start(fmt.Sprintf("Diff /%s: layer %d → layer %d", msg.Path, msg.A, msg.B))
		m.overlay, m.under = overlayDiff, overlayVersions
		return m, diffCmd(m.open, msg, req)
	case diffDoneMsg:
		m.diff.Load(msg)
		return m, nil
	case saveAsMsg, extractMsg, extractProgressMsg, extractDoneMsg:
		return m, m.updateExtract(msg)
	case fileContentMsg:
		// A page the viewer no longer waits for (it was closed, or asked
		// for another since) is dropped and does not reopen it.
		if m.viewer.Load(msg) {
			m.overlay = overlayViewer
			m.layout()
			return m, m.viewer.Highlight()
		}
		return m, nil
	case pageProgressMsg:
		return m, m.viewerProgress(msg)
	case highlightMsg:
		return m, m.viewer.LoadHighlight(msg)
	case filterChangedMsg:
		q := m.filter.Query() // as it is now: a late message re-applies it
		if m.overlay == overlayViewer {
			if !m.viewer.Search(q, m.viewer.cursor) && q != "" {
				m.status = "not found"
				if m.viewer.paged() {
					m.status = "not in this page: enter searches the whole file"
				}
			}
			return m, m.viewer.Highlight()
		}
		m.filterErr = ""
		if err := m.setTreeFilter(q); err != nil {
			m.filterErr = "bad regexp: " + err.Error()
		}
		return m, nil
	case filterDoneMsg:
		if msg.Keep && m.overlay == overlayViewer {
			return m, m.viewer.Commit()
		}
		return m, nil
	case matchCountMsg:
		m.viewer.LoadCount(msg)
		return m, nil
	case statusMsg:
		m.status = msg.Text
		return m, nil
	case tea.PasteMsg:
		// Bracketed paste: text for the bar when it is open, else nothing.
		return m, m.filter.Update(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg, tea.MouseClickMsg:
		return m, m.handleMouse(msg.(tea.MouseMsg))
	}
	return m, nil
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	m.status = ""
	if m.state != stateReady {
		if keyMatches(k, m.keys.Quit, m.keys.Interrupt) {
			return tea.Quit
		}
		return nil
	}
	if m.filter.active {
		if keyMatches(k, m.keys.Interrupt) {
			return tea.Quit
		}
		return m.filter.Update(k)
	}
	if m.confirm != nil {
		return m.answerConfirm(k)
	}
	switch {
	case m.saving != nil && m.overlay == overlayNone && keyMatches(k, m.keys.Clear):
		// esc stops the extraction first; the filter it would clear
		// stays.
		m.saving.cancel()
		m.status = "cancelling the extraction of /" + m.saving.path + "…"
		return nil
	case m.overlay != overlayNone && keyMatches(k, m.viewer.close):
		// In every overlay esc and q close it first; ctrl+c (not in the
		// close keys) quits from anywhere.
		m.closeOverlay()
		return nil
	case keyMatches(k, m.keys.Quit, m.keys.Interrupt):
		return tea.Quit
	case keyMatches(k, m.keys.Help):
		m.toggleOverlay(overlayHelp)
		return nil
	case keyMatches(k, m.keys.Wasted):
		m.toggleOverlay(overlayWasted)
		return nil
	case keyMatches(k, m.keys.Largest):
		m.toggleOverlay(overlayLargest)
		if m.overlay == overlayLargest {
			return m.openLargest()
		}
		return nil
	case keyMatches(k, m.keys.Packages):
		m.toggleOverlay(overlayPackages)
		if m.overlay == overlayPackages {
			m.packages.Load(m.tree.layer, m.tree.mode)
		}
		return nil
	case keyMatches(k, m.keys.FileHistory) && (m.overlay == overlayNone || m.overlay == overlayVersions):
		if m.overlay == overlayVersions {
			m.overlay = overlayNone
			return nil
		}
		p := m.tree.cursorPath()
		if p == "" {
			return nil
		}
		m.versions.Load(p)
		m.overlay = overlayVersions
		return nil
	case m.overlay == overlayHelp:
		return nil
	case m.overlay == overlayVersions:
		return m.versions.Update(k)
	case m.overlay == overlayDiff:
		return m.diff.Update(k)
	case m.overlay == overlayViewer:
		switch {
		case keyMatches(k, m.keys.Filter):
			m.filter.Start("")
		default:
			return m.viewer.Update(k)
		}
		return nil
	case m.overlay == overlayWasted:
		return m.wasted.Update(k)
	case m.overlay == overlayLargest:
		return m.largest.Update(k)
	case m.overlay == overlayPackages:
		return m.packages.Update(k)
	case keyMatches(k, m.keys.NextPane):
		m.cyclePane(true)
	case keyMatches(k, m.keys.PrevPane):
		m.cyclePane(false)
	case keyMatches(k, m.keys.Split):
		return m.toggleSplit()
	case keyMatches(k, m.keys.Filter):
		m.filter.Start(m.tree.filter)
		m.layout()
	case keyMatches(k, m.keys.Clear):
		if m.tree.filter != "" || m.filterErr != "" {
			m.filterErr = ""
			_ = m.setTreeFilter("")
		}
		if m.tree.pkg >= 0 {
			m.tree.ClearPackage()
		}
	case m.tree.isOption(k):
		return m.tree.option(k)
	case m.focus == focusHistory:
		return m.history.Update(k)
	case m.focus == focusLayer:
		return m.layer.Update(k)
	default:
		return m.tree.Update(k)
	}
	return nil
}

// openLargest lists the files of the tree's view, building it now if it
// is still being built: the list needs the whole view.
func (m *Model) openLargest() tea.Cmd {
	if m.tree.building {
		m.tree.showNow(m.tree.layer)
	}
	return m.largest.Load(m.tree.vt, m.tree.layer, m.tree.mode)
}

// closeOverlay closes the overlay in front, going back to the one it was
// opened from, if any.
func (m *Model) closeOverlay() {
	switch m.overlay {
	case overlayViewer:
		m.viewer.Close()
	case overlayDiff:
		m.diff.Cancel()
	}
	if m.overlay == overlayViewer || m.overlay == overlayDiff {
		m.overlay, m.under = m.under, overlayNone
		return
	}
	m.overlay = overlayNone
}

func (m *Model) toggleOverlay(o overlay) {
	if m.overlay == o {
		m.overlay = overlayNone
	} else {
		m.overlay = o
	}
}

func (m *Model) setFocus(f focus) {
	m.focus = f
	m.history.focused = f == focusHistory
	for _, t := range m.trees {
		if t != nil {
			t.focused = f == focusTree && t == m.tree
		}
	}
}

// selectStep shows the layer a history step leaves behind.
func (m *Model) selectStep(sel layerSelectedMsg) tea.Cmd {
	m.layer.Update(sel)
	if !m.split {
		return m.tree.SetLayer(sel.Layer)
	}
	return tea.Batch(m.trees[0].SetLayer(sel.Layer), m.trees[1].SetLayer(sel.Layer))
}

// showPackage selects a layer and view and shows a package's files there.
func (m *Model) showPackage(j packageFilesMsg) {
	m.overlay = overlayNone
	if j.Pkg < 0 {
		m.status = safetext.Line(j.Name) + " is not in the final filesystem: no files to show"
		return
	}
	m.tree.showNowIn(m.gotoLayer(j.Layer), j.Mode)
	m.filterErr = ""
	if !m.tree.ShowPackage(j.Pkg, j.Name) {
		m.status = "no files of " + safetext.Line(j.Name) + " in this view"
	}
	m.setFocus(focusTree)
}

// gotoLayer closes the overlay and selects layer in the history, the
// layer details and every tree (the split's other half too), returning
// the layer selected.
func (m *Model) gotoLayer(layer int) int {
	m.overlay = overlayNone
	m.history.SelectLayer(layer)
	sel := m.history.Selected()
	m.layer.Update(sel)
	if m.split {
		for _, t := range m.trees {
			if t != m.tree {
				t.showNow(sel.Layer)
			}
		}
	}
	return sel.Layer
}

// jump selects a layer and reveals a path in its tree.
func (m *Model) jump(j jumpToFileMsg) {
	m.tree.showNow(m.gotoLayer(j.Layer))
	if !m.tree.selectPath(j.Path, true) {
		m.status = "/" + j.Path + " is not in this view"
	}
	m.setFocus(focusTree)
}
