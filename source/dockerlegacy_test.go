package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// legacyFixture is three layers, the last of which removes a directory of
// the second with a whiteout and rewrites a file of the first.
func legacyFixture(t *testing.T) v1.Image {
	t.Helper()
	tars := [][]it.Entry{
		{it.Dir("etc/"), it.File("etc/os-release", "ID=old\n"), it.SizedFile("bin/sh", 4000)},
		{it.SizedFile("var/cache/apt/pkg.deb", 3000), it.File("etc/motd", "hi\n")},
		{it.Whiteout("var/cache/apt"), it.File("etc/os-release", "ID=new\n")},
	}
	var layers []v1.Layer
	var hist []v1.History
	for i, entries := range tars {
		layers = append(layers, it.MustLayer(t, it.Tar(entries...), it.Uncompressed))
		hist = append(hist, v1.History{
			CreatedBy: fmt.Sprintf("/bin/sh -c #(nop) step %d", i),
			Created:   v1.Time{Time: time.Date(2015, 11, 3, 10, i, 0, 0, time.UTC)},
		})
	}
	return it.MustImage(t, layers, hist, &v1.Platform{OS: "linux", Architecture: "amd64"})
}

// legacyAnalysis renders what strata says of an image, leaving out the image and
// config digests, which a made-up config cannot share with Docker's.
func legacyAnalysis(t *testing.T, img v1.Image) string {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	var b strings.Builder
	im := res.Image
	fmt.Fprintf(&b, "%s size=%d files=%d wasted=%d\n", im.Platform, im.SizeBytes, im.FileCount, im.WastedBytes)
	for _, l := range res.Layers {
		fmt.Fprintf(&b, "layer %d %s %s %q size=%d comp=%d files=%d +%d ~%d -%d wasted=%d\n", l.Index, l.Digest, l.DiffID, l.Command,
			l.SizeBytes, l.CompressedSizeBytes, l.FileCount, l.Added, l.Modified, l.Removed, l.WastedBytes)
		for _, e := range l.Entries {
			fmt.Fprintf(&b, "  %s %s %s size=%d hidden=%d\n", res.Tree.Path(e.Node), e.Kind, e.Change, e.Size, e.HiddenAt)
		}
	}
	for _, w := range res.WastedFiles {
		fmt.Fprintf(&b, "wasted %s %d %v\n", w.Path, w.WastedBytes, w.Layers)
	}
	for _, h := range res.History {
		fmt.Fprintf(&b, "history %q %s %d\n", h.CreatedBy, h.Created.UTC().Format(time.RFC3339), h.LayerIndex)
	}
	return b.String()
}

func TestLegacyDockerArchive(t *testing.T) {
	img := legacyFixture(t)
	dir := t.TempDir()
	modern, legacy := filepath.Join(dir, "modern.tar"), filepath.Join(dir, "legacy.tar")
	if err := it.WriteDockerArchive(modern, img, "old/app:1"); err != nil {
		t.Fatal(err)
	}
	if err := it.WriteLegacyDockerArchive(legacy, img, "old/app:1"); err != nil {
		t.Fatal(err)
	}
	want := legacyAnalysis(t, mustOpen(t, "docker-archive:"+modern, Options{}))
	for _, ref := range []string{"docker-archive:" + legacy, "docker-archive:" + legacy + ":old/app:1", legacy} {
		got := mustOpen(t, ref, Options{})
		if g := legacyAnalysis(t, got); g != want {
			t.Errorf("%s: legacyAnalysis differs from the modern docker-archive:\n--- legacy\n%s--- modern\n%s", ref, g, want)
		}
		cfg, err := got.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		wantCfg, _ := img.ConfigFile()
		if cfg.OS != "linux" || cfg.Architecture != "amd64" || strings.Join(cfg.Config.Env, ",") != strings.Join(wantCfg.Config.Env, ",") {
			t.Errorf("%s: config %s/%s env %q, want linux/amd64 and %q", ref, cfg.OS, cfg.Architecture, cfg.Config.Env, wantCfg.Config.Env)
		}
		raw, _ := got.RawConfigFile()
		if !strings.Contains(string(raw), `"container_config":{"Cmd":["/bin/sh -c #(nop) step 2"]}`) {
			t.Errorf("%s: config %s lacks the top layer's container_config", ref, raw)
		}
	}
	if _, err := Open(context.Background(), "docker-archive:"+legacy+":other:2", Options{}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "old/app:1") {
		t.Errorf("unknown tag: %v, want ErrNotFound listing old/app:1", err)
	}
}

