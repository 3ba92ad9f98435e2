package imagetest

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DpkgStatus is a dpkg status file of installed amd64 packages, each
// given as "name version".
func DpkgStatus(pkgs ...string) Entry {
	var b strings.Builder
	for _, p := range pkgs {
		name, version, _ := strings.Cut(p, " ")
		fmt.Fprintf(&b, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nDescription: %s\n\n", name, version, name)
	}
	return File("var/lib/dpkg/status", b.String())
}

// DpkgList is the info/<pkg>.list naming the package's paths, as dpkg
// writes it (absolute paths, "/." first).
func DpkgList(pkg string, paths ...string) Entry {
	return File("var/lib/dpkg/info/"+pkg+".list", "/.\n"+strings.Join(paths, "\n")+"\n")
}

// DpkgPair builds two one-step Debian-like images whose packages differ
// in every way a comparison reports: libc6 upgraded and grown by 500
// bytes, wget (3000 bytes) removed, curl (1000 bytes) added; base-files
// is the same in both, and opt/app belongs to no package. NEW leaves an
// apt archive of curl behind in var/cache/apt/archives.
func DpkgPair(t TB) (old, new v1.Image) {
	t.Helper()
	mk := func(entries ...Entry) v1.Image {
		base := []Entry{Dir("etc"), Dir("usr/bin/"), Dir("usr/lib/"), Dir("opt/app/"),
			DpkgList("base-files", "/etc", "/etc/os-release"), SizedFile("etc/os-release", 20),
			SizedFile("opt/app/server", 400)}
		return MustImage(t, []v1.Layer{MustLayer(t, Tar(append(base, entries...)...), Gzip)},
			[]v1.History{{CreatedBy: "RUN apt-get install -y app"}}, nil)
	}
	old = mk(DpkgStatus("base-files 12.4", "libc6 2.36-9", "wget 1.21"),
		DpkgList("libc6", "/usr/lib", "/usr/lib/libc.so.6"), SizedFile("usr/lib/libc.so.6", 12000),
		DpkgList("wget", "/usr/bin", "/usr/bin/wget"), SizedFile("usr/bin/wget", 3000))
	new = mk(DpkgStatus("base-files 12.4", "curl 8.5.0", "libc6 2.36-10"),
		DpkgList("libc6", "/usr/lib", "/usr/lib/libc.so.6"), SizedFile("usr/lib/libc.so.6", 12500),
		DpkgList("curl", "/usr/bin", "/usr/bin/curl"), SizedFile("usr/bin/curl", 1000),
		SizedFile("var/cache/apt/archives/curl_8.5.0_amd64.deb", 900))
	return old, new
}
