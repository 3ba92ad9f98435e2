package analyze_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// tocFixture is two layers with every kind of entry a TOC lists: modes
// with setuid, owners, links of both kinds, devices, a FIFO, whiteouts
// (plain and opaque), a package database, credentials by name and by
// content, a file split into chunks, one that is all zeros, and one large
// random file that a TOC read must not fetch.
func tocFixture() [][]it.Entry {
	noise := make([]byte, 3<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	return [][]it.Entry{
		{
			it.Dir("etc/"), it.File("etc/os-release", "ID=test\n"),
			{Name: "usr/bin/sudo", Body: []byte("#!/bin/sh\n"), Mode: 0o4755, UID: 0, GID: 0},
			{Name: "home/app/notes.txt", Body: []byte("hello"), Mode: 0o600, UID: 1000, GID: 1001},
			it.Symlink("lib", "usr/lib"), it.Hardlink("usr/bin/sudo2", "usr/bin/sudo"),
			{Name: "dev/null", Type: tar.TypeChar}, {Name: "dev/sda", Type: tar.TypeBlock}, {Name: "run/fifo", Type: tar.TypeFifo},
			status("base-files 12.4", "coreutils 9.1-1"),
			list("base-files", "/etc", "/etc/os-release"), list("coreutils", "/usr/bin/sudo"),
			it.File("root/.aws/credentials", "[default]\naws_access_key_id = "+it.AWSKeyID("toc")+"\n"),
			it.File("srv/config.yaml", "token: "+it.GitHubToken("toc")+"\n"),
			it.SizedFile("usr/lib/libbig.so", 300000),
			{Name: "var/empty.img", Body: make([]byte, 200000)},
			{Name: "opt/blob.bin", Body: noise},
			it.SizedFile("var/cache/pkg.deb", 3000),
		},
		{
			it.Whiteout("var/cache"), it.Opaque("home/app"), it.File("etc/os-release", "ID=test2\n"),
			it.File("home/app/.env", "SECRET="+it.SlackToken("toc")+"\n"),
			it.SizedFile("usr/lib/libbig.so", 310000),
		},
	}
}

// rangedLayer serves a seekable layer by range from memory, counting the
// bytes it hands out either way.
type rangedLayer struct {
	it.Seekable
	blob     []byte
	fetched  *atomic.Int64
	requests atomic.Int64
	refuse   bool // answer every range with ErrNoRange, as a registry that sends 200
}

func (l *rangedLayer) Descriptor() (*v1.Descriptor, error) {
	d, _ := l.Digest()
	mt, _ := l.MediaType()
	return &v1.Descriptor{MediaType: mt, Size: int64(len(l.blob)), Digest: d, Annotations: l.Annotations}, nil
}

func (l *rangedLayer) OpenRange(_ context.Context, off, n int64) (io.ReadCloser, error) {
	if l.refuse {
		return nil, fmt.Errorf("test: %w", analyze.ErrNoRange)
	}
	if off < 0 || n <= 0 || off+n > int64(len(l.blob)) {
		return nil, fmt.Errorf("range %d+%d outside %d bytes", off, n, len(l.blob))
	}
	l.fetched.Add(n)
	l.requests.Add(1)
	return io.NopCloser(bytes.NewReader(l.blob[off : off+n])), nil
}

func (l *rangedLayer) Compressed() (io.ReadCloser, error) {
	l.fetched.Add(int64(len(l.blob)))
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}

// rangedImage is an image whose Layers are the ranged ones.
type rangedImage struct {
	v1.Image
	layers []v1.Layer
}

func (r rangedImage) Layers() ([]v1.Layer, error) { return r.layers, nil }

type tocCase struct {
	name  string
	build func([]byte, int) (it.Seekable, error)
}

var tocCases = []tocCase{{"eStargz", it.Estargz}, {"zstd:chunked", it.ZstdChunked}}

func seekableImage(t *testing.T, c tocCase, tamper func(map[string]string)) (rangedImage, *atomic.Int64, int64) {
	t.Helper()
	var ls []it.Seekable
	for _, entries := range tocFixture() {
		s, err := c.build(it.Tar(entries...), 64<<10)
		if err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			tamper(s.Annotations)
		}
		ls = append(ls, s)
	}
	img, err := it.SeekableImage(ls, nil)
	if err != nil {
		t.Fatal(err)
	}
	fetched := &atomic.Int64{}
	out := rangedImage{Image: img}
	total := int64(0)
	for _, s := range ls {
		rc, _ := s.Compressed()
		blob, _ := io.ReadAll(rc)
		total += int64(len(blob))
		out.layers = append(out.layers, &rangedLayer{Seekable: s, blob: blob, fetched: fetched})
	}
	return out, fetched, total
}

