package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/debtest"
	"github.com/strata-cli/strata/internal/dockertest"
	"github.com/strata-cli/strata/report"
)

// TestCLIDpkgUnderDockerBuild is the package attribution checked against
// dpkg itself: a debootstrap bookworm base imported into Docker, and real
// `dpkg -i` / `dpkg --purge` steps run by the image's own dpkg under
// `docker build`. For every layer, the packages strata says it added,
// removed or upgraded are exactly the difference between what dpkg lists
// in the image built up to that step and the one below; their sizes add
// up to the layer's packaged bytes; and the image's packages are what
// dpkg lists at the end. Opt-in (STRATA_DEBOOTSTRAP=1): the base takes
// minutes to make the first time.
func TestCLIDpkgUnderDockerBuild(t *testing.T) {
	root := debtest.Bookworm(t)
	dockertest.Require(t)
	debs := debtest.Fetch(t, "hello", "tree", "liblzma5")

	base := "strata-test/bookworm:base"
	importRootfs(t, root, base)

	ctx := t.TempDir()
	for _, d := range debs {
		copyFile(t, d.Path, filepath.Join(ctx, d.Name+".deb"))
	}
	// Each stage is the Dockerfile up to a step, so dpkg can be asked
	// what each layer left installed; the builder's cache makes the
	// stages share their layers with the last one.
	steps := []string{
		"COPY hello.deb tree.deb liblzma5.deb /tmp/",
		"RUN dpkg -i /tmp/hello.deb",
		"RUN dpkg -i /tmp/tree.deb && rm /tmp/hello.deb /tmp/tree.deb",
		// bookworm's updates hold a newer liblzma5 than debootstrap
		// installs: an upgrade (a reinstall, should they ever match).
		"RUN dpkg -i /tmp/liblzma5.deb && rm /tmp/liblzma5.deb",
		"RUN dpkg --purge hello",
	}
	var stages []string
	for i := range steps {
		df := "FROM " + base + "\n" + strings.Join(steps[:i+1], "\n") + "\n"
		dir := filepath.Join(ctx, fmt.Sprint("stage", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, d := range debs {
			copyFile(t, d.Path, filepath.Join(dir, d.Name+".deb"))
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		tag := fmt.Sprintf("strata-test/dpkg-stage:%d", i)
		dockertest.Build(t, tag, dir)
		stages = append(stages, tag)
	}
	last := stages[len(stages)-1]
	doc, _ := jsonRun(t, t.TempDir(), "docker-archive:"+dockertest.Save(t, last))
	if len(doc.Layers) != 1+len(steps) {
		t.Fatalf("%d layers, want %d", len(doc.Layers), 1+len(steps))
	}

	below := map[string]string{}
	for i, l := range doc.Layers {
		var now map[string]string
		if i == 0 {
			now = dpkgListed(t, base)
		} else {
			now = dpkgListed(t, stages[i-1])
		}
		want := packageDiff(below, now)
		var got []string
		var sum int64
		for _, p := range l.Packages {
			sum += p.SizeBytes
			if p.Change == "added" || p.Change == "removed" || p.Change == "upgraded" {
				got = append(got, p.Change+" "+p.Name+" "+p.Version)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("layer %d: strata %d changes, dpkg %d:\n got %q\nwant %q", i, len(got), len(want), got, want)
		}
		if sum != l.PackagedBytes {
			t.Errorf("layer %d: packages hold %d bytes, packagedBytes %d", i, sum, l.PackagedBytes)
		}
		t.Logf("layer %d: %d package rows, %d changes, %d packaged bytes, %d unpackaged", i, len(l.Packages), len(got), l.PackagedBytes, l.UnpackagedBytes)
		below = now
	}

	// hello's layer holds exactly the bytes of its .deb's regular files.
	if p := layerPackage(doc.Layers[2], "hello"); p == nil || p.SizeBytes != debs[0].RegularBytes() {
		t.Errorf("layer 2 hello: %+v, want %d bytes", p, debs[0].RegularBytes())
	}
	var final []string
	for _, p := range doc.Packages {
		final = append(final, p.Name+" "+p.Version)
	}
	var want []string
	for name, v := range dpkgListed(t, last) {
		want = append(want, name+" "+v)
	}
	slices.Sort(final)
	slices.Sort(want)
	if !slices.Equal(final, want) {
		t.Errorf("image packages %d, dpkg lists %d:\n got %q\nwant %q", len(final), len(want), final, want)
	}
}

// importRootfs makes a one-layer image of a directory with docker import.
func importRootfs(t *testing.T, root, tag string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", `tar --numeric-owner -C "$1" -cf - . | docker import - "$2"`, "sh", root, tag)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker import %s: %v\n%s", root, err, out)
	}
	dockertest.Cleanup(t, tag)
}

// dpkgListed is what dpkg inside image lists as installed: name -> version.
func dpkgListed(t *testing.T, image string) map[string]string {
	t.Helper()
	out := dockertest.Run(t, "run", "--rm", "--network", "none", image,
		"dpkg-query", "-W", "-f=${db:Status-Abbrev}|${Package}|${Version}\n")
	pkgs := map[string]string{}
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Split(line, "|")
		if len(f) == 3 && strings.HasPrefix(f[0], "ii") {
			pkgs[f[1]] = f[2]
		}
	}
	if len(pkgs) == 0 {
		t.Fatalf("dpkg in %s lists nothing:\n%s", image, out)
	}
	return pkgs
}

// packageDiff is "change name version" for every package installed in
// now and not in below (added), in both at other versions (upgraded), or
// only in below (removed, with the version it had).
func packageDiff(below, now map[string]string) []string {
	var out []string
	for name, v := range now {
		switch old, ok := below[name]; {
		case !ok:
			out = append(out, "added "+name+" "+v)
		case old != v:
			out = append(out, "upgraded "+name+" "+v)
		}
	}
	for name, v := range below {
		if _, ok := now[name]; !ok {
			out = append(out, "removed "+name+" "+v)
		}
	}
	slices.Sort(out)
	return out
}

func layerPackage(l report.JSONLayer, name string) *report.JSONLayerPackage {
	for i := range l.Packages {
		if l.Packages[i].Name == name {
			return &l.Packages[i]
		}
	}
	return nil
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
