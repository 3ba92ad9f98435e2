package analyze

import (
	"io/fs"
	"time"
)

// Result is everything Analyze learned about one image. It holds no view
// state: cursors, folding and colours belong to whoever displays it.
type Result struct {
	Image       Summary
	Layers      []Layer
	History     []HistoryEntry
	WastedFiles []WastedFile
	// Secrets lists the files, visible or hidden, that look like
	// credentials, in layer order (see Secret).
	Secrets []Secret
	// Tree interns every path seen in any layer; Layer.Entries refer to it.
	Tree *Tree
	// Notes are one-line remarks on input accepted despite a quirk, such as
	// a layer stream missing its trailing tar record padding.
	Notes []string
	// BuildFile, when set, places the history steps in a Dockerfile.
	BuildFile *BuildFile
	// Packages lists every package installed in the final filesystem,
	// largest first, as the dpkg, apk and rpm databases the layers wrote say;
	// nil when no layer wrote one.
	Packages []Package
	// pkgOf is, per Tree node, the index in Packages of its owner plus
	// one; nil when no layer wrote a package database (see pkgindex.go).
	pkgOf []int32
}

// Summary holds the image-wide numbers.
type Summary struct {
	Reference    string
	Digest       string // manifest digest as the source stores it; "" when there is none
	ConfigDigest string
	Platform     string // os/arch[/variant] from the config
	// SizeBytes is the sum of every layer's SizeBytes.
	SizeBytes           int64
	CompressedSizeBytes int64
	// FileCount counts the non-directory paths visible in the final filesystem.
	FileCount int
	// WastedBytes is SizeBytes minus the bytes of regular files visible in the
	// final filesystem: exactly what squashing the image would save.
	WastedBytes int64
	// Efficiency is 1 - WastedBytes/SizeBytes, and 1 for an empty image.
	Efficiency float64
	// UserWastedBytes counts the wasted bytes stored in layers after the first.
	UserWastedBytes int64
	// UserWastedPercent is UserWastedBytes over the size of the layers after
	// the first, as a fraction (0 when those layers are empty).
	UserWastedPercent float64
}

// Layer describes one filesystem layer, in image order.
type Layer struct {
	Index  int
	Digest string // digest of the blob as stored by the source
	DiffID string // digest of the uncompressed tar
	// Command is the created_by of the history entry that made this layer.
	Command string
	// SizeBytes sums the sizes of the layer's regular files (hardlinks,
	// directories and symlinks count 0).
	SizeBytes           int64
	CompressedSizeBytes int64
	// FileCount counts the layer's non-directory tar entries (whiteouts excluded).
	FileCount int
	// EstargzMetadataEntries and EstargzMetadataBytes count the format
	// metadata of an eStargz layer (its table of contents and prefetch
	// landmark), which Analyze leaves out of the sizes, counts, entries
	// and tree. Both are 0 for any other layer.
	EstargzMetadataEntries int
	EstargzMetadataBytes   int64
	// Added, Modified and Removed count non-directory paths: written and not
	// visible before this layer; written and visible before (whatever its
	// kind was); visible before but hidden by this layer (by a whiteout, or
	// by a write on or above it) and not written again as a non-directory.
	Added, Modified, Removed int
	// WastedBytes counts this layer's regular-file bytes that are not
	// visible in the final filesystem.
	WastedBytes int64
	// Entries lists what the layer did, in tar order, followed by one
	// ChangeRemoved entry per path this layer hid.
	Entries []Entry
	// FileHashes is set only with Options.HashFiles. It parallels Entries:
	// the 64-bit xxhash of each regular file's content, 0 for every other
	// entry (ChangeRemoved ones included). Equal hashes mean equal content
	// for all practical purposes; the hash is not cryptographic.
	FileHashes []uint64
	// Secrets lists the layer's files that look like credentials.
	Secrets []LayerSecret
	// Packages lists the packages this layer added, removed, upgraded or
	// reinstalled, and those it wrote files of, largest first (see
	// packages.go). PackagedBytes counts the layer's regular-file bytes
	// some package owns, UnpackagedBytes the rest (pip, npm or go
	// installs, COPY): together they are SizeBytes. All three are empty
	// when no layer of the image wrote a package database.
	Packages        []LayerPackage
	PackagedBytes   int64
	UnpackagedBytes int64
	// seek finds where an entry's bytes are in the blob, for OpenEntry.
	seek *seekRef
}

// HistoryEntry is one step of the config's history.
type HistoryEntry struct {
	CreatedBy  string
	Created    time.Time
	Comment    string
	EmptyLayer bool
	// LayerIndex is the layer this step made, or -1 for an empty step.
	LayerIndex int
}

// WastedFile is a path whose bytes are stored in the image but hidden in the
// final filesystem.
type WastedFile struct {
	Path        string
	WastedBytes int64
	// Layers lists, in order, the layers that stored a hidden copy.
	Layers []int
	// HiddenBy lists, in order and once each, the layers that hid those
	// copies, by writing the path again or by a whiteout. A layer that
	// stores the path twice hides its own first copy.
	HiddenBy []int
}

// Kind is what a tar entry is.
type Kind uint8

// The kinds of entry a layer can hold.
const (
	KindFile Kind = iota
	KindDir
	KindSymlink
	KindHardlink
	KindCharDevice
	KindBlockDevice
	KindFIFO
	KindOther
)

var kindNames = [...]string{"file", "dir", "symlink", "hardlink", "char", "block", "fifo", "other"}

// String returns the kind's name as used in JSON.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// Change says what an entry did to the filesystem below it.
type Change uint8

// The changes an entry can make.
const (
	ChangeAdded    Change = iota // the path was not visible before this layer
	ChangeModified               // the path was visible before and is written again
	ChangeRemoved                // the path was visible before and this layer hid it
)

var changeNames = [...]string{"added", "modified", "removed"}

// String returns the change's name as used in JSON.
func (c Change) String() string {
	if int(c) < len(changeNames) {
		return changeNames[c]
	}
	return "unknown"
}

// NotHidden is Entry.HiddenAt for an entry still visible in the final filesystem.
const NotHidden = -1

// Entry is one path a layer wrote or hid. It is kept small because an image
// can hold millions: names and link targets live in the Tree.
type Entry struct {
	// Size is the bytes of a regular file, else 0. A ChangeRemoved entry
	// copies the size of the entry it hid: what the removal took away.
	Size int64
	Node NodeID
	Mode fs.FileMode // permission, setuid/setgid/sticky and type bits
	UID  uint32
	GID  uint32
	link uint32 // index into Tree's link targets; 0 means none
	// HiddenAt is the layer at which a later write or whiteout hid this
	// entry, or NotHidden. For a ChangeRemoved entry it is the layer itself.
	HiddenAt int16
	Kind     Kind
	Change   Change
}

// Wasted reports whether the entry stores bytes that the final filesystem hides.
func (e Entry) Wasted() bool {
	return e.Change != ChangeRemoved && e.Kind == KindFile && e.HiddenAt != NotHidden && e.Size > 0
}

// VisibleAt reports whether this entry is what the filesystem stacked up to
// and including layer shows at its path, given that the entry belongs to a
// layer at or below it.
func (e Entry) VisibleAt(layer int) bool {
	return e.Change != ChangeRemoved && (e.HiddenAt == NotHidden || int(e.HiddenAt) > layer)
}
