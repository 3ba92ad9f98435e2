package rpmtest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// Require skips the test when rpmbuild or rpm is not on PATH, or fails it
// when STRATA_REQUIRE_RPM=1 says they must be there.
func Require(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"rpmbuild", "rpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			why := tool + " not on PATH (apt-get install rpm)"
			if os.Getenv("STRATA_REQUIRE_RPM") == "1" {
				t.Fatalf("STRATA_REQUIRE_RPM=1 but %s", why)
			}
			t.Skipf("%s; skipping (set STRATA_REQUIRE_RPM=1 to fail instead)", why)
		}
	}
}

// Pkg is a package to build: noarch, with regular files of the given
// sizes (paths relative to the root) and the directories listed in Dirs
// owned as well.
type Pkg struct {
	Name, Version, Release string
	Epoch                  int // 0 for none
	Files                  map[string]int64
	Dirs                   []string
}

// EVR is the version as rpm shows it: [epoch:]version-release.
func (p Pkg) EVR() string {
	if p.Epoch != 0 {
		return fmt.Sprintf("%d:%s-%s", p.Epoch, p.Version, p.Release)
	}
	return p.Version + "-" + p.Release
}

// Paths are the package's files, sorted.
func (p Pkg) Paths() []string { return sortedKeys(p.Files) }

// Bytes is what the package's regular files hold.
func (p Pkg) Bytes() int64 {
	var n int64
	for _, s := range p.Files {
		n += s
	}
	return n
}

// Build writes a spec for p under dir and returns the .rpm rpmbuild made
// of it. Each file is filled with one letter of the package's name, so
// that two versions' files differ.
func Build(t testing.TB, dir string, p Pkg) string {
	t.Helper()
	top := filepath.Join(dir, "rpmbuild-"+p.Name+"-"+p.Version)
	if err := os.MkdirAll(top, 0o755); err != nil {
		t.Fatal(err)
	}
	var spec strings.Builder
	fmt.Fprintf(&spec, "Name: %s\nVersion: %s\nRelease: %s\n", p.Name, p.Version, p.Release)
	if p.Epoch != 0 {
		fmt.Fprintf(&spec, "Epoch: %d\n", p.Epoch)
	}
	fmt.Fprintf(&spec, "Summary: strata test package\nLicense: MIT\nBuildArch: noarch\n%%description\nstrata test package\n%%install\n")
	names := sortedKeys(p.Files)
	for _, f := range names {
		fmt.Fprintf(&spec, "mkdir -p %%{buildroot}/%s\nhead -c %d /dev/zero | tr '\\0' '%c' > %%{buildroot}/%s\n",
			path.Dir(f), p.Files[f], p.Name[0], f)
	}
	for _, d := range p.Dirs {
		fmt.Fprintf(&spec, "mkdir -p %%{buildroot}/%s\n", d)
	}
	spec.WriteString("%files\n")
	for _, d := range p.Dirs {
		fmt.Fprintf(&spec, "%%dir /%s\n", d)
	}
	for _, f := range names {
		fmt.Fprintf(&spec, "/%s\n", f)
	}
	specPath := filepath.Join(top, p.Name+".spec")
	if err := os.WriteFile(specPath, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("rpmbuild", "--define", "_topdir "+top, "--define", "_build_id_links none", "-bb", specPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild %s: %v\n%s", p.Name, err, out)
	}
	rpms, _ := filepath.Glob(filepath.Join(top, "RPMS", "noarch", p.Name+"-*.rpm"))
	if len(rpms) != 1 {
		t.Fatalf("rpmbuild %s made %q, want one package", p.Name, rpms)
	}
	return rpms[0]
}

// Rpm runs rpm on root with its database in /var/lib/rpm, without
// dependencies or scripts; args are the operation and its packages
// ("-i", file...; "-U", file...; "-e", name...). Extra --define options
// (a database backend) go in defines.
func Rpm(t testing.TB, root string, defines []string, args ...string) {
	t.Helper()
	full := []string{"--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "--noscripts"}
	for _, d := range defines {
		full = append(full, "--define", d)
	}
	cmd := exec.Command("rpm", append(full, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Installed lists "name evr" of every package rpm itself says is
// installed under root.
func Installed(t testing.TB, root string) []string {
	t.Helper()
	out, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa",
		"--qf", "%{NAME} %{EVR}\n").Output()
	if err != nil {
		t.Fatalf("rpm -qa: %v", err)
	}
	pkgs := strings.Fields(strings.TrimSpace(string(out)))
	var rows []string
	for i := 0; i+1 < len(pkgs); i += 2 {
		rows = append(rows, pkgs[i]+" "+pkgs[i+1])
	}
	slices.Sort(rows)
	return rows
}

// Diff is the layer that turns the tree before into the tree after, both
// as debtest.Rootfs reads them: every entry new or changed, and a
// whiteout for every path gone (one for a directory gone with all it
// held). The paths in rewritten are in it even when their content is the
// same, as a layer holds a file written again (a reinstall's).
func Diff(before, after []it.Entry, rewritten ...string) []it.Entry {
	key := func(e it.Entry) string { return strings.TrimSuffix(e.Name, "/") }
	was := map[string]it.Entry{}
	for _, e := range before {
		was[key(e)] = e
	}
	now := map[string]bool{}
	var out []it.Entry
	for _, e := range after {
		now[key(e)] = true
		old, ok := was[key(e)]
		if ok && !slices.Contains(rewritten, key(e)) && old.Type == e.Type && old.Mode == e.Mode && old.Linkname == e.Linkname && bytes.Equal(old.Body, e.Body) {
			continue
		}
		if ok && old.Type == tar.TypeDir && e.Type == tar.TypeDir {
			continue // a directory whose mode alone changed: not what these tests look at
		}
		out = append(out, e)
	}
	for _, e := range before {
		p := key(e)
		if now[p] {
			continue
		}
		if parent := path.Dir(p); parent != "." && !now[parent] {
			if _, ok := was[parent]; ok {
				continue // its directory's whiteout hides it
			}
		}
		out = append(out, it.Whiteout(p))
	}
	return out
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