// everything renders all an analysis says, down to each entry's mode and
// owner, so that two reads of one image can be compared whole.
func everything(res *analyze.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", res.Image)
	for _, l := range res.Layers {
		entries := l.Entries
		l.Entries = nil
		fmt.Fprintf(&b, "%+v\n", l)
		for _, e := range entries {
			fmt.Fprintf(&b, "  %s %s %s mode=%v uid=%d gid=%d size=%d link=%q hidden=%d\n",
				res.Tree.Path(e.Node), e.Kind, e.Change, e.Mode, e.UID, e.GID, e.Size, res.Tree.LinkTarget(e), e.HiddenAt)
		}
	}
	fmt.Fprintf(&b, "wasted %+v\nsecrets %+v\npackages %+v\nnotes %q\n", res.WastedFiles, res.Secrets, res.Packages, res.Notes)
	return b.String()
}

// progressLog keeps the Done reports of an analysis.
type progressLog struct {
	mu   sync.Mutex
	done []analyze.Progress
}

func (p *progressLog) add(pr analyze.Progress) {
	if pr.Done {
		p.mu.Lock()
		p.done = append(p.done, pr)
		p.mu.Unlock()
	}
}

// TestTOCMatchesStream reads each fixture from its TOC with TOCContent,
// and expects everything a stream read says, secrets and packages
// included, for a fraction of the bytes.
func TestTOCMatchesStream(t *testing.T) {
	for _, c := range tocCases {
		t.Run(c.name, func(t *testing.T) {
			img, fetched, total := seekableImage(t, c, nil)
			full, err := analyze.Analyze(context.Background(), img, analyze.Options{Full: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := fetched.Swap(0); got != total {
				t.Fatalf("full read fetched %d bytes of %d", got, total)
			}
			var log progressLog
			toc, err := analyze.Analyze(context.Background(), img, analyze.Options{Progress: log.add, TOCContent: true})
			if err != nil {
				t.Fatal(err)
			}
			if a, b := everything(full), everything(toc); a != b {
				t.Errorf("TOC read differs from the stream:\n--- stream\n%s\n--- toc\n%s", a, b)
			}
			if len(toc.Secrets) < 3 || len(toc.Packages) != 2 {
				t.Errorf("fixture lost its point: %d secrets, %d packages", len(toc.Secrets), len(toc.Packages))
			}
			got := fetched.Load()
			if got == 0 || got > total/4 {
				t.Errorf("TOC read fetched %d bytes of %d; want well under a quarter (the random 3 MiB is not read)", got, total)
			}
			var sum int64
			for _, p := range log.done {
				if p.TOC != c.name || p.Fallback != "" || p.Cached {
					t.Errorf("layer %d: progress says TOC=%q fallback=%q cached=%v", p.Layer, p.TOC, p.Fallback, p.Cached)
				}
				sum += p.Fetched
			}
			if sum != got {
				t.Errorf("progress counts %d bytes fetched, the layers served %d", sum, got)
			}
		})
	}
}

// TestTOCNamedSecretsOnly reads from the TOC without TOCContent: all but
// the secrets found in files not named like credentials is the stream's,
// those are missing, and a note says so.
func TestTOCNamedSecretsOnly(t *testing.T) {
	for _, c := range tocCases {
		t.Run(c.name, func(t *testing.T) {
			img, fetched, total := seekableImage(t, c, nil)
			full, err := analyze.Analyze(context.Background(), img, analyze.Options{Full: true})
			if err != nil {
				t.Fatal(err)
			}
			fetched.Store(0)
			toc, err := analyze.Analyze(context.Background(), img, analyze.Options{})
			if err != nil {
				t.Fatal(err)
			}
			paths := func(res *analyze.Result) []string {
				var out []string
				for _, s := range res.Secrets {
					out = append(out, s.Path+" "+string(s.Kind))
				}
				return out
			}
			want := []string{"root/.aws/credentials aws-access-key-id", "home/app/.env slack-token"}
			if got := paths(toc); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("secrets = %v, want only the named ones %v (stream found %v)", got, want, paths(full))
			}
			if len(paths(full)) <= len(want) {
				t.Fatalf("fixture lost its point: the stream found %v", paths(full))
			}
			wantNote := "layers 0, 1: read from the table of contents by range; only files named like credentials were scanned for secrets"
			if len(toc.Notes) != len(full.Notes)+1 || !strings.HasPrefix(toc.Notes[len(toc.Notes)-1], wantNote) {
				t.Errorf("notes = %q, want the stream's %q and one starting %q", toc.Notes, full.Notes, wantNote)
			}
			for _, r := range []*analyze.Result{full, toc} {
				r.Secrets, r.Notes = nil, nil
				for i := range r.Layers {
					r.Layers[i].Secrets = nil
				}
			}
			if a, b := everything(full), everything(toc); a != b {
				t.Errorf("TOC read differs from the stream beyond its secrets:\n--- stream\n%s\n--- toc\n%s", a, b)
			}
			if f := fetched.Load(); f*20 > total {
				t.Errorf("fetched %d bytes of %d; want under 5%%", f, total)
			}
		})
	}
}

// TestTOCGroupsReads reads a layer of two hundred package lists between
// other files: they are fetched a run at a time, not one request each,
// and the result is still the stream's.
func TestTOCGroupsReads(t *testing.T) {
	for _, c := range tocCases {
		t.Run(c.name, func(t *testing.T) {
			es := []it.Entry{status("base-files 12.4")}
			for i := range 200 {
				es = append(es, list(fmt.Sprintf("pkg%03d", i), fmt.Sprintf("/usr/share/pkg%03d", i)),
					it.SizedFile(fmt.Sprintf("var/lib/dpkg/info/pkg%03d.md5sums", i), 300))
			}
			es = append(es, it.SizedFile("usr/lib/big.so", 2<<20))
			s, err := c.build(it.Tar(es...), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			img, err := it.SeekableImage([]it.Seekable{s}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rc, _ := s.Compressed()
			blob, _ := io.ReadAll(rc)
			l := &rangedLayer{Seekable: s, blob: blob, fetched: &atomic.Int64{}}
			ri := rangedImage{Image: img, layers: []v1.Layer{l}}
			full, err := analyze.Analyze(context.Background(), ri, analyze.Options{Full: true})
			if err != nil {
				t.Fatal(err)
			}
			l.fetched.Store(0)
			toc, err := analyze.Analyze(context.Background(), ri, analyze.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(toc.Packages) != 1 || len(toc.Layers[0].Packages) != 1 {
				t.Fatalf("packages = %+v", toc.Packages)
			}
			toc.Notes, full.Notes = nil, nil
			if a, b := everything(full), everything(toc); a != b {
				t.Errorf("grouped reads differ from the stream:\n%s\n---\n%s", a, b)
			}
			if n := l.requests.Load(); n > 6 {
				t.Errorf("%d range requests for 201 package database files; want them grouped", n)
			}
			if f := l.fetched.Load(); f > int64(len(blob))/2 {
				t.Errorf("fetched %d of %d bytes", f, len(blob))
			}
		})
	}
}

// TestTOCTinyZstdManifest reads a layer whose zstd:chunked TOC is smaller
// than the window its frame declares (1 KiB, as podman writes them), its
// annotations under the current names and under those podman 4 writes.
func TestTOCTinyZstdManifest(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprint("legacy=", legacy), func(t *testing.T) { tinyZstd(t, legacy) })
	}
}

func tinyZstd(t *testing.T, legacy bool) {
	s, err := it.ZstdChunked(it.Tar(it.File("etc/hostname", "box\n")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if legacy {
		for k, v := range s.Annotations {
			delete(s.Annotations, k)
			s.Annotations[strings.Replace(k, "io.github.containers.", "io.containers.", 1)] = v
		}
	}
	img, err := it.SeekableImage([]it.Seekable{s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := s.Compressed()
	blob, _ := io.ReadAll(rc)
	ri := rangedImage{Image: img, layers: []v1.Layer{&rangedLayer{Seekable: s, blob: blob, fetched: &atomic.Int64{}}}}
	var log progressLog
	if _, err := analyze.Analyze(context.Background(), ri, analyze.Options{Progress: log.add}); err != nil {
		t.Fatal(err)
	}
	if p := log.done[0]; p.TOC != "zstd:chunked" {
		t.Errorf("layer read with TOC=%q, fallback %q", p.TOC, p.Fallback)
	}
}
