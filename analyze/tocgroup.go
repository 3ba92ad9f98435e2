package analyze

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Reads of a TOC layer's files are grouped: the package databases (dpkg
// keeps a .list per package, a thousand in a large image) and the files
// named like credentials sit next to each other in the blob, and one
// request for a run of them costs what the gaps between them hold, where a
// request each costs a round trip each. The gap is kept small: on the
// bench medium image a 64 KiB one cut requests by a third but fetched five
// times the bytes (dpkg's other info files lie between the lists).
const (
	maxGroupGap   = 16 << 10 // a gap up to this is fetched rather than skipped
	maxGroupBytes = 8 << 20  // one group's buffer
)

// span is a part of the blob, [start, end).
type span struct{ start, end int64 }

// planGroups returns, in blob order, the runs of the blob that hold the
// files scanTOC will read whole or from the start (see wanted), merged
// across small gaps.
func planGroups(toc *layerTOC) []span {
	var groups []span
	fc := &tocFiles{toc: toc}
	for i := range toc.entries {
		e := &toc.entries[i]
		if e.Type != "reg" || e.Size <= 0 || !wanted(e) {
			continue
		}
		for j := i; j < len(toc.entries) && (j == i || toc.entries[j].Type == "chunk"); j++ {
			c := &toc.entries[j]
			if c.ChunkType == "zeros" || c.Offset <= 0 {
				continue
			}
			sp := span{c.Offset, fc.chunkEnd(j)}
			if sp.end <= sp.start || sp.end-sp.start > maxGroupBytes {
				continue
			}
			if n := len(groups); n > 0 && sp.start >= groups[n-1].start && sp.start-groups[n-1].end <= maxGroupGap && sp.end-groups[n-1].start <= maxGroupBytes {
				groups[n-1].end = max(groups[n-1].end, sp.end)
				continue
			}
			groups = append(groups, sp)
		}
	}
	return groups
}

// wanted says whether scanTOC, its secret scan limited to named files,
// reads the entry's content: a package database, or a small file named
// like a credential.
func wanted(e *tocEntry) bool {
	p, err := normalize(e.Name)
	if err != nil || p == "" {
		return false
	}
	if isPackageDB(p) {
		return true
	}
	name := strings.TrimPrefix(e.Name, "./")
	kind, _ := secretName(name)
	return kind != "" && e.Size <= maxSecretFile && readsNamed(name, kind)
}

// groupCache holds the one group last fetched.
type groupCache struct {
	groups []span
	next   int // the first group not yet passed
	buf    []byte
	at     span
}

// cover returns the bytes of [start, end) from a group, fetching the
// group that holds it when it is not the one held, or nil when no group
// holds it.
func (fc *tocFiles) cover(start, end int64) ([]byte, error) {
	g := &fc.groups
	if g.buf != nil && start >= g.at.start && end <= g.at.end {
		return g.buf[start-g.at.start : end-g.at.start], nil
	}
	for g.next < len(g.groups) && g.groups[g.next].end < end {
		g.next++
	}
	if g.next == len(g.groups) {
		return nil, nil
	}
	sp := g.groups[g.next]
	if start < sp.start || end > sp.end {
		return nil, nil
	}
	rc, err := fc.ro.OpenRange(fc.ctx, sp.start, sp.end-sp.start)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, sp.end-sp.start)
	n, err := io.ReadFull(&ctxReader{ctx: fc.ctx, r: rc}, buf)
	fc.fetched += int64(n)
	if err != nil {
		return nil, fmt.Errorf("reading bytes %d-%d: %w", sp.start, sp.end, err)
	}
	g.buf, g.at = buf, sp
	return g.buf[start-sp.start : end-sp.start], nil
}

// bufferSpan serves a span from a group's buffer.
func bufferSpan(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
