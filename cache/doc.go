// Package cache keeps records on disk under a directory, keyed by content
// digests, bounded in total size with least-recently-used eviction.
//
// Records appear atomically (a temporary file renamed into place), so a
// crash or a concurrent run never leaves half a record under a key; readers
// still check what they read, because disks and users are not to be trusted.
// strata stores each layer's analysis here, keyed by the layer's diffID.
package cache
