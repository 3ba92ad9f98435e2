// Package compare sets two analysed images side by side: which layers they
// share, where the second build's layer cache broke and why, what that
// costs to push and pull, and how their final filesystems differ. It also
// works out what several images share on disk and over the wire (DiskUsage).
//
// It only reads analyze results; loading images and printing are the
// caller's business.
package compare
