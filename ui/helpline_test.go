package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestHelpKeyPinned: at every width, in every pane and overlay, the help
// line ends with the help key and fits the terminal.
func TestHelpKeyPinned(t *testing.T) {
	for _, w := range []int{40, 60, 80, 120, 200} {
		m := newTestModel(t, fixture(t), w, 24)
		for _, keys := range [][]string{nil, {"tab"}, {"tab"}, {"w"}, {"w"}} {
			press(t, m, keys...)
			line := ansi.Strip(m.helpLine())
			if !strings.HasSuffix(line, "? help") || ansi.StringWidth(line) > w {
				t.Errorf("width %d after %v: help line %q (%d cells)", w, keys, line, ansi.StringWidth(line))
			}
		}
		c := newTestCompare(t, w, 24)
		if line := ansi.Strip(c.helpLine()); !strings.HasSuffix(line, "? help") || ansi.StringWidth(line) > w {
			t.Errorf("compare at width %d: help line %q", w, line)
		}
	}
}

// TestBadRegexpWhileTyping: a regular expression that does not compile
// is reported on the bar as it is typed.
func TestBadRegexpWhileTyping(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "/")
	typeText(t, m, "re:[")
	if !m.filter.active {
		t.Fatal("the filter bar closed")
	}
	if line := ansi.Strip(m.statusLine()); !strings.Contains(line, "bad regexp") || !strings.Contains(line, "re:[") {
		t.Errorf("while typing re:[ the bar reads %q", line)
	}
	typeText(t, m, "a]")
	if line := ansi.Strip(m.statusLine()); strings.Contains(line, "bad regexp") {
		t.Errorf("after re:[a] the bar still reads %q", line)
	}
}

// TestPanesUseTheSpace: a short history takes only the rows it needs, and
// on a wide terminal the details show whole digests.
func TestPanesUseTheSpace(t *testing.T) {
	res := fixture(t)
	m := newTestModel(t, res, 200, 60)
	if want := len(m.history.steps) + 2; m.histH != want {
		t.Errorf("history pane %d rows for %d steps, want %d", m.histH, len(m.history.steps), want)
	}
	if f := frame(m); !strings.Contains(f, res.Layers[0].DiffID) {
		t.Errorf("at 200 columns the diffID %s is cut:\n%s", res.Layers[0].DiffID, f)
	}
	small := newTestModel(t, res, 80, 24)
	if small.histH > 22*7/20 {
		t.Errorf("at 80x24 the history takes %d rows, more than 7/20 of the body", small.histH)
	}
}

// TestCopyCommand: y on a history step puts its instruction on the
// clipboard (OSC 52) and says so.
func TestCopyCommand(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "j", "j") // the apt-get step
	_, c := m.Update(keyMsg("y"))
	var got []string
	var collect func(c tea.Cmd)
	collect = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				collect(c)
			}
		case statusMsg:
			got = append(got, "status: "+msg.Text)
		default:
			got = append(got, fmt.Sprint(msg))
		}
	}
	collect(c)
	want := "RUN apt-get update && apt-get install -y curl"
	if !slices.Contains(got, want) || !slices.Contains(got, "status: copied the command of step 2") {
		t.Errorf("y on step 2 gave %q, want the clipboard set to %q and a note", got, want)
	}
}
