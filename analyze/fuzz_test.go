package analyze

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"
	"time"
)

// The fuzz targets live inside the package so that they can check the
// walker and the merge against models without going through an image.

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", ".", "./", "/", "a/b", "./a//b/", "/../x", "a/../..", "a/./b/../c", "..a", "a/..b", ".wh.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := normalize(name)
		if err != nil {
			if !strings.Contains(name, "..") {
				t.Fatalf("normalize(%q) = %v; only names with .. may escape", name, err)
			}
			return
		}
		if got == "" {
			return
		}
		if strings.HasPrefix(got, "/") || got == ".." || strings.HasPrefix(got, "../") || path.Clean(got) != got {
			t.Fatalf("normalize(%q) = %q, not a clean relative path", name, got)
		}
		if again, err := normalize(got); err != nil || again != got {
			t.Fatalf("normalize is not idempotent: %q -> %q -> %q (%v)", name, got, again, err)
		}
		if wk, target := classify(got); wk == whiteoutPath && path.Base(target) != strings.TrimPrefix(path.Base(got), whiteoutPrefix) {
			t.Fatalf("classify(%q) targets %q, not the name it carries", got, target)
		}
	})
}

// rawLayer is a layer whose stored bytes are exactly b.
type rawLayer struct{ b []byte }

func (l rawLayer) Compressed() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(l.b)), nil }

// FuzzScanLayer feeds arbitrary bytes to the walker: it must return a
// result or an error, never panic or hang, and what it returns must hold
// together.
func FuzzScanLayer(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "./etc/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644})
	tw.Write([]byte("root"))
	tw.WriteHeader(&tar.Header{Name: "etc/.wh.shadow", Typeflag: tar.TypeReg})
	tw.WriteHeader(&tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"})
	tw.WriteHeader(&tar.Header{Name: "usr/.wh..wh..opq", Typeflag: tar.TypeReg})
	tw.Close()
	f.Add(buf.Bytes())
	var named bytes.Buffer // a plain layer holding files of eStargz's names
	tw = tar.NewWriter(&named)
	for _, name := range []string{".no.prefetch.landmark", "a", "stargz.index.json"} {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
		tw.Write([]byte{0x0f})
	}
	tw.Close()
	f.Add(named.Bytes())
	f.Add(estargzBlob(f, buf.Bytes()))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := newTree()
		s, err := scanLayer(context.Background(), rawLayer{b}, tr, true, true, true, nil, 1)
		if err != nil {
			return
		}
		var size int64
		for _, e := range s.entries {
			if int(e.Node) >= tr.Len() || e.Node == Root {
				t.Fatalf("entry node %d outside the tree (len %d) or the root", e.Node, tr.Len())
			}
			if e.Kind == KindFile {
				if e.Size < 0 {
					t.Fatalf("negative size %d", e.Size)
				}
				size += e.Size
			}
		}
		if size != s.size {
			t.Fatalf("size %d, entries sum to %d", s.size, size)
		}
		if len(s.hashes) != len(s.entries) || len(s.meta) != 0 {
			t.Fatalf("%d hashes for %d entries, %d entries still set aside", len(s.hashes), len(s.entries), len(s.meta))
		}
		mg := &merger{t: tr, layers: make([]Layer, 1)}
		mg.merge(0, s)
	})
}

