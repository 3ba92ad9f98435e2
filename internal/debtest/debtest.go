package debtest

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// Deb is one fetched package.
type Deb struct {
	Name, Version, Arch string
	// Path is the .deb file, kept in the cache directory.
	Path string
	// Control is the package's control file, as dpkg-deb -f prints it.
	Control string
	// Files are the package's entries, as its data tarball holds them,
	// with names normalised ("usr/bin/hello", directories "usr/bin/").
	Files []it.Entry
}

// RegularBytes sums the sizes of the package's regular files: what it
// holds in a layer that installs it.
func (d Deb) RegularBytes() int64 {
	var n int64
	for _, f := range d.Files {
		if f.Type == tar.TypeReg {
			n += int64(len(f.Body))
		}
	}
	return n
}

// Fetch returns the named packages, in order. It skips the test when
// apt-get or dpkg-deb is missing or the download fails, or fails it when
// STRATA_REQUIRE_DEBS=1 says packages must be reachable.
func Fetch(t testing.TB, names ...string) []Deb {
	t.Helper()
	var debs []Deb
	for _, name := range names {
		d, err := fetch(name)
		if err != nil {
			if os.Getenv("STRATA_REQUIRE_DEBS") == "1" {
				t.Fatalf("STRATA_REQUIRE_DEBS=1 but %s: %v", name, err)
			}
			t.Skipf("fetching Debian package %s: %v; skipping (set STRATA_REQUIRE_DEBS=1 to fail instead)", name, err)
		}
		debs = append(debs, d)
	}
	return debs
}

// cacheDir keeps fetched .deb files across test runs.
func cacheDir() string { return filepath.Join(os.TempDir(), "strata-debtest") }

func fetch(name string) (Deb, error) {
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return Deb{}, fmt.Errorf("%s not installed", tool)
		}
	}
	if err := os.MkdirAll(cacheDir(), 0o755); err != nil {
		return Deb{}, err
	}
	p, err := cached(name)
	if err != nil {
		return Deb{}, err
	}
	if p == "" {
		// Download into a directory of its own, then move the file in:
		// packages of tests running at once never see half a file.
		tmp, err := os.MkdirTemp(cacheDir(), "dl-")
		if err != nil {
			return Deb{}, err
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("apt-get", "download", "-q", name)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return Deb{}, fmt.Errorf("apt-get download: %v: %s", err, lastLine(out))
		}
		got, _ := filepath.Glob(filepath.Join(tmp, name+"_*.deb"))
		if len(got) != 1 {
			return Deb{}, fmt.Errorf("apt-get download left %d files for %s", len(got), name)
		}
		p = filepath.Join(cacheDir(), filepath.Base(got[0]))
		if err := os.Rename(got[0], p); err != nil {
			return Deb{}, err
		}
	}
	return read(p)
}

// cached returns the cached .deb of a package, or "".
func cached(name string) (string, error) {
	got, err := filepath.Glob(filepath.Join(cacheDir(), name+"_*.deb"))
	if err != nil || len(got) == 0 {
		return "", err
	}
	return got[0], nil
}

// read takes a .deb apart with dpkg-deb.
func read(p string) (Deb, error) {
	control, err := exec.Command("dpkg-deb", "-f", p).Output()
	if err != nil {
		return Deb{}, fmt.Errorf("dpkg-deb -f %s: %w", p, err)
	}
	d := Deb{Control: string(control), Path: p}
	for line := range strings.SplitSeq(d.Control, "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "Package":
			d.Name = strings.TrimSpace(v)
		case "Version":
			d.Version = strings.TrimSpace(v)
		case "Architecture":
			d.Arch = strings.TrimSpace(v)
		}
	}
	data, err := exec.Command("dpkg-deb", "--fsys-tarfile", p).Output()
	if err != nil {
		return Deb{}, fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w", p, err)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Deb{}, fmt.Errorf("reading %s's data: %w", p, err)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if name == "" {
			continue
		}
		e := it.Entry{Name: name, Type: hdr.Typeflag, Mode: hdr.Mode & 0o7777, Linkname: strings.TrimPrefix(hdr.Linkname, "./")}
		if hdr.Typeflag == tar.TypeReg {
			if e.Body, err = io.ReadAll(tr); err != nil {
				return Deb{}, err
			}
			if e.Body == nil {
				e.Body = []byte{}
			}
		}
		d.Files = append(d.Files, e)
	}
	return d, nil
}

// Stanza is the package's record in a status file: its control fields
// with the Status dpkg gives an installed package.
func (d Deb) Stanza() string {
	pkg, rest, _ := strings.Cut(strings.TrimRight(d.Control, "\n"), "\n")
	return pkg + "\nStatus: install ok installed\n" + rest + "\n"
}

// List is the package's info/<name>.list as dpkg writes it: "/." and then
// every path, directories without their slash.
func (d Deb) List() it.Entry {
	var b strings.Builder
	b.WriteString("/.\n")
	for _, f := range d.Files {
		b.WriteString("/" + strings.TrimSuffix(f.Name, "/") + "\n")
	}
	return it.File("var/lib/dpkg/info/"+d.Name+".list", b.String())
}

// Status is a status file holding the stanzas given (from Stanza or a
// real status file) followed by the packages'.
func Status(stanzas []string, debs ...Deb) it.Entry {
	var b strings.Builder
	for _, s := range stanzas {
		b.WriteString(strings.TrimRight(s, "\n") + "\n\n")
	}
	for _, d := range debs {
		b.WriteString(d.Stanza() + "\n")
	}
	return it.File("var/lib/dpkg/status", b.String())
}

// Install is a layer installing debs over a database whose status holds
// stanzas: the packages' files, their .list files and the new status.
func Install(stanzas []string, debs ...Deb) []it.Entry {
	var es []it.Entry
	for _, d := range debs {
		es = append(es, d.Files...)
		es = append(es, d.List())
	}
	return append(es, Status(stanzas, debs...))
}

// Remove is a layer removing d as dpkg --purge does, over a status that
// keeps stanzas: whiteouts of its regular files, links and .list, and the
// new status.
func Remove(stanzas []string, d Deb) []it.Entry {
	var es []it.Entry
	for _, f := range d.Files {
		if f.Type != tar.TypeDir {
			es = append(es, it.Whiteout(f.Name))
		}
	}
	return append(es, it.Whiteout("var/lib/dpkg/info/"+d.Name+".list"), Status(stanzas))
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
