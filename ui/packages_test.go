package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/debtest"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// dpkgStatus is a dpkg status file of installed packages, "name version"
// each, as dpkg writes it.
func dpkgStatus(pkgs ...string) it.Entry {
	var b strings.Builder
	for _, p := range pkgs {
		name, version, _ := strings.Cut(p, " ")
		fmt.Fprintf(&b, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nDescription: %s\n\n", name, version, name)
	}
	return it.File("var/lib/dpkg/status", b.String())
}

// dpkgList is a package's file list as dpkg keeps it: its directories
// and files, from the root.
func dpkgList(pkg string, paths ...string) it.Entry {
	return it.File("var/lib/dpkg/info/"+pkg+".list", "/.\n/"+strings.Join(paths, "\n/")+"\n")
}

// Files each fixture package lists that are no directories, as they
// stand in the final filesystem.
var (
	curlFiles      = []string{"usr/bin/curl", "usr/lib/libcurl.so.4", "usr/share/doc/curl/copyright"}
	coreutilsFiles = []string{"usr/bin/cat", "usr/bin/ls"}
)

// pkgFixture is a Debian-like image: a base with four packages, an
// install of curl with an upgrade of coreutils and a .deb left in the apt
// cache, and a layer removing zlib1g and adding an application file no
// package owns.
func pkgFixture(t testing.TB) *analyze.Result {
	t.Helper()
	l0 := it.Tar(
		it.Dir("etc"), it.Dir("usr"), it.Dir("usr/bin"), it.Dir("usr/lib"), it.Dir("opt"), it.Dir("opt/app"),
		dpkgStatus("base-files 12.4", "coreutils 9.1-1", "libc6 2.36-9", "zlib1g 1.2.13"),
		dpkgList("base-files", "etc", "etc/os-release"),
		dpkgList("coreutils", "usr", "usr/bin", "usr/bin/ls", "usr/bin/cat"),
		dpkgList("libc6", "usr", "usr/lib", "usr/lib/libc.so.6", "usr/lib/ld.so"),
		dpkgList("zlib1g", "usr/lib", "usr/lib/libz.so.1"),
		it.SizedFile("etc/os-release", 20), it.SizedFile("usr/bin/ls", 1000), it.SizedFile("usr/bin/cat", 500),
		it.SizedFile("usr/lib/libc.so.6", 9000), it.SizedFile("usr/lib/ld.so", 2000), it.SizedFile("usr/lib/libz.so.1", 700),
		it.SizedFile("opt/app/server", 300),
	)
	l1 := it.Tar(
		dpkgStatus("base-files 12.4", "coreutils 9.2-1", "libc6 2.36-9", "zlib1g 1.2.13", "curl 8.5.0-2"),
		dpkgList("coreutils", "usr", "usr/bin", "usr/bin/ls", "usr/bin/cat"),
		dpkgList("curl", "usr/bin/curl", "usr/lib/libcurl.so.4", "usr/share/doc/curl", "usr/share/doc/curl/copyright"),
		it.SizedFile("usr/bin/ls", 1100), it.SizedFile("usr/bin/cat", 400),
		it.Dir("usr/share"), it.Dir("usr/share/doc"), it.Dir("usr/share/doc/curl"),
		it.SizedFile("usr/bin/curl", 3000), it.SizedFile("usr/lib/libcurl.so.4", 4000), it.SizedFile("usr/share/doc/curl/copyright", 50),
		it.Dir("var/cache"), it.Dir("var/cache/apt"), it.SizedFile("var/cache/apt/curl.deb", 2500),
	)
	l2 := it.Tar(
		dpkgStatus("base-files 12.4", "coreutils 9.2-1", "libc6 2.36-9", "curl 8.5.0-2"),
		it.Whiteout("var/lib/dpkg/info/zlib1g.list"), it.Whiteout("usr/lib/libz.so.1"),
		it.SizedFile("opt/app/config", 80),
	)
	layers := []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip), it.MustLayer(t, l2, it.Gzip)}
	hist := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / "},
		{CreatedBy: "RUN /bin/sh -c apt-get install -y curl"},
		{CreatedBy: "RUN /bin/sh -c apt-get purge -y zlib1g"},
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, hist, nil), analyze.Options{Reference: "debian-ish:1"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return res
}

// packageNames is what the overlay lists, in order.
func packageNames(m *Model) []string {
	var out []string
	for _, r := range m.packages.rows {
		out = append(out, r.name)
	}
	return out
}

// shownFiles are the tree's rows that are no directories, by path.
func shownFiles(m *Model) []string {
	var out []string
	for _, n := range m.tree.rows {
		if !m.tree.vt.nodes[n].dir {
			out = append(out, m.tree.vt.path(n))
		}
	}
	slices.Sort(out)
	return out
}