// legacyTar writes a hand-made pre-1.10 save: repositories naming top, and
// for each id its json (parent given) and an empty layer.tar.
func legacyTar(t *testing.T, top string, parents [][2]string, extra ...it.Entry) string {
	t.Helper()
	entries := []it.Entry{it.File("repositories", fmt.Sprintf(`{"app":{"1":%q}}`, top))}
	for _, p := range parents {
		entries = append(entries,
			it.File(p[0]+"/json", fmt.Sprintf(`{"id":%q,"parent":%q,"container_config":{"Cmd":["step"]}}`, p[0], p[1])),
			it.File(p[0]+"/layer.tar", string(it.Tar())),
		)
	}
	entries = append(entries, extra...)
	p := filepath.Join(t.TempDir(), "save.tar")
	if err := os.WriteFile(p, it.Tar(entries...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLegacyDockerArchiveBroken(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		wantErr error
		want    string
	}{
		{"missing parent", legacyTar(t, "c", [][2]string{{"c", "b"}, {"b", "a"}}), ErrNotFound, "layer a in"},
		{"cycle", legacyTar(t, "c", [][2]string{{"c", "b"}, {"b", "a"}, {"a", "c"}}), ErrInvalid, "a/json names c as its parent"},
		{"self parent", legacyTar(t, "c", [][2]string{{"c", "c"}}), ErrInvalid, "c/json names c as its parent"},
		{"missing top", legacyTar(t, "z", [][2]string{{"c", ""}}), ErrNotFound, "top layer z in"},
		{"missing layer.tar", legacyTar(t, "d", [][2]string{{"c", ""}}, it.File("d/json", `{"id":"d","parent":"c"}`)), ErrNotFound, "reading layer d in"},
		{"json names another id", legacyTar(t, "c", nil, it.File("c/json", `{"id":"x"}`)), ErrInvalid, `c/json: invalid image: it names itself "x"`},
		{"parent climbs out", legacyTar(t, "c", nil, it.File("c/json", `{"id":"c","parent":"../etc"}`)), ErrInvalid, `parent "../etc" is not a layer id`},
		{"garbage json", legacyTar(t, "c", nil, it.File("c/json", `{"id":`)), ErrInvalid, "c/json"},
	}
	for _, tt := range tests {
		_, err := Open(context.Background(), "docker-archive:"+tt.path, Options{})
		if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("%s: err = %v, want %v naming %q on one line", tt.name, err, tt.wantErr, tt.want)
		}
	}
}

func TestLegacyJSONParsing(t *testing.T) {
	layerTests := []struct {
		raw, dir  string
		ok        bool
		parent    string
		cmd, arch string
	}{
		{`{"id":"a","parent":"b","container_config":{"Cmd":["/bin/sh","-c","make"]},"architecture":"arm64"}`, "a", true, "b", "/bin/sh -c make", "arm64"},
		{`{"parent":"b"}`, "a", true, "b", "", ""}, // an id left out is the directory's
		{`{"id":"a"}`, "a", true, "", "", ""},
		{`{"id":"b"}`, "a", false, "", "", ""},
		{`{"id":"a","parent":"x/y"}`, "a", false, "", "", ""},
		{`{"id":"a","parent":".."}`, "a", false, "", "", ""},
		{`{"id":"a","created":"yesterday"}`, "a", false, "", "", ""},
		{`[]`, "a", false, "", "", ""},
		{``, "a", false, "", "", ""},
	}
	for _, tt := range layerTests {
		j, err := parseLegacyLayerJSON([]byte(tt.raw), tt.dir)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.raw, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.dir+"/json") {
				t.Errorf("%s: err = %v, want ErrInvalid naming %s/json", tt.raw, err, tt.dir)
			}
			continue
		}
		cfg := legacyConfig([]*legacyLayerJSON{j})
		if j.Parent != tt.parent || cfg.History[0].CreatedBy != tt.cmd || cfg.Architecture != tt.arch {
			t.Errorf("%s: parent %q, created_by %q, arch %q; want %q, %q, %q", tt.raw, j.Parent, cfg.History[0].CreatedBy, cfg.Architecture, tt.parent, tt.cmd, tt.arch)
		}
	}

	repoTests := []struct {
		raw, tag string
		want     string // the id picked, or "error: " and a part of the message
	}{
		{`{"app":{"1":"c"}}`, "", "c"},
		{`{"app":{"1":"c","latest":"c"}}`, "", "c"},
		{`{"app":{"1":"c"},"other":{"2":"d"}}`, "", "error: holds 2 images; pick one with docker-archive:save.tar:TAG (tags: app:1, other:2)"},
		{`{"app":{"1":"c"},"other":{"2":"d"}}`, "other:2", "d"},
		{`{"app":{"latest":"c"}}`, "app", "c"},
		{`{"app":{"1":"c"}}`, "app:2", "error: tag \"app:2\""},
		{`{}`, "", "error: lists no images"},
		{`{"app":{"1":"../c"}}`, "", "error: not a layer id"},
		{`{"app":["c"]}`, "", "error: repositories"},
	}
	for _, tt := range repoTests {
		tags, err := parseRepositories([]byte(tt.raw))
		var top legacyTag
		if err == nil {
			top, err = pickLegacyTop(tags, tt.tag, "save.tar")
		}
		got := top.id
		if err != nil {
			got = "error: " + err.Error()
		}
		if want, isErr := strings.CutPrefix(tt.want, "error: "); (isErr && !strings.Contains(got, want)) || (!isErr && got != tt.want) {
			t.Errorf("%s (tag %q): got %q, want %q", tt.raw, tt.tag, got, tt.want)
		}
	}
}

// FuzzLegacyJSON feeds arbitrary bytes to both parsers of the pre-1.10
// layout: they return a value or an error, never panic, and a parsed
// parent is always one path component.
func FuzzLegacyJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","parent":"b","config":{"Env":["A=1"]},"container_config":{"Cmd":["x"]},"created":"2015-11-03T10:00:00Z"}`,
		`{"app":{"1":"c"}}`, `{"id":"a","parent":"../b"}`, `null`, `{"app":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if j, err := parseLegacyLayerJSON(b, "a"); err == nil {
			if j.Parent != "" && !legacyID(j.Parent) {
				t.Fatalf("parent %q accepted", j.Parent)
			}
			legacyConfig([]*legacyLayerJSON{j})
		}
		if tags, err := parseRepositories(b); err == nil {
			for _, tag := range tags {
				if !legacyID(tag.id) {
					t.Fatalf("id %q accepted", tag.id)
				}
			}
			_, _ = pickLegacyTop(tags, "", "x")
		}
	})
}
