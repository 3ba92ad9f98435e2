package compare

import (
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestDiffPackages: added, removed and upgraded packages with their byte
// deltas, largest change first; a package at the same version is not a
// change, and the architecture tells two packages of one name apart.
func TestDiffPackages(t *testing.T) {
	pkg := func(name, version, arch string, size int64) analyze.Package {
		return analyze.Package{Manager: "dpkg", Name: name, Version: version, Architecture: arch, SizeBytes: size}
	}
	old := []analyze.Package{pkg("libc6", "2.36-9", "amd64", 12000), pkg("curl", "8.5.0-1", "amd64", 500), pkg("python3.11", "3.11.2-6", "amd64", 90000), pkg("zlib1g", "1.2.13", "i386", 100)}
	new := []analyze.Package{pkg("libc6", "2.36-10", "amd64", 12400), pkg("curl", "8.5.0-1", "amd64", 520), pkg("python3.12", "3.12.1-1", "amd64", 95000), pkg("zlib1g", "1.2.13", "amd64", 110)}
	got := diffPackages(old, new)
	want := []PackageChange{
		{Manager: "dpkg", Name: "python3.12", Architecture: "amd64", Change: "added", NewVersion: "3.12.1-1", NewSizeBytes: 95000, DeltaBytes: 95000},
		{Manager: "dpkg", Name: "python3.11", Architecture: "amd64", Change: "removed", OldVersion: "3.11.2-6", OldSizeBytes: 90000, DeltaBytes: -90000},
		{Manager: "dpkg", Name: "libc6", Architecture: "amd64", Change: "upgraded", OldVersion: "2.36-9", NewVersion: "2.36-10", OldSizeBytes: 12000, NewSizeBytes: 12400, DeltaBytes: 400},
		{Manager: "dpkg", Name: "zlib1g", Architecture: "amd64", Change: "added", NewVersion: "1.2.13", NewSizeBytes: 110, DeltaBytes: 110},
		{Manager: "dpkg", Name: "zlib1g", Architecture: "i386", Change: "removed", OldVersion: "1.2.13", OldSizeBytes: 100, DeltaBytes: -100},
	}
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v\n want %+v", i, got[i], want[i])
		}
	}
	if d := diffPackages(nil, nil); d != nil {
		t.Errorf("no packages on either side: %+v, want nil (left out of the JSON)", d)
	}
}
