package debtest

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// Bookworm returns the root of a Debian bookworm minbase made with
// debootstrap, kept under the temp directory for later runs. It takes
// minutes the first time, so it runs only when STRATA_DEBOOTSTRAP=1, and
// skips when debootstrap is not installed or fails.
func Bookworm(t testing.TB) string {
	t.Helper()
	if os.Getenv("STRATA_DEBOOTSTRAP") != "1" {
		t.Skip("set STRATA_DEBOOTSTRAP=1 to build a Debian bookworm base with debootstrap (minutes the first time)")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skip("debootstrap not installed (apt-get install debootstrap)")
	}
	root := filepath.Join(cacheDir(), "bookworm")
	done := root + ".done"
	if _, err := os.Stat(done); err == nil {
		return root
	}
	if err := os.MkdirAll(cacheDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(root)
	out, err := exec.Command("debootstrap", "--variant=minbase", "bookworm", root, "http://deb.debian.org/debian").CombinedOutput()
	if err != nil {
		t.Skipf("debootstrap failed: %v: %s", err, lastLine(out))
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// Rootfs is every entry under root as a layer holds it: regular files with
// their content, directories, symlinks, and device nodes as bare headers.
// Hard links are stored as copies, which sizes the layer as a tar of the
// tree without -h would not; debootstrap's minbase has none that matter.
func Rootfs(t testing.TB, root string) []it.Entry {
	t.Helper()
	var es []it.Entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := int64(info.Mode().Perm())
		switch {
		case d.IsDir():
			es = append(es, it.Entry{Name: rel + "/", Type: tar.TypeDir, Mode: mode})
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			es = append(es, it.Symlink(rel, target))
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if b == nil {
				b = []byte{}
			}
			es = append(es, it.Entry{Name: rel, Body: b, Mode: mode})
		case info.Mode()&fs.ModeCharDevice != 0:
			es = append(es, it.Entry{Name: rel, Type: tar.TypeChar, Mode: mode})
		case info.Mode()&fs.ModeNamedPipe != 0:
			es = append(es, it.Entry{Name: rel, Type: tar.TypeFifo, Mode: mode})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", root, err)
	}
	return es
}

// Stanzas splits a status file into its packages' stanzas.
func Stanzas(t testing.TB, root string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for s := range strings.SplitSeq(string(b), "\n\n") {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// Installed lists "name version" of every package dpkg itself says is
// installed under root.
func Installed(t testing.TB, root string) []string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W",
		"-f=${db:Status-Abbrev}|${Package}|${Version}\n").Output()
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	var pkgs []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) == 3 && strings.HasPrefix(f[0], "ii") {
			pkgs = append(pkgs, fmt.Sprintf("%s %s", f[1], f[2]))
		}
	}
	return pkgs
}

// ListedBytes sums, per package, the sizes of the regular files its
// info/<name>.list names under root, each directory resolved through the
// tree's own symlinks: what the package's files hold, measured on disk.
func ListedBytes(t testing.TB, root string) map[string]int64 {
	t.Helper()
	lists, err := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, l := range lists {
		name, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(l), ".list"), ":")
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for p := range strings.SplitSeq(string(b), "\n") {
			if p == "" || p == "/." {
				continue
			}
			dir, err := filepath.EvalSymlinks(filepath.Join(root, filepath.Dir(p)))
			if err != nil || !strings.HasPrefix(dir+"/", root+"/") {
				continue
			}
			full := filepath.Join(dir, filepath.Base(p))
			if info, err := os.Lstat(full); err == nil && info.Mode().IsRegular() && !seen[full] {
				seen[full] = true
				sizes[name] += info.Size()
			}
		}
	}
	return sizes
}
