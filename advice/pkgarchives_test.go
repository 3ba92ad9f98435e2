package advice_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// cacheMessage is the package-cache finding that starts with name.
func cacheMessage(t *testing.T, res *analyze.Result, name string) string {
	t.Helper()
	for _, a := range advice.Advise(res) {
		if a.Kind == advice.KindCache && strings.HasPrefix(a.Message, name+": ") {
			return a.Message
		}
	}
	t.Fatalf("no %s finding in %+v", name, advice.Advise(res))
	return ""
}

// TestAdvisePackageFiles: a package cache left in the image counts the
// package files it keeps and names the installed packages they are
// copies of, for dpkg and apk images; an rpm cache in an image without an
// rpm database is counted alone (TestPackageFileMatchesInstalled matches
// rpm file names).
func TestAdvisePackageFiles(t *testing.T) {
	_, newImg := it.DpkgPair(t)
	res, err := analyze.Analyze(context.Background(), newImg, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cacheMessage(t, res, "apt package archives"),
		"apt package archives: 900 B (1 .deb file, 1 of an installed package: curl 8.5.0) left in the final image by RUN apt-get install -y app: run apt-get clean"; !strings.HasPrefix(got, want) {
		t.Errorf("dpkg image:\n got %q\nwant %q...", got, want)
	}

	apkDB := it.File("lib/apk/db/installed", "P:curl\nV:8.5.0-r0\nA:x86_64\nF:usr/bin\nR:curl\n\nP:zlib\nV:1.3-r0\nA:x86_64\nF:lib\nR:libz.so.1\n\n")
	tests := []struct {
		name, kind string
		layer      []it.Entry
		want       string
	}{
		{"apk, two installed, one not", "apk cache", []it.Entry{apkDB, it.SizedFile("usr/bin/curl", 500), it.SizedFile("lib/libz.so.1", 100),
			it.SizedFile("var/cache/apk/curl-8.5.0-r0.1a2b3c4d.apk", 300), it.SizedFile("var/cache/apk/zlib-1.3-r0.99aa00bb.apk", 200),
			it.SizedFile("var/cache/apk/zlib-1.2-r0.0f0f0f0f.apk", 100), it.SizedFile("var/cache/apk/APKINDEX.ab.tar.gz", 50)},
			"apk cache: 650 B (3 .apk files, 2 of installed packages: curl 8.5.0-r0, zlib 1.3-r0) left in the final image by RUN install"},
		{"dpkg with an epoch, and no database", "apt package archives", []it.Entry{it.SizedFile("var/cache/apt/archives/perl_1%3a5.36_amd64.deb", 70),
			it.SizedFile("var/cache/apt/pkgcache.bin", 30)},
			"apt package archives: 100 B (1 .deb file) left"},
		{"zypper", "zypper cache", []it.Entry{it.SizedFile("var/cache/zypp/packages/repo/x86_64/bash-5.2-1.x86_64.rpm", 400)},
			"zypper cache: 400 B (1 .rpm file) left in the final image by RUN install: run zypper clean --all"},
		{"dnf5", "dnf5 cache", []it.Entry{it.SizedFile("var/cache/libdnf5/fedora-1/packages/a-1.rpm", 40), it.SizedFile("var/cache/libdnf5/fedora-1/packages/b-1.rpm", 40),
			it.SizedFile("var/cache/libdnf5/fedora-1/repodata/primary.xml.zst", 20)},
			"dnf5 cache: 100 B (2 .rpm files) left"},
		{"no package file: the message as before", "dnf cache", []it.Entry{it.SizedFile("var/cache/dnf/repodata.xml", 60)},
			"dnf cache: 60 B left in the final image by RUN install: run dnf clean all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := analyse(t, false, base, step{"RUN /bin/sh -c install", tt.layer})
			if got := cacheMessage(t, res, tt.kind); !strings.HasPrefix(got, tt.want) {
				t.Errorf("\n got %q\nwant %q...", got, tt.want)
			}
		})
	}
}