// FuzzWhiteoutModel builds layers from fuzz bytes over a tiny alphabet of
// paths and checks the merge against a literal reading of the OCI rules: a
// map from path to the entry that a real extraction would leave there.
func FuzzWhiteoutModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 0xff, 4, 5, 6, 7, 0xff, 8, 9})
	f.Add([]byte{0x10, 0x21, 0x32, 0xff, 0x43, 0x54, 0xff, 0x65, 0x76, 0x87})
	f.Add([]byte{0x00, 0x08, 0x11, 0xff, 0x0b, 0xff, 0x2c, 0x1d, 0x3e})
	f.Fuzz(func(t *testing.T, program []byte) {
		layers := decodeProgram(program)
		if len(layers) > 6 {
			layers = layers[:6]
		}
		tr := newTree()
		res := &Result{Tree: tr, Layers: make([]Layer, len(layers))}
		mg := &merger{t: tr, layers: res.Layers}
		model := map[string]modelEntry{}
		var total int64
		for li, ops := range layers {
			s := &layerScan{}
			for _, op := range ops {
				node, err := tr.insert(op.path)
				if err != nil {
					t.Fatal(err)
				}
				switch op.kind {
				case opWhiteout, opOpaque:
					s.whiteouts = append(s.whiteouts, whiteout{node: node, opaque: op.kind == opOpaque})
				default:
					e := Entry{Node: node, Kind: KindFile, Size: op.size, HiddenAt: NotHidden}
					if op.kind == opDir {
						e.Kind, e.Size = KindDir, 0
					}
					s.entries = append(s.entries, e)
					s.size += e.Size
					total += e.Size
				}
			}
			mg.merge(li, s)
			applyModel(model, li, ops)
		}
		summarize(res)

		var visible int64
		files := 0
		for p, m := range model {
			id, ok := tr.Lookup(p)
			if !ok {
				t.Fatalf("model has %s, the tree does not", p)
			}
			ref, ok := tr.Final(id)
			if !ok {
				t.Fatalf("%s should be visible (layer %d)", p, m.layer)
			}
			e := res.Layers[ref.Layer].Entries[ref.Index]
			if ref.Layer != m.layer || (e.Kind == KindDir) != m.dir || e.Size != m.size {
				t.Fatalf("%s: merge shows layer %d %v size %d, model layer %d dir=%v size %d", p, ref.Layer, e.Kind, e.Size, m.layer, m.dir, m.size)
			}
			if !m.dir {
				visible += m.size
				files++
			}
		}
		if res.Image.FileCount != files || res.Image.WastedBytes != total-visible {
			t.Fatalf("fileCount %d wasted %d, model says %d and %d", res.Image.FileCount, res.Image.WastedBytes, files, total-visible)
		}
		for id := 0; id < tr.Len(); id++ {
			if _, ok := tr.Final(NodeID(id)); ok {
				if _, inModel := model[tr.Path(NodeID(id))]; !inModel {
					t.Fatalf("merge shows %s, the model does not", tr.Path(NodeID(id)))
				}
			}
		}
	})
}

type opKind uint8

const (
	opFile opKind = iota
	opDir
	opWhiteout
	opOpaque
)

type op struct {
	kind opKind
	path string
	size int64
}

// decodeProgram turns bytes into layers of operations: 0xff ends a layer;
// each other byte picks an operation (2 bits) and a path (6 bits) from a
// tree three levels deep over the names a, b and c.
func decodeProgram(b []byte) [][]op {
	layers := [][]op{nil}
	for i, c := range b {
		if c == 0xff {
			layers = append(layers, nil)
			continue
		}
		names := []string{"a", "b", "c"}
		n := int(c & 0x3f)
		p := names[n%3]
		if n/3%4 > 0 {
			p += "/" + names[(n/3)%3]
		}
		if n/12 > 1 {
			p += "/" + names[(n/12)%3]
		}
		last := len(layers) - 1
		layers[last] = append(layers[last], op{kind: opKind(c >> 6), path: p, size: int64(i + 1)})
	}
	return layers
}

type modelEntry struct {
	layer int
	dir   bool
	size  int64
}

// applyModel applies one layer to the model the slow, literal way.
func applyModel(m map[string]modelEntry, layer int, ops []op) {
	under := func(p, dir string) bool { return dir == "" || strings.HasPrefix(p, dir+"/") }
	for _, o := range ops { // whiteouts first: they only see lower layers
		for p := range m {
			if (o.kind == opWhiteout && (p == o.path || under(p, o.path))) || (o.kind == opOpaque && under(p, o.path)) {
				delete(m, p)
			}
		}
	}
	for _, o := range ops {
		if o.kind == opWhiteout || o.kind == opOpaque {
			continue
		}
		for a := path.Dir(o.path); a != "."; a = path.Dir(a) {
			if e, ok := m[a]; ok && !e.dir {
				delete(m, a)
			}
		}
		if o.kind == opFile {
			for p := range m {
				if under(p, o.path) {
					delete(m, p)
				}
			}
			m[o.path] = modelEntry{layer: layer, size: o.size}
		} else {
			m[o.path] = modelEntry{layer: layer, dir: true}
		}
	}
}

// Guard the rawLayer shape against the interface scanLayer consumes.
var _ opener = rawLayer{}

