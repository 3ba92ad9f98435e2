package analyze

import "runtime"

// Options tunes Analyze. The zero value is ready to use.
type Options struct {
	// Reference is recorded in Summary.Reference as given.
	Reference string
	// Concurrency bounds how many layers are read at once; 0 means GOMAXPROCS.
	Concurrency int
	// NoVerify skips checking each uncompressed layer against the config's
	// rootfs.diff_ids.
	NoVerify bool
	// Cache, when set, is consulted before a layer is read and filled after.
	// A record answers for a layer only if this cache saw the layer's blob,
	// by its digest, read and verified to hold that diff_id (a binding
	// record); a layer that merely claims a cached diff_id is read.
	Cache LayerCache
	// VerifyCached also hashes the stored blob of every layer answered from
	// the cache and refuses one whose bytes are not its digest. It costs a
	// read of the compressed blobs (no decompression, no tar walk) and
	// closes the gap a binding leaves: a local layout or archive whose
	// manifest names a cached blob's digest for other bytes. Gating (--ci)
	// turns it on.
	VerifyCached bool
	// HashFiles fills Layer.FileHashes with a hash of every regular file's
	// content, computed while the layer streams. It is off by default: it
	// costs hashing time, and it bypasses Cache, whose records hold no hashes.
	HashFiles bool
	// Full streams every layer whole, even one whose table of contents
	// (eStargz, zstd:chunked) could be read by range instead (see
	// toc.go): only the whole stream is checked against the diff_id.
	// HashFiles implies it, file hashes needing every byte.
	Full bool
	// TOCContent makes a read from a table of contents also fetch, by
	// range, the start of every file the secret scan would read of the
	// stream, so that it finds what a stream read finds. Without it only
	// files named like credentials (and the package databases) are
	// fetched, and a note says the rest were not scanned: the scan reads
	// the first 16 KiB of hundreds of files a layer, and a block-compressed
	// file's first block is most of a small file, which would cost a good
	// part of what the TOC saves.
	TOCContent bool
	// ReadsFiles says the caller will read file contents once the analysis
	// is done (the explorer's viewer and extraction). Without a Cache, each
	// layer's seek index (see seekIndex: about 0.8% of its uncompressed
	// size) is then kept in memory for OpenEntry; otherwise it is dropped
	// as the layer ends, a report having no use for it. With a Cache the
	// index is stored either way, for the explorer's later runs.
	ReadsFiles bool
	// Progress, when set, is called as layers are read. It is called from
	// several goroutines at once and must not block for long.
	Progress func(Progress)
}

// Progress reports how far the reading of one layer has got. The first
// report of an analysis carries the Plan instead, before any layer is read.
type Progress struct {
	// Plan, on the first report only, describes the image from its manifest
	// and config: the history and the layers with their commands, digests
	// and stored sizes, but no contents yet.
	Plan   *Plan
	Layer  int // index of the layer
	Layers int // number of layers in the image
	// Bytes counts the uncompressed bytes read so far, Entries the tar entries.
	Bytes   int64
	Entries int
	// Total is the layer's stored (compressed) size, when known.
	Total int64
	Done  bool // the layer has been read completely
	// Cached says the layer's results came from the cache, unread.
	Cached bool
	// SizeBytes and Files are the layer's regular-file bytes and
	// non-directory entries, set when Done.
	SizeBytes int64
	Files     int
	// TOC, when Done, names the table of contents the layer was read
	// from ("eStargz", "zstd:chunked") instead of its stream, and Fetched
	// the compressed bytes that took. Fallback says why a layer that
	// offers a TOC was streamed whole instead.
	TOC      string
	Fetched  int64
	Fallback string
}

// Plan is what the manifest and config say before any layer is read. The
// receiver may keep it: Image and Layers are copies, and History is the
// result's own, which nothing modifies once the config is read (a long
// history is not worth holding twice). The receiver must not modify it.
type Plan struct {
	Image   Summary // reference, digests and platform; no totals yet
	Layers  []Layer // no sizes or entries yet
	History []HistoryEntry
}

// concurrency is how many layers are read (or hashed) at once.
func (o Options) concurrency() int {
	if o.Concurrency > 0 {
		return o.Concurrency
	}
	return runtime.GOMAXPROCS(0)
}
