package analyze_test

import (
	"context"
	"slices"
	"testing"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// fileOwners lists "path package" for every node PackageOf gives one.
func fileOwners(res *analyze.Result) []string {
	var out []string
	for id := range res.Tree.Len() {
		if i, ok := res.PackageOf(analyze.NodeID(id)); ok {
			out = append(out, res.Tree.Path(analyze.NodeID(id))+" "+res.Packages[i].Name)
		}
	}
	slices.Sort(out)
	return out
}

// TestPackageOfFiles: each final file a package lists, through merged-/usr
// symlinks, is that package's; directories, files no package lists, and
// the files of a removed package are nobody's; the index is into
// Result.Packages as sorted. The warm run's say the same (TestPackagesSurviveCache).
func TestPackageOf(t *testing.T) {
	res, err := analyze.Analyze(context.Background(), dpkgFixture(t, it.Gzip), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"etc/os-release base-files", "usr/bin/cat coreutils", "usr/bin/ls coreutils"}
	if got := fileOwners(res); !slices.Equal(got, want) {
		t.Errorf("owners\n got %q\nwant %q", got, want)
	}
	for _, p := range []string{"usr/bin", "opt/app/server", "usr/bin/hello", "var/cache/apt/archives/hello_2.10-3_amd64.deb"} {
		if id, ok := res.Tree.Lookup(p); ok {
			if i, owned := res.PackageOf(id); owned {
				t.Errorf("%s owned by %s, want nobody", p, res.Packages[i].Name)
			}
		}
	}
	plain := run(t, cacheFixture(t))
	if id, ok := plain.Tree.Lookup("etc/os-release"); !ok {
		t.Fatal("cache fixture lacks etc/os-release")
	} else if _, owned := plain.PackageOf(id); owned {
		t.Error("an image without a package database has an owned file")
	}
	if _, owned := plain.PackageOf(analyze.NodeID(plain.Tree.Len() + 5)); owned {
		t.Error("a node beyond the Tree is owned")
	}
}