// FuzzImageRecord feeds altered image records, their checksums not
// compared so that the decoder's own checks are what is tested: a record
// either is refused or gives a Tree every walk of which ends in bounds.
func FuzzImageRecord(f *testing.F) {
	res, key, rec := fuzzImageRecord(f)
	f.Add(rec)
	f.Add([]byte(imageMagic))
	f.Fuzz(func(t *testing.T, rec []byte) {
		// Checksums off: a mutated record would fail them first, and
		// what is fuzzed is every check behind them.
		got := &Result{Layers: make([]Layer, len(res.Layers))}
		if _, err := decodeImageRecord(bytes.NewReader(rec), got, key, false); err != nil {
			return
		}
		tr := got.Tree
		for id := range tr.Len() {
			p := tr.Path(NodeID(id))
			for c := range tr.Children(NodeID(id)) {
				if tr.Parent(c) != NodeID(id) {
					t.Fatalf("child %d of %d has parent %d", c, id, tr.Parent(c))
				}
			}
			if ref, ok := tr.Final(NodeID(id)); ok {
				_ = got.Layers[ref.Layer].Entries[ref.Index]
			}
			if id > 0 && p == "" {
				t.Fatalf("node %d has no path", id)
			}
		}
		for _, l := range got.Layers {
			for _, e := range l.Entries {
				_, _ = tr.Path(e.Node), tr.LinkTarget(e)
			}
		}
		if got.HasPackageDB() && len(got.pkgOf) != tr.Len() {
			t.Fatalf("owner index over %d nodes, the tree has %d", len(got.pkgOf), tr.Len())
		}
		for id := range tr.Len() {
			if i, ok := got.PackageOf(NodeID(id)); ok {
				_ = got.Packages[i]
			}
		}
		summarize(got)
	})
}

// fuzzImageRecord is the image record of fuzzImageResult, with its key.
func fuzzImageRecord(tb testing.TB) (*Result, string, []byte) {
	res, key := fuzzImageResult(tb), "image:00"
	var buf bytes.Buffer
	if err := encodeImage(&buf, res, key, nil); err != nil {
		tb.Fatal(err)
	}
	return res, key, buf.Bytes()
}

// fuzzImageResult analyses a small image with every kind of entry.
func fuzzImageResult(tb testing.TB) *Result {
	layer := func(write func(tw *tar.Writer)) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		write(tw)
		tw.Close()
		return b.Bytes()
	}
	file := func(tw *tar.Writer, name string, size int) {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(size), Mode: 0o644})
		tw.Write(bytes.Repeat([]byte("x"), size))
	}
	tars := [][]byte{
		layer(func(tw *tar.Writer) {
			tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755})
			file(tw, "etc/passwd", 30)
			file(tw, "usr/lib/libc.so", 100)
			tw.WriteHeader(&tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"})
			status := "Package: libc6\nStatus: install ok installed\nVersion: 2.36\n"
			tw.WriteHeader(&tar.Header{Name: "var/lib/dpkg/status", Typeflag: tar.TypeReg, Size: int64(len(status)), Mode: 0o644})
			tw.Write([]byte(status))
			list := "/.\n/lib/libc.so\n"
			tw.WriteHeader(&tar.Header{Name: "var/lib/dpkg/info/libc6.list", Typeflag: tar.TypeReg, Size: int64(len(list)), Mode: 0o644})
			tw.Write([]byte(list))
		}),
		layer(func(tw *tar.Writer) {
			file(tw, "etc/passwd", 40)
			file(tw, "var/cache/x", 9)
		}),
		layer(func(tw *tar.Writer) {
			file(tw, "var/cache/.wh.x", 0)
			file(tw, "etc/.wh..wh..opq", 0)
		}),
	}
	res := &Result{Tree: newTree(), Layers: make([]Layer, len(tars))}
	mg := &merger{t: res.Tree, layers: res.Layers}
	dbs := make([][]dbFile, len(tars))
	for i, b := range tars {
		s, err := scanLayer(context.Background(), rawLayer{b}, res.Tree, false, false, true, nil, 1)
		if err != nil {
			tb.Fatal(err)
		}
		mg.merge(i, s)
		dbs[i] = s.pkgdb
	}
	summarize(res)
	attributePackages(res, dbs)
	if len(res.Packages) != 1 {
		tb.Fatalf("fixture packages %+v, want libc6", res.Packages)
	}
	if id, ok := res.Tree.Lookup("usr/lib/libc.so"); !ok {
		tb.Fatal("fixture has no usr/lib/libc.so")
	} else if _, owned := res.PackageOf(id); !owned {
		tb.Fatal("fixture: libc6 does not own usr/lib/libc.so: the record holds no owners to fuzz")
	}
	return res
}

