package advice

import (
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestPackageFileMatchesInstalled: a cached package file's name finds the
// installed package it is a copy of, for each manager's file naming; an
// rpm's epoch, which its file name leaves out, does not stand in the way,
// and another version or architecture matches nothing.
func TestPackageFileMatchesInstalled(t *testing.T) {
	res := &analyze.Result{Packages: []analyze.Package{
		{Manager: "dpkg", Name: "curl", Version: "8.5.0", Architecture: "amd64"},
		{Manager: "dpkg", Name: "libc6", Version: "1:2.36-9", Architecture: "amd64"},
		{Manager: "apk", Name: "curl", Version: "8.5.0-r0", Architecture: "x86_64"},
		{Manager: "rpm", Name: "bash", Version: "5.2.15-3.el9", Architecture: "x86_64"},
		{Manager: "rpm", Name: "tool", Version: "1:3.2-1", Architecture: "noarch"},
	}}
	inst := installed(res)
	for _, tc := range []struct{ file, ext, want string }{
		{"curl_8.5.0_amd64.deb", ".deb", "curl 8.5.0"},
		{"libc6_1%3a2.36-9_amd64.deb", ".deb", "libc6 1:2.36-9"},
		{"curl-8.5.0-r0.1a2b3c4d.apk", ".apk", "curl 8.5.0-r0"},
		{"bash-5.2.15-3.el9.x86_64.rpm", ".rpm", "bash 5.2.15-3.el9"},
		{"tool-3.2-1.noarch.rpm", ".rpm", "tool 1:3.2-1"},
		{"bash-5.2.15-4.el9.x86_64.rpm", ".rpm", ""},  // another release
		{"bash-5.2.15-3.el9.aarch64.rpm", ".rpm", ""}, // another architecture
		{"curl_8.6.0_amd64.deb", ".deb", ""},
	} {
		if got := inst[tc.ext+"\x00"+packageFileKey(tc.file, tc.ext)]; got != tc.want {
			t.Errorf("%s: installed %q, want %q", tc.file, got, tc.want)
		}
	}
}
