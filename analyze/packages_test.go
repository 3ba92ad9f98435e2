package analyze_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// status writes a dpkg status file of installed packages, "name version"
// each.
func status(pkgs ...string) it.Entry {
	var b strings.Builder
	for _, p := range pkgs {
		name, version, _ := strings.Cut(p, " ")
		fmt.Fprintf(&b, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nDescription: %s\n  more\n\n", name, version, name)
	}
	return it.File("var/lib/dpkg/status", b.String())
}

func list(pkg string, paths ...string) it.Entry {
	return it.File("var/lib/dpkg/info/"+pkg+".list", "/.\n"+strings.Join(paths, "\n")+"\n")
}

// dpkgFixture is a merged-/usr base, an install with an upgrade, and a
// removal with a reinstall and a file edited in place.
func dpkgFixture(t *testing.T, c it.Compression) v1.Image {
	return build(t, c,
		[]it.Entry{it.Symlink("bin", "usr/bin"), it.Dir("usr/bin/"),
			status("base-files 12.4", "coreutils 9.1-1"),
			list("base-files", "/etc", "/etc/os-release"), list("coreutils", "/bin", "/bin/ls", "/usr/bin", "/usr/bin/cat"),
			it.SizedFile("usr/bin/ls", 1000), it.SizedFile("usr/bin/cat", 500), it.SizedFile("etc/os-release", 20),
			it.SizedFile("opt/app/server", 300)},
		[]it.Entry{status("base-files 12.4", "coreutils 9.2-1", "hello 2.10-3"),
			list("hello", "/usr/bin/hello", "/usr/share/doc/hello/copyright"), list("coreutils", "/bin", "/bin/ls", "/usr/bin", "/usr/bin/cat"),
			it.SizedFile("usr/bin/hello", 700), it.SizedFile("usr/share/doc/hello/copyright", 50),
			it.SizedFile("usr/bin/ls", 1100), it.SizedFile("usr/bin/cat", 400),
			it.SizedFile("var/cache/apt/archives/hello_2.10-3_amd64.deb", 3000)},
		[]it.Entry{status("base-files 12.4", "coreutils 9.2-1"),
			it.Whiteout("var/lib/dpkg/info/hello.list"), it.Whiteout("usr/bin/hello"), it.Whiteout("usr/share/doc/hello"),
			list("base-files", "/etc", "/etc/os-release"), it.SizedFile("etc/os-release", 21),
			it.SizedFile("usr/bin/cat", 450)},
	)
}

// describePackages renders a layer's packages as "change name version
// size/files".
func describePackages(ps []analyze.LayerPackage) []string {
	var out []string
	for _, p := range ps {
		v := p.Version
		if p.PreviousVersion != "" {
			v = p.PreviousVersion + "->" + v
		}
		out = append(out, fmt.Sprintf("%s %s %s %d/%d", p.Change, p.Name, v, p.SizeBytes, p.Files))
	}
	return out
}

// checkPackageSums asserts that every layer's bytes split exactly into
// its packages' and the unpackaged ones.
func checkPackageSums(t *testing.T, res *analyze.Result) {
	t.Helper()
	for _, l := range res.Layers {
		var sum int64
		for _, p := range l.Packages {
			sum += p.SizeBytes
		}
		if sum != l.PackagedBytes || l.PackagedBytes+l.UnpackagedBytes != l.SizeBytes {
			t.Errorf("layer %d: packages hold %d, packaged %d, unpackaged %d, size %d: want packages = packaged, packaged + unpackaged = size",
				l.Index, sum, l.PackagedBytes, l.UnpackagedBytes, l.SizeBytes)
		}
	}
}

func TestDpkgPackagesPerLayer(t *testing.T) {
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		for _, hash := range []bool{false, true} {
			name := fmt.Sprintf("%s hash=%v", c, hash)
			img := dpkgFixture(t, c)
			res, err := analyze.Analyze(context.Background(), img, analyze.Options{HashFiles: hash})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkInvariants(t, res)
			checkPackageSums(t, res)
			want := [][]string{
				{"added coreutils 9.1-1 1500/2", "added base-files 12.4 20/1"},
				{"upgraded coreutils 9.1-1->9.2-1 1500/2", "added hello 2.10-3 750/2"},
				{"touched coreutils 9.2-1 450/1", "reinstalled base-files 12.4 21/1", "removed hello 2.10-3 0/0"},
			}
			for i, l := range res.Layers {
				if got := describePackages(l.Packages); !slices.Equal(got, want[i]) {
					t.Errorf("%s: layer %d packages\n got %q\nwant %q", name, i, got, want[i])
				}
			}
			if u := res.Layers[1].UnpackagedBytes; u < 3000 {
				t.Errorf("%s: layer 1 unpackaged %d, want at least the 3000-byte .deb left in the apt cache", name, u)
			}
			var img2 []string
			for _, p := range res.Packages {
				img2 = append(img2, fmt.Sprintf("%s %s %s %d/%d layer %d", p.Manager, p.Name, p.Version, p.SizeBytes, p.Files, p.Layer))
			}
			if want := []string{"dpkg coreutils 9.2-1 1550/2 layer 1", "dpkg base-files 12.4 21/1 layer 2"}; !slices.Equal(img2, want) {
				t.Errorf("%s: image packages\n got %q\nwant %q", name, img2, want)
			}
			if hash {
				checkStatusHash(t, res)
			}
		}
	}
}

