// Package rules holds strata's CI rules, compatible with dive's: their
// specs and defaults, the rules file (.strata-ci.yaml or dive's .dive-ci),
// the globs of the path rules, the files strata init writes, and the
// evaluation of a set of rules on an analysis. It reads no file but the
// rules file it is given and prints nothing: package report renders the
// outcomes.
package rules
