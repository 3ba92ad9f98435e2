package analyze

import (
	"bytes"
	"path"
	"strconv"
	"strings"
)

// pkgRecord is one package as a database describes it.
type pkgRecord struct {
	name, version, arch string
	// installedSize is what the database claims, in bytes (dpkg's
	// Installed-Size is in KiB, apk's I: in bytes); attribution does not
	// use it, the entries are exact.
	installedSize int64
	// files are the paths the package owns, normalised, as listed (apk
	// lists them with its record; dpkg in separate files).
	files []string
}

// stanza holds the fields of one status paragraph that attribution
// reads.
type stanza struct {
	pkg, version, arch, status, installedSize string
	seen                                      uint8 // which of them were set, so that the first occurrence wins
}

// stanzas splits a Debian-control-like file into paragraphs of
// "Field: value" lines, calling fn with each paragraph's fields; a line
// starting with a space or tab continues the previous field, which the
// fields read here never need, so continuations are dropped.
func stanzas(b []byte, fn func(st *stanza)) {
	var st stanza
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			if st.seen != 0 {
				fn(&st)
			}
			st = stanza{}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *string
		var bit uint8
		switch string(k) {
		case "Package":
			dst, bit = &st.pkg, 1
		case "Version":
			dst, bit = &st.version, 2
		case "Architecture":
			dst, bit = &st.arch, 4
		case "Status":
			dst, bit = &st.status, 8
		case "Installed-Size":
			dst, bit = &st.installedSize, 16
		default:
			st.seen |= 32 // a paragraph, whatever it holds
			continue
		}
		if st.seen&bit == 0 {
			*dst = string(bytes.TrimSpace(v))
			st.seen |= bit
		}
	}
	if st.seen != 0 {
		fn(&st)
	}
}

// parseDpkgStatus reads a dpkg status file, or one of distroless's
// status.d files (the same format, one package each, without Status).
// Only installed packages count: a Status whose last word is not
// "installed" (config-files, half-installed...) is a package gone or
// going, and so is a stanza without a name or version.
func parseDpkgStatus(b []byte) []pkgRecord {
	var recs []pkgRecord
	stanzas(b, func(st *stanza) {
		if st.pkg == "" || st.version == "" {
			return
		}
		if st.status != "" {
			if w := strings.Fields(st.status); len(w) == 0 || w[len(w)-1] != "installed" {
				return
			}
		}
		r := pkgRecord{name: st.pkg, version: st.version, arch: st.arch}
		if kb, err := strconv.ParseInt(st.installedSize, 10, 64); err == nil && kb >= 0 && kb < 1<<40 {
			r.installedSize = kb << 10
		}
		recs = append(recs, r)
	})
	return recs
}

// parseDpkgList reads a dpkg info/<package>.list file: one absolute path a
// line, directories included ("/." for the root).
func parseDpkgList(b []byte) []string {
	var files []string
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) > 1 && line[0] == '/' && cleanRel(line[1:]) {
			files = append(files, string(line[1:])) // as dpkg writes them: no need to clean
		} else if p, err := normalize(string(line)); err == nil && p != "" {
			files = append(files, p)
		}
	}
	return files
}

// cleanRel reports whether b is already a normalised path: no empty, "."
// or ".." component, no slash at either end.
func cleanRel(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '/')
		comp := b
		if i >= 0 {
			comp, b = b[:i], b[i+1:]
			if len(b) == 0 {
				return false // a trailing slash
			}
		} else {
			b = nil
		}
		if len(comp) == 0 || (comp[0] == '.' && (len(comp) == 1 || (len(comp) == 2 && comp[1] == '.'))) {
			return false
		}
	}
	return true
}

// parseMd5sums reads a distroless status.d/<package>.md5sums file, "sum  path"
// a line with the path relative to the root, as the owned-file list that
// distroless images carry instead of .list files.
func parseMd5sums(b []byte) []string {
	var files []string
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		_, p, ok := bytes.Cut(bytes.TrimRight(line, "\r"), []byte("  "))
		if !ok {
			continue
		}
		if n, err := normalize(string(p)); err == nil && n != "" {
			files = append(files, n)
		}
	}
	return files
}

// parseApkInstalled reads an apk lib/apk/db/installed file: paragraphs of
// one-letter fields, P: name, V: version, A: architecture, I: installed
// size in bytes, and the owned files as F: directory lines each followed
// by R: lines naming files in it.
func parseApkInstalled(b []byte) []pkgRecord {
	var recs []pkgRecord
	var cur *pkgRecord
	dir := ""
	flush := func() {
		if cur != nil && cur.name != "" && cur.version != "" {
			recs = append(recs, *cur)
		}
		cur, dir = nil, ""
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			flush()
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			continue
		}
		if cur == nil {
			cur = &pkgRecord{}
		}
		v := string(line[2:])
		switch line[0] {
		case 'P':
			cur.name = v
		case 'V':
			cur.version = v
		case 'A':
			cur.arch = v
		case 'I':
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n < 1<<50 {
				cur.installedSize = n
			}
		case 'F':
			if d, err := normalize(v); err == nil {
				dir = d
				if d != "" {
					cur.files = append(cur.files, d)
				}
			}
		case 'R':
			if v == "" || strings.Contains(v, "/") {
				continue // a name within the F: directory, nothing more
			}
			if p, err := normalize(path.Join(dir, v)); err == nil && p != "" {
				cur.files = append(cur.files, p)
			}
		}
	}
	flush()
	return recs
}
