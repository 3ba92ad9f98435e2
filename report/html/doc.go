// Package html writes an analysis as one self-contained HTML page:
// the image summary, the history as a bar chart of layer sizes, a zoomable
// treemap of the final filesystem (and of the bytes later layers hid), and
// the top wasted files.
//
// The page needs no network: its style, its script and its data are inline.
// Everything the page shows comes from one JSON document, built by Data,
// so that what a report says can be tested without a browser. The script
// lays the treemap out itself (squarified) and draws it as SVG.
//
// The package reads analyze results and nothing else; it imports no image
// source and no terminal UI.
package html
