package analyze

import (
	"errors"
	"path"
	"strings"
)

// Whiteout markers from the OCI image spec. The opaque marker shares the
// whiteout prefix, so it must be recognised first.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	// Names starting with this are AUFS bookkeeping (hardlink directories and
	// the like), not whiteouts of a file called ".wh.something".
	metaPrefix = ".wh..wh."
)

// errEscapes marks an entry name that climbs above the layer's root.
var errEscapes = errors.New("escapes the root")

// normalize turns a tar entry name into the form every layer shares:
// no leading "./" or "/", cleaned, "" for the root itself. Tools disagree on
// prefixes ("./etc" from some, "/etc" from others), so both are accepted.
func normalize(name string) (string, error) {
	for {
		switch {
		case strings.HasPrefix(name, "/"):
			name = name[1:]
		case strings.HasPrefix(name, "./"):
			name = name[2:]
		default:
			goto trimmed
		}
	}
trimmed:
	if name == "" || name == "." {
		return "", nil
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", errEscapes
	}
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// whiteoutKind says what a normalised name means under the whiteout rules.
type whiteoutKind uint8

const (
	notWhiteout    whiteoutKind = iota
	whiteoutPath                // hides target and everything under it
	whiteoutOpaque              // hides every lower entry under target
	whiteoutMeta                // AUFS metadata: ignored
)

// classify reports whether a normalised name is a whiteout and, if so, the
// path it applies to.
func classify(name string) (whiteoutKind, string) {
	dir, base := path.Split(name)
	if !strings.HasPrefix(base, whiteoutPrefix) {
		return notWhiteout, ""
	}
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == opaqueMarker:
		return whiteoutOpaque, dir
	case strings.HasPrefix(base, metaPrefix), base == whiteoutPrefix:
		return whiteoutMeta, ""
	}
	target := base[len(whiteoutPrefix):]
	if dir == "" {
		return whiteoutPath, target
	}
	return whiteoutPath, dir + "/" + target
}
