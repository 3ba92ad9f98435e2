package analyze_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// owners maps every path PackageOf answers for to its package's name.
func owners(res *analyze.Result) map[string]string {
	out := map[string]string{}
	for id := range res.Tree.Len() {
		if i, ok := res.PackageOf(analyze.NodeID(id)); ok {
			out[res.Tree.Path(analyze.NodeID(id))] = res.Packages[i].Name
		}
	}
	return out
}

// TestPackageOwners: the index names, for each path of the final
// filesystem a package lists (through the merged-/usr symlink), that
// package, and nothing for directories, files no package lists, or the
// files of a package removed since; PackageFiles lists the same paths.
func TestPackageOwners(t *testing.T) {
	res := run(t, dpkgFixture(t, it.Gzip))
	if !res.HasPackageDB() {
		t.Fatal("HasPackageDB is false for an image with a dpkg status")
	}
	want := map[string]string{
		"usr/bin/ls":     "coreutils",
		"usr/bin/cat":    "coreutils",
		"etc/os-release": "base-files",
	}
	if got := owners(res); !maps.Equal(got, want) {
		t.Errorf("owners %v, want %v", got, want)
	}
	for i, p := range res.Packages {
		var got []string
		for _, id := range res.PackageFiles(i) {
			got = append(got, res.Tree.Path(id))
		}
		var exp []string
		for path, name := range want {
			if name == p.Name {
				exp = append(exp, path)
			}
		}
		slices.Sort(got)
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("PackageFiles(%s) = %q, want %q", p.Name, got, exp)
		}
		if len(got) != p.Files {
			t.Errorf("%s: %d files listed, Package.Files says %d", p.Name, len(got), p.Files)
		}
	}

	plain := run(t, build(t, it.Gzip, []it.Entry{it.SizedFile("usr/bin/app", 10)}))
	if plain.HasPackageDB() {
		t.Error("HasPackageDB is true for an image without a database")
	}
	if id, ok := plain.Tree.Lookup("usr/bin/app"); !ok {
		t.Fatal("usr/bin/app not in the tree")
	} else if _, owned := plain.PackageOf(id); owned {
		t.Error("a file of an image without a database has an owner")
	}
	if got := plain.PackageFiles(0); got != nil {
		t.Errorf("PackageFiles without a database = %v", got)
	}
}
