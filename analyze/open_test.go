package analyze_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func TestOpenEntry(t *testing.T) {
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		img := build(t, c, []it.Entry{
			it.Dir("etc/"), it.File("etc/a", "first"), it.Whiteout("gone"), it.Symlink("l", "etc/a"),
			it.File("etc/a", "second copy"), it.SizedFile("big", 1<<20),
		})
		res := run(t, img)
		layers, _ := img.Layers()
		for i, e := range res.Layers[0].Entries {
			rc, err := analyze.OpenEntry(context.Background(), layers[0], res.Layers[0], i)
			if e.Kind != analyze.KindFile {
				if !errors.Is(err, analyze.ErrNotRegular) {
					t.Errorf("%v: entry %d (%s): err = %v, want ErrNotRegular", c, i, e.Kind, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%v: entry %d: %v", c, i, err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || int64(len(b)) != e.Size {
				t.Errorf("%v: entry %d (%s): read %d bytes (%v), want %d", c, i, res.Tree.Path(e.Node), len(b), err, e.Size)
			}
			if res.Tree.Path(e.Node) == "etc/a" && e.HiddenAt == analyze.NotHidden && string(b) != "second copy" {
				t.Errorf("%v: the visible etc/a reads %q", c, b)
			}
		}
		if _, err := analyze.OpenEntry(context.Background(), layers[0], res.Layers[0], 99); err == nil {
			t.Errorf("%v: entry 99 opened", c)
		}
	}
}

// TestReadEntries: several entries come out of one read of the layer,
// each with its own content, including the shadowed copy of a path; a
// directory among them is refused.
func TestReadEntries(t *testing.T) {
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		img := build(t, c, []it.Entry{
			it.Dir("etc/"), it.File("etc/a", "first"), it.File("etc/b", "bee"), it.Symlink("l", "etc/a"),
			it.File("etc/a", "second copy"),
		})
		res := run(t, img)
		layers, _ := img.Layers()
		got := map[int]string{}
		err := analyze.ReadEntries(context.Background(), layers[0], res.Layers[0], []int{1, 2, 4}, func(i int, r io.Reader) error {
			b, err := io.ReadAll(r)
			got[i] = string(b)
			return err
		})
		if err != nil || got[1] != "first" || got[2] != "bee" || got[4] != "second copy" || len(got) != 3 {
			t.Errorf("%v: read %v (%v)", c, got, err)
		}
		err = analyze.ReadEntries(context.Background(), layers[0], res.Layers[0], []int{0, 1}, func(int, io.Reader) error { return nil })
		if !errors.Is(err, analyze.ErrNotRegular) {
			t.Errorf("%v: a directory among the entries: %v, want ErrNotRegular", c, err)
		}
	}
}
