// Package advice explains an image's waste and suggests how to avoid it.
// It reads an analyze.Result and recognises what the files and the history
// give away: which step stored bytes that a later step hid, package-manager
// caches left behind, archives copied in and then extracted, files rewritten
// only to change their mode or owner, and a build context copied in before
// the dependencies were installed.
package advice
