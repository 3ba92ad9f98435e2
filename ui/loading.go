package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// progressMsg carries one analyze.Progress report.
type progressMsg struct {
	p  analyze.Progress
	ch <-chan tea.Msg
}

// fetchMsg carries how much of the image a daemon or registry has sent.
type fetchMsg struct {
	done, total int64
	ch          <-chan tea.Msg
}

// loadedMsg carries the end of the analysis.
type loadedMsg struct {
	res *analyze.Result
	err error
}

// waitForLoad blocks for the next message from the loader. The root
// re-arms it after every progress message.
func waitForLoad(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return loadedMsg{err: fmt.Errorf("loading stopped without a result")}
		}
		switch m := msg.(type) {
		case progressMsg:
			m.ch = ch
			return m
		case fetchMsg:
			m.ch = ch
			return m
		}
		return msg
	}
}

// loading is the screen shown while the image is analysed. As soon as the
// analysis has read the config it shows the history, and fills in each
// layer's state, size and file count as the layer is read.
type loading struct {
	st     *Styles
	fetch  fetchMsg // bytes a daemon save or registry fetch has delivered
	plan   *analyze.Plan
	layers []analyze.Progress
	seen   []bool
}

func newLoading(st *Styles) *loading { return &loading{st: st} }

func (l *loading) add(p analyze.Progress) {
	if p.Plan != nil {
		l.plan = p.Plan
	}
	if p.Layers > len(l.layers) {
		l.layers = append(l.layers, make([]analyze.Progress, p.Layers-len(l.layers))...)
		l.seen = append(l.seen, make([]bool, p.Layers-len(l.seen))...)
	}
	if p.Plan != nil || p.Layer < 0 || p.Layer >= len(l.layers) {
		return
	}
	old := l.layers[p.Layer]
	if old.Done && !p.Done {
		return // a late report of a layer read: the final one has it all
	}
	if p.Bytes < 0 { // the final report does not repeat the byte count
		p.Bytes = old.Bytes
	}
	l.layers[p.Layer], l.seen[p.Layer] = p, true
}

func (l *loading) view(ref string, w, h int) string {
	title := "analysing image"
	if ref != "" {
		title += " " + ref
	}
	done := 0
	for _, p := range l.layers {
		if p.Done {
			done++
		}
	}
	// The way out, since a large image can take a while.
	const hint = "  q cancels"
	head := l.st.Title.Render(truncate(title, w))
	if len([]rune(title))+len(hint) <= w {
		head += l.st.Dim.Render(hint)
	}
	lines := []string{head, ""}
	if f := l.fetch; f.done > 0 {
		line := "fetched " + humanBytes(f.done)
		if f.total > 0 {
			line += " of " + humanBytes(f.total) + "  " + l.st.Bar.Render(bar(float64(f.done)/float64(f.total), 20))
		}
		lines = append(lines, line)
	}
	if len(l.layers) == 0 {
		lines = append(lines, l.st.Dim.Render("reading manifest and config…"))
	} else {
		lines = append(lines, fmt.Sprintf("%d of %d layers read  %s", done, len(l.layers), l.st.Bar.Render(bar(float64(done)/float64(len(l.layers)), 20))))
	}
	if l.plan != nil && len(l.plan.History) > 0 {
		return strings.Join(append(lines, l.historyRows(w, h-len(lines))...), "\n")
	}
	for i := range l.layers {
		if len(lines) >= h-1 {
			lines = append(lines, l.st.Dim.Render(fmt.Sprintf("… %d more layers", len(l.layers)-i)))
			break
		}
		line := fmt.Sprintf("layer %3d  %-7s %9s  %13s", i, l.state(i), humanBytes(l.layers[i].Bytes), l.count(i))
		if t := l.layers[i].Total; t > 0 {
			line += "  (" + humanBytes(t) + " stored)"
		}
		lines = append(lines, truncate(strings.TrimRight(line, " "), w))
	}
	return strings.Join(lines, "\n")
}

// state names where the reading of layer i stands.
func (l *loading) state(i int) string {
	switch {
	case l.layers[i].Done && l.layers[i].Cached:
		return "cached"
	case l.layers[i].Done:
		return "done"
	case l.seen[i]:
		return "reading"
	}
	return "waiting"
}

// count is how many files layer i holds once read, and while it is being
// read how many tar entries (directories and whiteouts too) have streamed
// by; nothing while it waits.
func (l *loading) count(i int) string {
	switch p := l.layers[i]; {
	case p.Done:
		if p.Files == 1 {
			return "1 file"
		}
		return itoa(p.Files) + " files"
	case l.seen[i]:
		return itoa(p.Entries) + " entries"
	}
	return ""
}

// historyRows lists the build steps with each layer's progress: the
// history is known from the config long before the layers are read.
func (l *loading) historyRows(w, h int) []string {
	var rows []string
	steps := l.plan.Steps()
	for i, st := range steps {
		if len(rows) >= h-1 {
			rows = append(rows, l.st.Dim.Render(fmt.Sprintf("… %d more steps", len(steps)-i)))
			break
		}
		cmd := safetext.Line(st.Instruction)
		li := st.Layer
		if li < 0 || li >= len(l.layers) {
			rows = append(rows, l.st.Dim.Render(truncate(fmt.Sprintf("  -  %-8s %9s  %13s  %s", "empty", "0 B", "", cmd), w)))
			continue
		}
		p := l.layers[li]
		size := "" // waiting: nothing read yet
		switch {
		case p.Done:
			size = humanBytes(p.SizeBytes)
		case l.seen[li]:
			size = humanBytes(p.Bytes) + "…" // read so far, uncompressed
		}
		rows = append(rows, truncate(fmt.Sprintf("%3d  %-8s %9s  %13s  %s", li, l.state(li), size, l.count(li), cmd), w))
	}
	return rows
}

// updateLoading handles the loader's messages.
func (m *Model) updateLoading(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case progressMsg:
		if m.loading != nil {
			m.loading.add(msg.p)
		}
		if msg.ch != nil {
			return waitForLoad(msg.ch)
		}
	case fetchMsg:
		if m.loading != nil {
			m.loading.fetch = msg
		}
		if msg.ch != nil {
			return waitForLoad(msg.ch)
		}
	case loadedMsg:
		if m.loaded != nil {
			defer m.loaded()
		}
		if msg.err != nil {
			m.state, m.err = stateFailed, msg.err
			return nil
		}
		m.loading = nil
		m.ready(msg.res)
	}
	return nil
}
