package ui

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestSecretMarks: a key stored in layer 1 and deleted in layer 2 is
// marked in the wasted list and in the tree from layer 1 on, not in the
// base layer, which never held it.
func TestSecretMarks(t *testing.T) {
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.Dir("etc"), it.File("etc/hostname", "box\n"), it.File("etc/id_rsa.pub", "ssh-ed25519 AAAA\n")), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("root"), it.Dir("root/.ssh"), it.File("root/.ssh/id_rsa", it.PrivateKeyPEM())), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("root/.ssh/id_rsa")), it.Gzip),
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, res, 100, 30)
	if f := frame(m); strings.Contains(f, secretMark) {
		t.Errorf("layer 0 shows a secret mark:\n%s", f)
	}
	press(t, m, "w")
	if f := frame(m); !strings.Contains(f, "/root/.ssh/id_rsa"+secretMark) {
		t.Errorf("wasted list does not mark the key:\n%s", f)
	}
	press(t, m, "enter")
	if m.tree.layer != 1 {
		t.Fatalf("jump went to layer %d, want 1", m.tree.layer)
	}
	f := frame(m)
	if !strings.Contains(f, "id_rsa"+secretMark) || strings.Contains(f, "id_rsa.pub"+secretMark) {
		t.Errorf("layer 1 tree: want the key marked and the public key not:\n%s", f)
	}
}