// cursorTo moves the overlay's cursor to the package called name.
func cursorTo(t *testing.T, m *Model, name string) {
	t.Helper()
	i := slices.Index(packageNames(m), name)
	if i < 0 {
		t.Fatalf("%s not listed: %v", name, packageNames(m))
	}
	press(t, m, "g")
	for range i {
		press(t, m, "down")
	}
}

// TestPackagesOverlay: p lists what the selected layer did to its
// packages, largest first; o sorts by name and back; s switches to the
// whole image's packages; enter shows exactly the chosen package's files
// in the final filesystem, and esc shows every file again.
func TestPackagesOverlay(t *testing.T) {
	res := pkgFixture(t)
	m := newTestModel(t, res, 80, 24)
	press(t, m, "down", "p") // layer 1
	if m.overlay != overlayPackages || m.packages.image {
		t.Fatalf("p: overlay %d, image list %v; want layer 1's packages", m.overlay, m.packages.image)
	}
	var bySize, byName []string
	for _, p := range res.Layers[1].Packages {
		bySize = append(bySize, p.Name)
	}
	if got := packageNames(m); !slices.Equal(got, bySize) || !slices.Equal(got, []string{"curl", "coreutils"}) {
		t.Errorf("layer 1 lists %v, want its packages largest first %v (curl 7 kB, coreutils 1.5 kB)", got, bySize)
	}
	if r := m.packages.rows[1]; r.symbol != "~" || r.version != "9.1-1 → 9.2-1" || r.size != 1500 || r.files != 2 {
		t.Errorf("coreutils row %+v, want the upgrade 9.1-1 → 9.2-1 with 1500 bytes in 2 files", r)
	}
	golden(t, "packages_layer_80x24", frame(m))

	press(t, m, "o")
	byName = slices.Sorted(slices.Values(bySize))
	if got := packageNames(m); !slices.Equal(got, byName) || !strings.Contains(m.packages.Title(), "by name") {
		t.Errorf("o: %v titled %q, want %v by name", got, m.packages.Title(), byName)
	}
	press(t, m, "o")
	if got := packageNames(m); !slices.Equal(got, bySize) || !strings.Contains(m.packages.Title(), "by size") {
		t.Errorf("o twice: %v titled %q, want %v by size", got, m.packages.Title(), bySize)
	}

	press(t, m, "s")
	var image []string
	for _, p := range res.Packages {
		image = append(image, p.Name)
	}
	if got := packageNames(m); !m.packages.image || !slices.Equal(got, image) || slices.Contains(got, "zlib1g") {
		t.Errorf("s: %v, want the final filesystem's %v (zlib1g removed)", got, image)
	}
	if title := m.packages.Title(); !strings.HasPrefix(title, "Packages: image, by size") {
		t.Errorf("title %q does not name the image list", title)
	}
	golden(t, "packages_image_80x24", frame(m))

	cursorTo(t, m, "curl")
	press(t, m, "enter")
	if m.overlay != overlayNone || m.tree.layer != 2 || m.tree.mode != modeStacked || m.focus != focusTree {
		t.Fatalf("enter: overlay %d, tree layer %d %v, focus %d; want the final filesystem's tree", m.overlay, m.tree.layer, m.tree.mode, m.focus)
	}
	if got := shownFiles(m); !slices.Equal(got, curlFiles) {
		t.Errorf("tree shows %q, want curl's files %q", got, curlFiles)
	}
	if p := m.tree.cursorPath(); p != "usr/lib/libcurl.so.4" {
		t.Errorf("cursor on %q, want curl's largest file", p)
	}
	if f := frame(m); !strings.Contains(f, "files of curl") {
		t.Errorf("the status line does not name the package:\n%s", f)
	}
	golden(t, "packages_files_80x24", frame(m))

	press(t, m, "esc")
	if got := shownFiles(m); len(got) <= len(curlFiles) || strings.Contains(frame(m), "files of curl") {
		t.Errorf("esc: the tree still shows only %q", got)
	}
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		m := newTestModel(t, res, sz[0], sz[1])
		press(t, m, "p")
		for i, l := range strings.Split(frame(m), "\n") {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
		press(t, m, "p")
		if m.overlay != overlayNone {
			t.Errorf("%dx%d: p did not close the overlay", sz[0], sz[1])
		}
	}
}

