package analyze

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An image record read from a file streams through recordReader; one read
// from anything else is buffered whole first. Both must accept the record
// as written and reject it cut short, grown, or with one bit flipped.
func TestImageRecordFromFile(t *testing.T) {
	res, key, rec := fuzzImageRecord(t)
	flip := func(i int) []byte { b := bytes.Clone(rec); b[i] ^= 0x10; return b }
	cases := map[string][]byte{
		"intact":          rec,
		"no checksum":     rec[:len(rec)-4],
		"cut in the body": rec[:len(rec)/2],
		"one byte short":  rec[:len(rec)-1],
		"one byte more":   append(bytes.Clone(rec), 0),
		"flipped early":   flip(len(imageMagic) + 3),
		"flipped middle":  flip(len(rec) / 2),
		"flipped late":    flip(len(rec) - 6),
		"flipped sum":     flip(len(rec) - 1),
		"empty":           nil,
	}
	dir := t.TempDir()
	for name, b := range cases {
		p := filepath.Join(dir, "rec")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fromFile := &Result{Layers: make([]Layer, len(res.Layers))}
		_, errFile := decodeImage(f, fromFile, key)
		f.Close()
		fromBytes := &Result{Layers: make([]Layer, len(res.Layers))}
		_, errBytes := decodeImage(bytes.NewBuffer(b), fromBytes, key)
		if wantOK := name == "intact"; (errFile == nil) != wantOK || (errBytes == nil) != wantOK {
			t.Errorf("%s: from a file %v, from memory %v; want success %v", name, errFile, errBytes, wantOK)
			continue
		}
		if errFile != nil {
			if fromFile.Tree != nil {
				t.Errorf("%s: a rejected record published a tree", name)
			}
			continue
		}
		if got, want := dumpResult(fromFile), dumpResult(res); got != want {
			t.Errorf("%s: decoded from a file:\n%s\nwant:\n%s", name, got, want)
		}
		if got, want := dumpResult(fromBytes), dumpResult(res); got != want {
			t.Errorf("%s: decoded from memory:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// dumpResult renders the tree and every layer's entries, the parts of a
// Result an image record holds.
func dumpResult(res *Result) string {
	var b strings.Builder
	t := res.Tree
	for id := range t.Len() {
		ref, ok := t.Final(NodeID(id))
		fmt.Fprintf(&b, "node %q final=%v %v\n", t.Path(NodeID(id)), ok, ref)
	}
	for i, l := range res.Layers {
		fmt.Fprintf(&b, "layer %d size=%d files=%d +%d ~%d -%d\n", i, l.SizeBytes, l.FileCount, l.Added, l.Modified, l.Removed)
		for _, e := range l.Entries {
			fmt.Fprintf(&b, "  %q %v %v %v %d:%d %d %q %d\n", t.Path(e.Node), e.Kind, e.Change, e.Mode, e.UID, e.GID, e.Size, t.LinkTarget(e), e.HiddenAt)
		}
	}
	return b.String()
}
