package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/rules"
)

// TestInitFlavours writes every flavour's file, parses it with the rules
// parser, and checks the keys and the stack's own patterns.
func TestInitFlavours(t *testing.T) {
	stackPattern := map[string]string{
		"generic": `"var/lib/apt/lists/**"`,
		"node":    `"root/.npm/**"`,
		"python":  `"root/.cache/pip/**"`,
		"go":      `"root/.cache/go-build/**"`,
		"java":    `"root/.m2/repository/**"`,
	}
	for _, fl := range rules.Flavours {
		t.Run(fl, func(t *testing.T) {
			dir := t.TempDir()
			e, out, errb := fakeEnv(nil, nil, nil)
			if code := runCmd(t, e, dir, "init", "--flavour", fl); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb)
			}
			if !strings.Contains(out.String(), "wrote .strata-ci.yaml ("+fl+")") {
				t.Errorf("stdout = %q", out)
			}
			data, err := os.ReadFile(filepath.Join(dir, ".strata-ci.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := rules.ParseFile(".strata-ci.yaml", data)
			if err != nil {
				t.Fatalf("the written file does not parse: %v\n%s", err, data)
			}
			for i, s := range rules.Specs() {
				if o[i] == nil {
					t.Errorf("%s is not set", s.Name)
				}
				if !strings.Contains(string(data), "\n  "+s.Name+":") {
					t.Errorf("no %s: key", s.Name)
				}
			}
			r := o.Apply(rules.Defaults())
			for _, p := range []string{"**/.git/**", "**/*.pem", "root/.ssh/**", "**/.env", "**/id_rsa"} {
				if !strings.Contains(strings.Join(r[rules.Block].Globs, "\n"), p) {
					t.Errorf("block lacks %s", p)
				}
			}
			if !strings.Contains(string(data), stackPattern[fl]) {
				t.Errorf("lacks %s", stackPattern[fl])
			}
			// The CA bundles are spared, a private key is not.
			gs := rules.CompileGlobs(r[rules.Block].Globs)
			if _, hit := gs.Match("etc/ssl/certs/ca-certificates.pem"); hit {
				t.Error("the CA bundle is blocked")
			}
			if _, hit := gs.Match("app/certs/server.pem"); !hit {
				t.Error("a .pem in the app is not blocked")
			}
		})
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".strata-ci.yaml")
	if err := os.WriteFile(p, []byte("rules: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _, errb := fakeEnv(nil, nil, nil)
	if code := runCmd(t, e, dir, "init"); code != exitError || !strings.Contains(errb.String(), "already exists (use --force") {
		t.Errorf("exit %d, stderr %q", code, errb)
	}
	if b, _ := os.ReadFile(p); string(b) != "rules: {}\n" {
		t.Errorf("the file was changed: %q", b)
	}
	e, _, errb = fakeEnv(nil, nil, nil)
	if code := runCmd(t, e, dir, "init", "--force", "--flavour", "python"); code != exitOK {
		t.Fatalf("--force: exit %d, %s", code, errb)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "pip") {
		t.Errorf("--force did not replace the file")
	}
	e, _, errb = fakeEnv(nil, nil, nil)
	if code := runCmd(t, e, dir, "init", "--flavour", "rust"); code != exitError || !strings.Contains(errb.String(), `unknown --flavour "rust"`) {
		t.Errorf("exit %d, stderr %q", code, errb)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("dir holds %d entries, want 1", len(ents))
	}
}
