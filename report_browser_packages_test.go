package main

import (
	"path/filepath"
	"testing"

	"github.com/strata-cli/strata/internal/imagetest"
)

// TestHTMLReportPackageGroupingInBrowser opens the report of a dpkg image
// in headless Chromium and switches the treemap's grouping to packages:
// one group per package and one for the unpackaged files, a package's
// group opening on its files under their full paths, and the directory
// grouping coming back as it was. Like TestHTMLReportInBrowser it skips
// without chromium and chromedriver unless STRATA_REQUIRE_BROWSER=1.
func TestHTMLReportPackageGroupingInBrowser(t *testing.T) {
	chromium, driver := findBrowser(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	_, img := imagetest.DpkgPair(t)
	if err := imagetest.WriteDockerArchive(filepath.Join(dir, "deb.tar"), img, "app:deb"); err != nil {
		t.Fatal(err)
	}
	wd := openReport(t, driver, chromium, dir, out, "deb.tar")
	if v := wd.script(t, `return document.getElementById("group-box").hidden`); v != false {
		t.Fatal("an image with packages: the grouping control is hidden")
	}
	if g := wd.script(t, `return document.body.dataset.group`); g != "dir" {
		t.Errorf("the treemap starts grouped by %v, want dir", g)
	}

	wd.click(t, wd.find(t, `#group option[value="package"]`))
	var pk struct {
		Group, Root string
		Packages    []string
		Dirs        int
	}
	wd.scriptInto(t, `return {group: document.body.dataset.group, root: document.body.dataset.root,
		packages: [...document.querySelectorAll("#treemap .node[data-package]")].map((e) => e.getAttribute("data-package")),
		dirs: document.querySelectorAll('#treemap .node[data-path="/usr"]').length}`, &pk)
	t.Logf("grouped by package: %+v", pk)
	want := map[string]bool{"libc6 2.36-10": false, "curl 8.5.0": false, "base-files 12.4": false, "unpackaged": false}
	for _, p := range pk.Packages {
		if _, ok := want[p]; !ok {
			t.Errorf("unexpected package group %q", p)
		}
		want[p] = true
	}
	for p, seen := range want {
		if !seen {
			t.Errorf("no group for %q among %q", p, pk.Packages)
		}
	}
	if pk.Group != "package" || pk.Dirs != 0 {
		t.Errorf("after switching: %+v, want grouped by package and no directory rectangles", pk)
	}

	// Opening a package shows its files by their full paths.
	wd.call(t, "POST", "/element/"+wd.find(t, `#treemap .node[data-package="libc6 2.36-10"]`)+"/value", map[string]any{"text": "\uE007"}, nil)
	if root := wd.script(t, `return document.body.dataset.root`); root != "libc6 2.36-10" {
		t.Errorf("Enter on libc6: the treemap shows %v", root)
	}
	if n := wd.script(t, `return document.querySelectorAll('#treemap .node[data-path="/usr/lib/libc.so.6"]').length`); n != float64(1) {
		t.Errorf("libc6's group does not show /usr/lib/libc.so.6 (%v)", n)
	}

	wd.click(t, wd.find(t, `#group option[value="dir"]`))
	if root := wd.script(t, `return document.body.dataset.group + " " + document.body.dataset.root`); root != "dir /" {
		t.Errorf("back to directories: %v, want dir /", root)
	}
	if n := wd.script(t, `return document.querySelectorAll('#treemap .node[data-path="/usr"]').length`); n != float64(1) {
		t.Errorf("the directory tree is not back (%v /usr rectangles)", n)
	}
	for _, l := range wd.consoleErrors(t) {
		t.Errorf("console: %s", l)
	}
}
