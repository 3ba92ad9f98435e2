package advice

import (
	"fmt"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// A package cache that keeps package files (.deb, .apk, .rpm) holds, for
// each installed one, a second copy of what the image already has
// unpacked: the advice says how many there are and which installed
// packages they are of, so that the finding reads as the duplicate it is.

// pkgNamesShown is how many installed packages a finding names.
const pkgNamesShown = 3

// pkgFiles are the package files a cache left, by file name.
type pkgFiles struct {
	names []string
}

// add records name when it is a package file of the cache's kind.
func (f *pkgFiles) add(name, ext string) {
	if ext != "" && len(name) > len(ext) && strings.HasSuffix(name, ext) {
		f.names = append(f.names, name)
	}
}

// describe is " (2 .deb files, 1 of an installed package: curl 8.5.0)",
// or "" when the cache kept no package file.
func (f *pkgFiles) describe(ext string, inst map[string]string) string {
	if len(f.names) == 0 {
		return ""
	}
	count := fmt.Sprintf("%d %s file", len(f.names), ext)
	if len(f.names) > 1 {
		count += "s"
	}
	var of []string
	for _, n := range f.names {
		if p, ok := inst[ext+"\x00"+packageFileKey(n, ext)]; ok {
			of = append(of, p)
		}
	}
	switch {
	case len(of) == 0:
		return " (" + count + ")"
	case len(of) == 1:
		return fmt.Sprintf(" (%s, 1 of an installed package: %s)", count, of[0])
	}
	shown := strings.Join(of[:min(len(of), pkgNamesShown)], ", ")
	if len(of) > pkgNamesShown {
		shown += fmt.Sprintf(" and %d more", len(of)-pkgNamesShown)
	}
	return fmt.Sprintf(" (%s, %d of installed packages: %s)", count, len(of), shown)
}

// packageFileKey is what a package file's name says of the package, in
// the form installedKeys gives the installed ones: "curl_8.5.0" for
// apt's curl_8.5.0_amd64.deb (an epoch written %3a), "curl-8.5.0-r0" for
// apk's curl-8.5.0-r0.1a2b3c4d.apk, "bash-5.2.15-3.el9.x86_64" for
// dnf's bash-5.2.15-3.el9.x86_64.rpm (rpm file names leave the epoch out).
func packageFileKey(name, ext string) string {
	base := strings.TrimSuffix(name, ext)
	switch ext {
	case ".deb":
		n, rest, _ := strings.Cut(base, "_")
		v, _, _ := strings.Cut(rest, "_")
		return n + "_" + strings.ReplaceAll(v, "%3a", ":")
	case ".apk":
		if i := strings.LastIndexByte(base, '.'); i > 0 {
			base = base[:i] // the index's checksum of the package
		}
		return base
	case ".rpm":
		return base
	}
	return ""
}

// installed maps the keys packageFileKey makes to "name version", for
// every installed dpkg, apk and rpm package.
func installed(res *analyze.Result) map[string]string {
	keys := make(map[string]string, len(res.Packages))
	for _, p := range res.Packages {
		switch p.Manager {
		case "dpkg":
			keys[".deb\x00"+p.Name+"_"+p.Version] = p.Name + " " + p.Version
		case "apk":
			keys[".apk\x00"+p.Name+"-"+p.Version] = p.Name + " " + p.Version
		case "rpm":
			_, v, epoch := strings.Cut(p.Version, ":")
			if !epoch {
				v = p.Version
			}
			keys[".rpm\x00"+p.Name+"-"+v+"."+p.Architecture] = p.Name + " " + p.Version
		}
	}
	return keys
}
