package html

import (
	"slices"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/imagetest"
)

// leaves lists "path owner" for every file and group of small files.
func leaves(d *Document, n *Node, dir string, out *[]string) {
	for _, c := range n.Children {
		p := dir + "/" + c.Name
		if c.Kind == KindDir {
			leaves(d, c, p, out)
			continue
		}
		owner := "-"
		if c.Owner > 0 {
			owner = d.Packages[c.Owner-1].Name
		}
		*out = append(*out, p+" "+owner)
	}
}

// TestDataPackageOwners: the page data lists the packages and gives each
// file of the final filesystem its owner's index; files no package owns
// have none. When small files are grouped, each group holds one owner's
// files, so that grouping by package stays exact.
func TestDataPackageOwners(t *testing.T) {
	_, img := imagetest.DpkgPair(t)
	res := analyzeImage(t, img, "app:new")
	d, err := DataBudget(res, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range d.Packages {
		names = append(names, p.Name+" "+p.Version)
	}
	if want := []string{"libc6 2.36-10", "curl 8.5.0", "base-files 12.4"}; !slices.Equal(names, want) {
		t.Fatalf("packages %q, want %q (largest first)", names, want)
	}
	var got []string
	leaves(d, d.Tree.Root, "", &got)
	for _, want := range []string{"/usr/lib/libc.so.6 libc6", "/usr/bin/curl curl", "/etc/os-release base-files",
		"/opt/app/server -", "/var/cache/apt/archives/curl_8.5.0_amd64.deb -", "/var/lib/dpkg/status -"} {
		if !slices.Contains(got, want) {
			t.Errorf("leaves lack %q: %q", want, got)
		}
	}

	// A budget that groups everything but libc6: usr/bin holds curl's file
	// and etc holds base-files', each grouped with no unpackaged one.
	d, err = DataBudget(res, 2)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	leaves(d, d.Tree.Root, "", &got)
	if d.Tree.Threshold == 0 {
		t.Fatal("budget 2 grouped nothing")
	}
	seen := map[string]bool{}
	for _, l := range got {
		seen[l[strings.LastIndexByte(l, ' ')+1:]] = true
	}
	for _, owner := range []string{"libc6", "curl", "base-files", "-"} {
		if !seen[owner] {
			t.Errorf("grouped tree: no file or group of %s left: %q", owner, got)
		}
	}

	plain, err := Data(tinyResult(t))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Packages != nil {
		t.Errorf("an image without a package database lists packages %+v", plain.Packages)
	}
}

// TestGroupKeepsOneOwner: small files of several owners in one directory
// become one group per owner, and a small directory whose files two
// packages own is kept, to be grouped inside.
func TestGroupKeepsOneOwner(t *testing.T) {
	f := func(name string, size int64, owner int) *Node {
		return &Node{Name: name, Size: size, Layer: 0, Files: 1, Owner: owner}
	}
	mixed := &Node{Name: "mixed", Kind: KindDir, Layer: 0, Children: []*Node{f("a", 1, 1), f("b", 1, 2)}}
	root := &Node{Kind: KindDir, Layer: -1, Children: []*Node{
		f("big", 100, 0), f("x", 2, 1), f("y", 2, 1), f("z", 2, 0), f("w", 2, 0), mixed,
	}}
	sum(root)
	group(root, 10)
	var got []string
	for _, c := range root.Children {
		got = append(got, c.Name+" "+c.Kind+" "+string(rune('0'+c.Owner)))
	}
	want := []string{"big  0", "(2 small files) s 0", "(2 small files) s 1", "mixed d 0"}
	if !slices.Equal(got, want) {
		t.Errorf("root after grouping %q, want %q", got, want)
	}
	if len(mixed.Children) != 2 || mixed.Children[0].Owner == mixed.Children[1].Owner {
		t.Errorf("the mixed directory's files were merged: %+v", mixed.Children)
	}
}
