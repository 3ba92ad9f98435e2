// Package safetext makes strings from an image or a server safe to print:
// the one escaper the report, the errors and the explorer share, so that
// no file name, history step or registry message can drive a terminal.
package safetext
