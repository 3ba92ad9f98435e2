package analyze_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
)

// TestOpenEntryFromCheckpointEstargz: an eStargz blob, a gzip member per
// 64 KiB chunk with its table of contents and landmark left out of the
// entries, reads every file through spans, landmark and all skipped.
func TestOpenEntryFromCheckpointEstargz(t *testing.T) {
	tarBytes, files := seekFixture([]int{100, 5 << 20, 2000, 3<<20 + 5, 700})
	for _, prio := range [][]string{nil, {files[2].name}} {
		el := estargzLayer(t, tarBytes, prio...)
		blob := readAllOf(t, el)
		l := &rangeLayer{Layer: el, blob: blob}
		res, err := analyze.Analyze(context.Background(), imageOf(t, []v1.Layer{l}), analyze.Options{ReadsFiles: true})
		if err != nil {
			t.Fatal(err)
		}
		rec := res.Layers[0]
		if rec.EstargzMetadataEntries != 2 {
			t.Fatalf("prioritized %v: %d metadata entries, want 2", prio, rec.EstargzMetadataEntries)
		}
		if _, _, ok := analyze.SeekStats(rec); !ok {
			t.Fatal("no index")
		}
		byName := map[string][]byte{}
		for _, f := range files {
			byName[f.name] = f.body
		}
		for i, e := range rec.Entries {
			want, ok := byName[res.Tree.Path(e.Node)]
			if !ok {
				continue
			}
			l.whole.Store(0)
			if got := readEntry(t, l, rec, i); !bytes.Equal(got, want) {
				t.Errorf("prioritized %v: entry %d (%s): %d bytes, not the file's %d", prio, i, res.Tree.Path(e.Node), len(got), len(want))
			}
			if l.whole.Load() != 0 {
				t.Errorf("prioritized %v: entry %d fell back to the stream", prio, i)
			}
			delete(byName, res.Tree.Path(e.Node))
		}
		if len(byName) != 0 {
			t.Errorf("prioritized %v: files not found: %v", prio, len(byName))
		}
	}
}

func readAllOf(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