// checkStatusHash asserts that keeping a database's content does not
// change the hash of it that HashFiles reports.
func checkStatusHash(t *testing.T, res *analyze.Result) {
	t.Helper()
	l := res.Layers[2]
	for i, e := range l.Entries {
		if res.Tree.Path(e.Node) == "var/lib/dpkg/status" {
			if want := xxhash.Sum64([]byte(status("base-files 12.4", "coreutils 9.2-1").Body)); l.FileHashes[i] != want {
				t.Errorf("status hash %x, want %x", l.FileHashes[i], want)
			}
			return
		}
	}
	t.Error("layer 2 has no status entry")
}

func TestApkPackages(t *testing.T) {
	installed := func(pkgs ...string) it.Entry {
		return it.File("lib/apk/db/installed", strings.Join(pkgs, "\n")+"\n")
	}
	musl := "C:Q1x=\nP:musl\nV:1.2.4-r2\nA:x86_64\nI:600000\nF:lib\nR:ld-musl-x86_64.so.1\n"
	busybox := "P:busybox\nV:1.36.1-r5\nA:x86_64\nF:bin\nR:busybox\nF:etc\nR:inittab\n"
	curl := "P:curl\nV:8.5.0-r0\nA:x86_64\nF:usr/bin\nR:curl\n"
	img := build(t, it.Gzip,
		[]it.Entry{installed(musl, busybox), it.SizedFile("lib/ld-musl-x86_64.so.1", 600), it.SizedFile("bin/busybox", 800), it.SizedFile("etc/inittab", 5)},
		[]it.Entry{installed(musl, busybox, curl), it.SizedFile("usr/bin/curl", 250), it.SizedFile("bin/busybox", 800), it.SizedFile("app/main.py", 40)},
		[]it.Entry{it.SizedFile("etc/inittab", 6)},
	)
	res := run(t, img)
	checkPackageSums(t, res)
	want := [][]string{
		{"added busybox 1.36.1-r5 805/2", "added musl 1.2.4-r2 600/1"},
		{"reinstalled busybox 1.36.1-r5 800/1", "added curl 8.5.0-r0 250/1"},
		{"touched busybox 1.36.1-r5 6/1"},
	}
	for i, l := range res.Layers {
		if got := describePackages(l.Packages); !slices.Equal(got, want[i]) {
			t.Errorf("layer %d packages\n got %q\nwant %q", i, got, want[i])
		}
	}
	if l := res.Layers[1]; l.UnpackagedBytes != 40+int64(len(installed(musl, busybox, curl).Body)) {
		t.Errorf("layer 1 unpackaged %d, want the 40-byte app and the database", l.UnpackagedBytes)
	}
	if len(res.Packages) != 3 || res.Packages[0].Name != "busybox" || res.Packages[0].SizeBytes != 806 || res.Packages[0].Layer != 1 {
		t.Errorf("image packages %+v, want busybox first with 806 bytes, last written by layer 1", res.Packages)
	}
	wantOwners := map[string]string{"lib/ld-musl-x86_64.so.1": "musl", "bin/busybox": "busybox", "etc/inittab": "busybox", "usr/bin/curl": "curl"}
	if got := owners(res); !maps.Equal(got, wantOwners) {
		t.Errorf("owners %v, want %v (app/main.py and the database itself unowned)", got, wantOwners)
	}
}

