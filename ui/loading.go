package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
)

// progressMsg carries one analyze.Progress report.
type progressMsg struct {
	p  analyze.Progress
	ch <-chan tea.Msg
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
		if p, ok := msg.(progressMsg); ok {
			p.ch = ch
			return p
		}
		return msg
	}
}

// loading is the screen shown while the image is analysed.
type loading struct {
	st     *Styles
	layers []analyze.Progress
	seen   []bool
}

func newLoading(st *Styles) *loading { return &loading{st: st} }

func (l *loading) add(p analyze.Progress) {
	if p.Layers > len(l.layers) {
		l.layers = append(l.layers, make([]analyze.Progress, p.Layers-len(l.layers))...)
		l.seen = append(l.seen, make([]bool, p.Layers-len(l.seen))...)
	}
	if p.Layer < 0 || p.Layer >= len(l.layers) {
		return
	}
	old := l.layers[p.Layer]
	if p.Bytes < 0 { // the final report does not repeat the byte count
		p.Bytes = old.Bytes
	}
	if old.Done {
		p.Done = true
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
	lines := []string{l.st.Title.Render(truncate(title, w)), ""}
	if len(l.layers) == 0 {
		lines = append(lines, l.st.Dim.Render("reading manifest and config…"))
	} else {
		lines = append(lines, fmt.Sprintf("%d of %d layers read  %s", done, len(l.layers), l.st.Bar.Render(bar(float64(done)/float64(len(l.layers)), 20))))
	}
	for i, p := range l.layers {
		if len(lines) >= h-1 {
			lines = append(lines, l.st.Dim.Render(fmt.Sprintf("… %d more layers", len(l.layers)-i)))
			break
		}
		state := "waiting"
		switch {
		case p.Done:
			state = "done"
		case l.seen[i]:
			state = "reading"
		}
		line := fmt.Sprintf("layer %3d  %-7s %9s  %8d entries", i, state, humanBytes(p.Bytes), p.Entries)
		if p.Total > 0 {
			line += "  (" + humanBytes(p.Total) + " stored)"
		}
		lines = append(lines, truncate(line, w))
	}
	return strings.Join(lines, "\n")
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
	case loadedMsg:
		if msg.err != nil {
			m.state, m.err = stateFailed, msg.err
			return nil
		}
		m.loading = nil
		m.ready(msg.res)
	}
	return nil
}
