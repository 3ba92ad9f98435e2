package analyze_test

import (
	"context"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func TestFileHashesOffByDefault(t *testing.T) {
	res := run(t, build(t, it.Gzip, []it.Entry{it.File("a", "x")}))
	if res.Layers[0].FileHashes != nil {
		t.Errorf("FileHashes = %v without HashFiles, want nil", res.Layers[0].FileHashes)
	}
}

func TestFileHashes(t *testing.T) {
	img := build(t, it.Gzip,
		[]it.Entry{it.Dir("etc"), it.File("etc/a", "hello"), it.File("etc/b", "world"), it.Symlink("etc/l", "a"), it.File("etc/empty", "")},
		// Same content under another name; same size, other content; a
		// chmod-only rewrite.
		[]it.Entry{it.File("etc/copy", "hello"), it.File("etc/b", "WORLD"), {Name: "etc/a", Body: []byte("hello"), Mode: 0o600}},
		[]it.Entry{it.Whiteout("etc/copy")},
	)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	hashOf := map[string]uint64{}
	for li, l := range res.Layers {
		if l.FileHashes == nil || len(l.FileHashes) != len(l.Entries) {
			t.Fatalf("layer %d: %d hashes for %d entries", li, len(l.FileHashes), len(l.Entries))
		}
		for i, e := range l.Entries {
			h := l.FileHashes[i]
			p := res.Tree.Path(e.Node)
			if e.Kind != analyze.KindFile || e.Change == analyze.ChangeRemoved {
				if h != 0 {
					t.Errorf("layer %d %s (%s, %s): hash %x, want 0", li, p, e.Kind, e.Change, h)
				}
				continue
			}
			hashOf[p+"@"+string(rune('0'+li))] = h
		}
	}
	want := map[string]string{"etc/a@0": "hello", "etc/b@0": "world", "etc/empty@0": "", "etc/copy@1": "hello", "etc/b@1": "WORLD", "etc/a@1": "hello"}
	for k, body := range want {
		if got, w := hashOf[k], xxhash.Sum64String(body); got != w {
			t.Errorf("%s: hash %x, want xxhash64 %x", k, got, w)
		}
	}
	if len(hashOf) != len(want) {
		t.Errorf("hashed %v, want exactly %v", hashOf, want)
	}
}

// Cache records carry no hashes: a hashing run must neither trust nor
// fill the cache, and a later plain run still gets its records.
func TestFileHashesBypassCache(t *testing.T) {
	img := build(t, it.Gzip, []it.Entry{it.File("a", "hello")}, []it.Entry{it.File("b", "world")})
	c := &memCache{}
	if _, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	stores := c.stores
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c, HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != 0 || c.stores != stores {
		t.Errorf("with HashFiles the cache saw %d hits and %d new stores, want none", c.hits, c.stores-stores)
	}
	if got, w := res.Layers[1].FileHashes[0], xxhash.Sum64String("world"); got != w {
		t.Errorf("hash %x, want %x", got, w)
	}
}