// TestPackagesLayerJump: from a layer's own list, enter shows the files of
// the package that layer wrote, in that layer's view; a package the layer
// removed has none to show, and the status line says so.
func TestPackagesLayerJump(t *testing.T) {
	res := pkgFixture(t)
	m := newTestModel(t, res, 100, 30)
	press(t, m, "down", "p")
	cursorTo(t, m, "coreutils")
	press(t, m, "enter")
	if m.tree.layer != 1 || m.tree.mode != modeLayer {
		t.Fatalf("tree on layer %d %v, want layer 1's own view", m.tree.layer, m.tree.mode)
	}
	if got := shownFiles(m); !slices.Equal(got, coreutilsFiles) {
		t.Errorf("tree shows %q, want coreutils' files %q", got, coreutilsFiles)
	}
	if p := m.tree.cursorPath(); p != "usr/bin/ls" {
		t.Errorf("cursor on %q, want coreutils' largest file", p)
	}

	press(t, m, "esc", "shift+tab", "down", "p") // the history again; layer 2
	if got := packageNames(m); !slices.Contains(got, "zlib1g") || m.packages.rows[slices.Index(got, "zlib1g")].symbol != "-" {
		t.Fatalf("layer 2 lists %v, want zlib1g removed", got)
	}
	cursorTo(t, m, "zlib1g")
	press(t, m, "enter")
	if f := frame(m); m.overlay != overlayNone || !strings.Contains(f, "zlib1g is not in the final filesystem") {
		t.Errorf("enter on a removed package: overlay %d, frame:\n%s", m.overlay, f)
	}
	if m.tree.pkg >= 0 {
		t.Errorf("a removed package filtered the tree to package %d", m.tree.pkg)
	}
}

// TestPackagesNoDatabase: an image without package databases says so in
// the overlay, and the file details name no package.
func TestPackagesNoDatabase(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	press(t, m, "p")
	if f := frame(m); !strings.Contains(f, "no package database in this image") {
		t.Errorf("no note on the missing database:\n%s", f)
	}
	press(t, m, "esc", "tab", "j", "j")
	if f := frame(m); strings.Contains(f, "unpackaged") || strings.Contains(f, "Package:") {
		t.Errorf("the details name a package in an image without any:\n%s", f)
	}
}

// TestFileDetailsPackage: the file under the cursor is shown with the
// package that lists it, a regular file none lists as unpackaged, and a
// directory with neither.
func TestFileDetailsPackage(t *testing.T) {
	res := pkgFixture(t)
	m := newTestModel(t, res, 120, 30)
	press(t, m, "G", "s") // the final filesystem
	for _, tc := range []struct{ path, want string }{
		{"usr/bin/ls", "Package: coreutils 9.2-1 (dpkg)"},
		{"usr/lib/libc.so.6", "Package: libc6 2.36-9 (dpkg)"},
		{"opt/app/server", "unpackaged"},
		{"var/cache/apt/curl.deb", "unpackaged"},
		{"usr/lib", ""},
	} {
		if !m.tree.selectPath(tc.path, true) {
			t.Fatalf("%s not in the tree", tc.path)
		}
		status := strings.Split(frame(m), "\n")[28] // above the help line
		named := strings.Contains(status, "Package:") || strings.Contains(status, "unpackaged")
		if (tc.want == "" && named) || (tc.want != "" && !strings.Contains(status, tc.want)) {
			t.Errorf("%s: status %q, want %q", tc.path, status, tc.want)
		}
	}
}

// TestPackagesRealDebs: with real Debian packages installed as dpkg
// would, enter on a package shows in the tree exactly the paths its data
// tarball holds (directories aside), and the file details name it.
func TestPackagesRealDebs(t *testing.T) {
	debs := debtest.Fetch(t, "hello", "tree")
	hello, tree := debs[0], debs[1]
	l0 := it.Tar(debtest.Install(nil, hello)...)
	l1 := it.Tar(append(debtest.Install([]string{hello.Stanza()}, tree), it.SizedFile("app/main.py", 90))...)
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip)}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	m := newTestModel(t, res, 120, 40)
	press(t, m, "p")
	if got := packageNames(m); !slices.Equal(got, []string{"hello"}) {
		t.Fatalf("layer 0 lists %v, want hello", got)
	}
	press(t, m, "s")
	cursorTo(t, m, "tree")
	press(t, m, "enter")
	var want []string
	for _, f := range tree.Files {
		if !strings.HasSuffix(f.Name, "/") {
			want = append(want, f.Name)
		}
	}
	slices.Sort(want)
	if got := shownFiles(m); !slices.Equal(got, want) {
		t.Errorf("tree shows %q, want the paths of tree's .deb %q", got, want)
	}
	note := "Package: tree " + tree.Version + " (dpkg)"
	if status := strings.Split(frame(m), "\n")[38]; !strings.Contains(status, note) {
		t.Errorf("status %q lacks %q", status, note)
	}
}
