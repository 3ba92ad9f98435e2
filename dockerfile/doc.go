// Package dockerfile reads a Dockerfile into its instructions and line
// ranges, and matches an image's history steps to them, so that a step
// can be shown as "Dockerfile:14". It knows the syntax as far as line
// ranges need (continuations, comments, the escape directive, heredocs,
// stages) and nothing of building: it never expands a variable or runs
// anything.
package dockerfile