// FuzzFastTar reads arbitrary bytes with fastTar and with archive/tar
// alone: the headers (every field scanLayer uses) and the outcome must be
// the same, so the fast path never reads what archive/tar would not, nor
// differently.
func FuzzFastTar(f *testing.F) {
	for _, seed := range fastTarSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		type row struct {
			name, link string
			typ        byte
			size, mode int64
			uid, gid   int
		}
		walk := func(w headerWalker) ([]row, error) {
			var rows []row
			for range 10_000 {
				h, err := w.Next()
				if err != nil {
					if errors.Is(err, io.EOF) {
						err = nil
					}
					return rows, err
				}
				rows = append(rows, row{h.Name, h.Linkname, h.Typeflag, h.Size, h.Mode, h.Uid, h.Gid})
			}
			return rows, nil
		}
		want, wantErr := walk(tar.NewReader(bytes.NewReader(b)))
		got, gotErr := walk(newFastTar(bytes.NewReader(b)))
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v, archive/tar says %v", gotErr, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("%d headers, archive/tar reads %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("header %d = %+v, archive/tar reads %+v", i, got[i], want[i])
			}
		}
	})
}

// fastTarSeeds are tars of every shape fastTar reads itself or hands on.
func fastTarSeeds() [][]byte {
	build := func(f func(tw *tar.Writer)) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		f(tw)
		tw.Close()
		return b.Bytes()
	}
	reg := func(tw *tar.Writer, name string, size int, format tar.Format) {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(size), Mode: 0o644, Format: format, ModTime: time.Unix(1700000000, 5)})
		tw.Write(bytes.Repeat([]byte("x"), size))
	}
	return [][]byte{
		build(func(tw *tar.Writer) {
			tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755, Format: tar.FormatUSTAR})
			reg(tw, "etc/passwd", 30, tar.FormatUSTAR)
			tw.WriteHeader(&tar.Header{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "busybox", Format: tar.FormatUSTAR})
			tw.WriteHeader(&tar.Header{Name: "bin/ls", Typeflag: tar.TypeLink, Linkname: "bin/busybox", Format: tar.FormatUSTAR})
			reg(tw, strings.Repeat("d/", 70)+"long-enough-for-a-prefix", 3, tar.FormatUSTAR)
		}),
		build(func(tw *tar.Writer) { // PAX: long names, times, xattrs
			reg(tw, strings.Repeat("long/", 40)+"name", 5, tar.FormatPAX)
			tw.WriteHeader(&tar.Header{Name: "caf\xe9", Typeflag: tar.TypeReg, Format: tar.FormatPAX, PAXRecords: map[string]string{"SCHILY.xattr.user.x": "1"}})
		}),
		build(func(tw *tar.Writer) { // GNU: handed to archive/tar
			reg(tw, strings.Repeat("g/", 60)+"nu", 7, tar.FormatGNU)
			reg(tw, "after-gnu", 1, tar.FormatUSTAR)
		}),
		build(func(tw *tar.Writer) { reg(tw, "big", 70000, tar.FormatUSTAR); reg(tw, "next", 1, tar.FormatPAX) }),
		[]byte("not a tar at all"),
		{},
	}
}

// TestFastTarTakesTheCommonPath checks that ustar and PAX layers are read
// without archive/tar, up to the end-of-archive marker, and that a GNU
// header hands the rest over.
func TestFastTarTakesTheCommonPath(t *testing.T) {
	seeds := fastTarSeeds()
	for i, want := range []int{5, 2, 0, 2} {
		f := newFastTar(bytes.NewReader(seeds[i]))
		n := 0
		for {
			if _, err := f.Next(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("seed %d: %v", i, err)
				}
				break
			}
			n++
		}
		if f.fast != want || (i != 2 && n != want) {
			t.Errorf("seed %d: %d of %d headers read by the fast path, want %d", i, f.fast, n, want)
		}
	}
}
