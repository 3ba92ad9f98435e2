package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
)

// docImage writes a docker-archive for the docs examples: a base layer,
// then a layer that installs a package and, when wasteful, leaves the apt
// lists to be deleted by a later layer.
func docImage(t *testing.T, path string, wasteful bool) {
	t.Helper()
	base := imagetest.Tar(imagetest.Dir("etc"), imagetest.Dir("usr"), imagetest.Dir("usr/bin"),
		imagetest.SizedFile("usr/bin/app", 40_000), imagetest.File("etc/os-release", "ID=debian\n"))
	install := []imagetest.Entry{imagetest.SizedFile("usr/bin/curl", 5_000)}
	if wasteful {
		install = append(install, imagetest.Dir("var"), imagetest.Dir("var/lib"), imagetest.Dir("var/lib/apt"),
			imagetest.Dir("var/lib/apt/lists"), imagetest.SizedFile("var/lib/apt/lists/deb.debian.org_Packages", 30_000))
	}
	cleanup := imagetest.Tar(imagetest.File("etc/motd", "hi\n"))
	if wasteful {
		cleanup = imagetest.Tar(imagetest.Whiteout("var/lib/apt/lists/deb.debian.org_Packages"))
	}
	var layers []v1.Layer
	for _, b := range [][]byte{base, imagetest.Tar(install...), cleanup} {
		layers = append(layers, imagetest.MustLayer(t, b, imagetest.Gzip))
	}
	img := imagetest.MustImage(t, layers, []v1.History{
		{CreatedBy: "ADD rootfs.tar /"}, {CreatedBy: "RUN apt-get install -y curl"}, {CreatedBy: "RUN rm -rf /var/lib/apt/lists/*"},
	}, nil)
	if err := imagetest.WriteDockerArchive(path, img, "app:ci"); err != nil {
		t.Fatal(err)
	}
}

// docCommands returns the strata command lines of a ```yaml block that
// follows the given heading in docs/ci.md.
func docCommands(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("docs/ci.md has no section %q", heading)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	re := regexp.MustCompile(`(?m)^\s*(?:- )?(?:run: )?(strata .*)$`)
	var cmds []string
	for _, m := range re.FindAllStringSubmatch(sec, -1) {
		cmds = append(cmds, m[1])
	}
	if len(cmds) == 0 {
		t.Fatalf("no strata commands under %q", heading)
	}
	return cmds
}

// splitArgs splits a documented command line: words, 'single-quoted'
// words, and a final "> FILE" redirection.
func splitArgs(line string) (args []string, redirect string) {
	if before, after, ok := strings.Cut(line, " > "); ok {
		line, redirect = before, strings.TrimSpace(after)
	}
	var cur strings.Builder
	inQuote, inWord := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			inQuote, inWord = !inQuote, true
		case r == ' ' && !inQuote:
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, redirect
}

// runDocCommand runs one documented command in dir, the image reference
// swapped for the fixture, with the given environment added.
func runDocCommand(t *testing.T, dir, line, fixture string, env ...string) result {
	t.Helper()
	args, redirect := splitArgs(line)
	args = args[1:] // "strata"
	for i, a := range args {
		if a == "docker://app:ci" {
			args[i] = "docker-archive:" + fixture
		}
	}
	r := runWith(t, dir, env, args...)
	if redirect != "" {
		if err := os.WriteFile(filepath.Join(dir, redirect), []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestDocsGitHubActions(t *testing.T) {
	cmds := docCommands(t, "GitHub Actions")
	for _, wasteful := range []bool{false, true} {
		dir := t.TempDir()
		fixture := filepath.Join(dir, "app.tar")
		docImage(t, fixture, wasteful)
		summary := filepath.Join(dir, "summary.md")
		for _, c := range cmds {
			r := runDocCommand(t, dir, c, fixture, "GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY="+summary)
			want := exitOK
			if wasteful {
				want = exitRuleFailed
			}
			if r.code != want {
				t.Errorf("%s (wasteful %v): exit %d, want %d\n%s%s", c, wasteful, r.code, want, r.stdout, r.stderr)
			}
			if wasteful && !strings.Contains(r.stderr, "::error title=strata lowest-efficiency::") {
				t.Errorf("no annotation on stderr:\n%s", r.stderr)
			}
			b, err := os.ReadFile(summary)
			if err != nil || !strings.Contains(string(b), "### Rules") {
				t.Errorf("no job summary written (%v):\n%s", err, b)
			}
		}
	}
}

func TestDocsGitLab(t *testing.T) {
	cmds := docCommands(t, "GitLab CI")
	for _, wasteful := range []bool{false, true} {
		dir := t.TempDir()
		docImage(t, filepath.Join(dir, "app.tar"), wasteful)
		for _, c := range cmds {
			r := runDocCommand(t, dir, c, "")
			want := exitOK
			if wasteful {
				want = exitRuleFailed
			}
			if r.code != want {
				t.Errorf("%s: exit %d, want %d: %s", c, r.code, want, r.stderr)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "strata-junit.xml"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Suite struct {
				Failures int `xml:"failures,attr"`
				Tests    int `xml:"tests,attr"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("strata-junit.xml: %v\n%s", err, b)
		}
		if doc.Suite.Tests != 5 || (doc.Suite.Failures > 0) != wasteful { // the four rules of the docs' job, and secrets
			t.Errorf("wasteful %v: %d tests, %d failures", wasteful, doc.Suite.Tests, doc.Suite.Failures)
		}
	}
}
