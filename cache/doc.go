// Package cache keeps records on disk under a directory, keyed by content
// digests, bounded in total size with least-recently-used eviction.
//
// Records appear atomically (a temporary file renamed into place), so a
// crash or a concurrent run never leaves half a record under a key; readers
// still check what they read, because disks and users are not to be trusted.
// A run killed mid-write leaves its temporary file behind; Prune (and so
// every Store, which prunes to the bound) removes those once they are
// older than StaleTempAge. Only regular files are records: Open neither
// follows a symlink nor reads a FIFO or device.
// strata stores each layer's analysis here, keyed by the layer's diffID.
package cache
