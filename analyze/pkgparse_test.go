package analyze

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseDpkgStatus(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // name version arch size
	}{{
		name: "installed and gone",
		in: "Package: hello\nStatus: install ok installed\nInstalled-Size: 120\nArchitecture: amd64\nVersion: 2.10-3\n" +
			"Description: says hello\n a long\n description: with colons\n\n" +
			"Package: old\nStatus: deinstall ok config-files\nVersion: 1\n\n" +
			"Package: half\nStatus: install reinstreq half-installed\nVersion: 1\n",
		want: []string{"hello 2.10-3 amd64 122880"},
	}, {
		name: "distroless status.d, no Status",
		in:   "Package: libc6\nVersion: 2.36-9\nArchitecture: arm64\n",
		want: []string{"libc6 2.36-9 arm64 0"},
	}, {
		name: "CRLF, blank lines around, no version dropped",
		in:   "\r\n\r\nPackage: a\r\nVersion: 1\r\nStatus: install ok installed\r\n\r\n\r\nPackage: b\r\n\r\nPackage: c\r\nVersion: 2\r\n",
		want: []string{"a 1  0", "c 2  0"},
	}, {
		name: "a field repeated keeps the first, bad size ignored",
		in:   "Package: x\nPackage: y\nVersion: 3\nInstalled-Size: -4\n",
		want: []string{"x 3  0"},
	}, {
		name: "nothing",
		in:   "",
	}}
	for _, tt := range tests {
		var got []string
		for _, r := range parseDpkgStatus([]byte(tt.in)) {
			got = append(got, fmt.Sprintf("%s %s %s %d", r.name, r.version, r.arch, r.installedSize))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseApkInstalled(t *testing.T) {
	in := "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nI:622592\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n" +
		"P:busybox\nV:1.36.1-r5\nF:bin\nR:busybox\nF:etc/busybox\nR:../../escape\nR:sub/dir\nF:/usr/../usr/sbin\nR:\n\n\n" +
		"P:noversion\nF:x\nR:y\n\nV:9\n"
	var got []string
	for _, r := range parseApkInstalled([]byte(in)) {
		got = append(got, fmt.Sprintf("%s %s %s %d %s", r.name, r.version, r.arch, r.installedSize, strings.Join(r.files, ",")))
	}
	want := []string{
		"musl 1.2.4-r2 x86_64 622592 lib,lib/ld-musl-x86_64.so.1,lib/libc.musl-x86_64.so.1",
		// R: names no directory: ones with a slash are not file names.
		"busybox 1.36.1-r5  0 bin,bin/busybox,etc/busybox,usr/sbin",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestParseFileLists(t *testing.T) {
	list := parseDpkgList([]byte("/.\n/usr\n/usr/bin\n/usr/bin/hello\r\n/../../etc/shadow\n\n"))
	if want := []string{"usr", "usr/bin", "usr/bin/hello"}; !slices.Equal(list, want) {
		t.Errorf(".list: got %q, want %q", list, want)
	}
	sums := parseMd5sums([]byte("d41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/libc.so.6\nbroken line\nabc  ./etc/x\n"))
	if want := []string{"usr/lib/x86_64-linux-gnu/libc.so.6", "etc/x"}; !slices.Equal(sums, want) {
		t.Errorf(".md5sums: got %q, want %q", sums, want)
	}
}

func TestIsPackageDB(t *testing.T) {
	for p, want := range map[string]bool{
		"var/lib/dpkg/status": true, "var/lib/dpkg/status-old": false, "var/lib/dpkg/status.d/libc6": true,
		"var/lib/dpkg/status.d/libc6.md5sums": true, "var/lib/dpkg/status.d/": false, "var/lib/dpkg/status.d/a/b": false,
		"var/lib/dpkg/info/hello.list": true, "var/lib/dpkg/info/libc6:amd64.list": true, "var/lib/dpkg/info/.list": false,
		"var/lib/dpkg/info/hello.md5sums": false, "var/lib/dpkg/info/x/y.list": false, "lib/apk/db/installed": true,
		"lib/apk/db/lock": false, "usr/lib/apk/db/installed": false, "etc/passwd": false,
	} {
		if got := isPackageDB(p); got != want {
			t.Errorf("isPackageDB(%q) = %v, want %v", p, got, want)
		}
	}
}

// The parsers read files an image supplies: whatever the bytes, they
// return, and what they return holds together.
func FuzzDpkgStatus(f *testing.F) {
	f.Add([]byte("Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nInstalled-Size: 120\n\nPackage: b\nVersion: 1\n"))
	f.Add([]byte("Package:\nVersion: 1\n \n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range parseDpkgStatus(b) {
			if r.name == "" || r.version == "" || r.installedSize < 0 || strings.Contains(r.name, "\n") {
				t.Fatalf("record %+v from %q", r, b)
			}
		}
		for _, p := range append(parseDpkgList(b), parseMd5sums(b)...) {
			checkListed(t, p)
		}
	})
}

func FuzzApkInstalled(f *testing.F) {
	f.Add([]byte("P:musl\nV:1.2.4-r2\nI:622592\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:b\nV:1\n"))
	f.Add([]byte("R:x\nF:../..\nR:y\nP:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range parseApkInstalled(b) {
			if r.name == "" || r.version == "" || r.installedSize < 0 {
				t.Fatalf("record %+v from %q", r, b)
			}
			for _, p := range r.files {
				checkListed(t, p)
			}
		}
	})
}

// checkListed fails unless p is a normalised path inside the root.
func checkListed(t *testing.T, p string) {
	t.Helper()
	if n, err := normalize(p); err != nil || n != p || p == "" {
		t.Fatalf("listed path %q is not normalised (%q, %v)", p, n, err)
	}
}
