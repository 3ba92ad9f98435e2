// Package ui is strata's interactive terminal interface: a Bubble Tea
// program that shows an analyze.Result pane by pane (history, layer and
// image details, the file tree of the selected layer, wasted files).
//
// The root model in model.go owns layout, focus and message routing; each
// pane is a small model in its own file with its own state, Update, View and
// SetSize. Panes talk to each other only through the typed messages they
// declare. The package reads analyze results and never opens images itself:
// everything that needs the image (loading, reading files) comes in through
// functions in Options.
package ui
