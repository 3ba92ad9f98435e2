// Package depcheck holds no code: its test keeps strata's package graph
// pointing one way. Every package of the module must have a rule in the
// allowlist; a new package without one, or a new import a rule does not
// allow, fails the test.
package depcheck
