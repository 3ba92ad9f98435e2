package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// TestCLISecretsDockerBuild builds, with the local daemon, the two ways a
// credential ships in an image although the last step removed it: a key
// COPY'd in one step and rm'd in the next, and an .npmrc copied for an
// install and deleted after it. Decoys (an empty fixture named id_rsa, a
// public certificate, a README that mentions AKIA) stay visible and must
// not fire. It checks the CI rule, the report, --json, --allow and that a
// warm run from the cache says the same as the cold one.
func TestCLISecretsDockerBuild(t *testing.T) {
	dockertest.Require(t)
	const tag = "strata-test/cli-secrets:1"
	ctxDir := dockertest.Dockerfile(t)
	key := it.PrivateKeyPEM()
	token := it.GitHubToken("npm-dance")
	files := map[string]string{
		"id_rsa":                  key,
		"npmrc":                   "//registry.npmjs.org/:_authToken=" + token + "\n",
		"fixtures/id_rsa":         "",
		"fixtures/ca.pem":         it.CertificatePEM(),
		"fixtures/README.md":      "AWS access key ids start with AKIA; never commit one.\n",
		"fixtures/id_ed25519.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 test\n",
	}
	for name, body := range files {
		p := filepath.Join(ctxDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sh := func(s string) string {
		return `RUN ["/bin/busybox", "sh", "-c", "export PATH=/bin; /bin/busybox --install -s /bin && ` + s + `"]` + "\n"
	}
	dockerfile := "FROM scratch\nCOPY busybox /bin/busybox\n" + // layer 0
		"COPY id_rsa /root/.ssh/id_rsa\n" + // 1
		sh("test -s /root/.ssh/id_rsa && rm /root/.ssh/id_rsa") + // 2
		"COPY npmrc /app/.npmrc\n" + // 3
		sh("grep -q _authToken /app/.npmrc && rm /app/.npmrc") + // 4
		"COPY fixtures/ /app/test/fixtures/\n" // 5
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	dockertest.Build(t, tag, ctxDir)
	archive := dockertest.Save(t, tag)
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")

	r := run(t, dir, "--ci", "--cache-dir", cache, archive)
	if r.code != exitRuleFailed {
		t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr: %s", r.code, exitRuleFailed, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"FAIL  secrets: 2 secrets found: root/.ssh/id_rsa (private-key ",
		", deleted in layer 2, still readable in layer 1), app/.npmrc (github-token ",
		", deleted in layer 4, still readable in layer 3)\n",
		"\nSecrets (never printed; a deleted one is still in its layer):\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, s := range []string{token, "PRIVATE KEY", key[40:80]} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output holds %q", s)
		}
	}

	secrets := func(args ...string) []report.JSONSecret {
		t.Helper()
		r := run(t, dir, append([]string{"--json", "-", "--cache-dir", cache}, args...)...)
		if r.code != exitOK {
			t.Fatalf("--json: exit %d, stderr %q", r.code, r.stderr)
		}
		var doc report.JSONReport
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Secrets
	}
	warm := secrets(archive)
	if len(warm) != 2 || warm[0].Path != "root/.ssh/id_rsa" || warm[0].Kind != "private-key" || warm[0].Layer != 1 || warm[0].HiddenIn == nil || *warm[0].HiddenIn != 2 ||
		warm[1].Path != "app/.npmrc" || warm[1].Layer != 3 || warm[1].HiddenIn == nil || *warm[1].HiddenIn != 4 {
		t.Errorf("--json secrets = %+v", warm)
	}
	if cold := secrets("--no-cache", archive); !reflect.DeepEqual(cold, warm) {
		t.Errorf("cold run %+v, warm run %+v", cold, warm)
	}

	r = run(t, dir, "--ci", "-q", "--lowest-efficiency", "off", "--highest-user-wasted-percent", "off",
		"--allow", "root/.ssh/**", "--allow", "**/.npmrc", archive)
	if r.code != exitOK || !strings.Contains(r.stdout, "PASS  secrets: no secrets found (2 allowed)") {
		t.Errorf("with --allow: exit %d, stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
