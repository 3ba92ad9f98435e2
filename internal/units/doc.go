// Package units is the one vocabulary of sizes strata prints and parses,
// so that the report, the CI rules, advice, the explorer and the HTML
// page agree on what a number looks like.
package units
