// Package cli is strata's command tree (cobra): one thin constructor per
// command, the flags and configuration layering shared by all of them,
// and the session that opens an image, analyses it and serves file reads
// to the explorer. It turns results into output through package report
// and the explorer through package ui; package main only runs it.
package cli
