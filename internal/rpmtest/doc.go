// Package rpmtest builds tiny rpm packages with rpmbuild and installs them
// with rpm into a root directory, for tests of rpm attribution on the
// databases rpm itself writes. Nothing is committed: spec files are
// written by the test, and the packages hold files of sizes it chooses.
package rpmtest
