package ui

import tea "charm.land/bubbletea/v2"

// ExtractFunc saves path as stored in layer to the destination to (the
// current directory when empty) and returns where it went.
type ExtractFunc func(layer int, path, to string) (string, error)

// extractMsg asks the root to save a file of a layer, to To (a file or a
// directory; "" for the current directory).
type extractMsg struct {
	Layer int
	Path  string
	To    string
}

// extractCmd saves a file off the UI goroutine and reports the outcome on
// the status line.
func extractCmd(extract ExtractFunc, layer int, path, to string) tea.Cmd {
	return func() tea.Msg {
		dest, err := extract(layer, path, to)
		if err != nil {
			return statusMsg{Text: "extracting /" + path + ": " + err.Error()}
		}
		return statusMsg{Text: "extracted /" + path + " to " + dest}
	}
}
