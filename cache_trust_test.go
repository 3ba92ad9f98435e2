package main

import (
	"os"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestGateVerifiesCachedBlobs: an OCI layout whose layer blob was swapped
// for one holding a key, under the clean blob's name, after the clean
// layout was analysed once. Exploring or exporting trusts the cache (the
// documented trade-off: a record answers for the blob digest it was
// verified under); a --ci gate hashes the blob and fails with exit 2, and
// --verify-cached does the same outside a gate.
func TestGateVerifiesCachedBlobs(t *testing.T) {
	dir := t.TempDir()
	layout := ociLayout(t, dir, it.Gzip, it.Tar(it.File("etc/os-release", "ID=clean\n")))
	if r := run(t, dir, "--json", "/dev/null", "oci:"+layout); r.code != exitOK {
		t.Fatalf("first run: exit %d, %s", r.code, r.stderr)
	}
	secret, err := it.Compress(it.Tar(it.File("etc/os-release", "ID=clean\n"), it.File("root/id.pem", "PRIVATE KEY\n")), it.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(layerBlob(t, layout, 0), secret, 0o644); err != nil {
		t.Fatal(err)
	}

	gate := run(t, dir, "--ci", "--block", "**/*.pem", "oci:"+layout)
	wantError(t, gate, "reading layer 0")
	if !strings.Contains(gate.stderr, "digest") {
		t.Errorf("gate: stderr %q, want the digest mismatch named", gate.stderr)
	}
	explicit := run(t, dir, "--verify-cached", "--json", "/dev/null", "oci:"+layout)
	wantError(t, explicit, "reading layer 0")

	// Opted out: the cache answers, as it does for the explorer.
	trusted := run(t, dir, "--ci", "--verify-cached=false", "--block", "**/*.pem", "oci:"+layout)
	if trusted.code != exitOK {
		t.Errorf("--verify-cached=false: exit %d, stderr %q; want the cached record trusted", trusted.code, trusted.stderr)
	}
}