func TestNoPackageDatabase(t *testing.T) {
	res := run(t, cacheFixture(t))
	for _, l := range res.Layers {
		if l.Packages != nil || l.PackagedBytes != 0 || l.UnpackagedBytes != 0 {
			t.Errorf("layer %d: packages %v, %d/%d bytes; want none without a database", l.Index, l.Packages, l.PackagedBytes, l.UnpackagedBytes)
		}
	}
	if res.Packages != nil {
		t.Errorf("image packages %v, want nil", res.Packages)
	}
}

// Package databases live in the cache records: a warm run, from the image
// record or from layer records, says what a cold one says, notes included.
func TestPackagesSurviveCache(t *testing.T) {
	for name, img := range map[string]v1.Image{"dpkg": dpkgFixture(t, it.Gzip), "over the bound": overBoundFixture(t)} {
		checkPackagesSurviveCache(t, name, img)
	}
}

func checkPackagesSurviveCache(t *testing.T, name string, img v1.Image) {
	t.Helper()
	cold := run(t, img)
	if len(cold.Packages) == 0 {
		t.Fatalf("%s: cold run found no packages", name)
	}
	c := &memCache{}
	filled, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	c.hits = 0
	warm, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != 1 {
		t.Errorf("%s: warm run read %d records, want the image record", name, c.hits)
	}
	for k := range c.recs {
		if strings.HasPrefix(k, analyze.ImageKeyPrefix) {
			delete(c.recs, k)
		}
	}
	c.hits = 0
	fromLayers, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != len(cold.Layers) {
		t.Errorf("%s: layer records served %d layers, want %d", name, c.hits, len(cold.Layers))
	}
	want := dump(cold)
	for run, got := range map[string]*analyze.Result{"filling": filled, "warm": warm, "from layer records": fromLayers} {
		if d := dump(got); d != want {
			t.Errorf("%s: %s run differs from an uncached one:\n got: %s\nwant: %s", name, run, d, want)
		}
	}
}

func overBoundFixture(t *testing.T) v1.Image {
	return build(t, it.Gzip,
		[]it.Entry{status("hello 2.10-3"), list("hello", "/usr/bin/hello"), it.SizedFile("usr/bin/hello", 700)},
		[]it.Entry{it.SizedFile("var/lib/dpkg/status", 16<<20+1), it.SizedFile("usr/bin/hello", 710)},
	)
}

func TestPackageDBOverBoundKeepsState(t *testing.T) {
	res := run(t, overBoundFixture(t))
	checkPackageSums(t, res)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "layer 1: package database var/lib/dpkg/status") {
		t.Errorf("notes %q, want one on layer 1's status", res.Notes)
	}
	if got := describePackages(res.Layers[1].Packages); !slices.Equal(got, []string{"touched hello 2.10-3 710/1"}) {
		t.Errorf("layer 1 packages %q, want hello as it was, its file written", got)
	}
	if len(res.Packages) != 1 || res.Packages[0].SizeBytes != 710 {
		t.Errorf("image packages %+v, want hello with 710 bytes", res.Packages)
	}
}
