package source

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// TestProvenance: the provenance attached to the chosen image is handed
// over, from an OCI layout (flat or behind a nested index), an OCI
// archive and a registry; another image's is not, nor an attestation
// that is not provenance.
func TestProvenance(t *testing.T) {
	amdP := &v1.Platform{OS: "linux", Architecture: "amd64"}
	armP := &v1.Platform{OS: "linux", Architecture: "arm64"}
	amd, arm := fixture(t, amdP), fixture(t, armP)
	amdD, _ := amd.Digest()
	armD, _ := arm.Digest()
	amdProv := []byte(`{"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"for":"amd64"}}`)
	armProv := []byte(`{"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"for":"arm64"}}`)
	flat := imagetest.MustIndex(t,
		imagetest.Manifest{Image: amd, Platform: amdP},
		imagetest.Manifest{Image: arm, Platform: armP},
		imagetest.ProvenanceAttestation(t, []byte(`{"predicateType":"https://spdx.dev/Document"}`), "https://spdx.dev/Document", amdD),
		imagetest.ProvenanceAttestation(t, armProv, "https://slsa.dev/provenance/v0.2", armD),
		imagetest.ProvenanceAttestation(t, amdProv, "https://slsa.dev/provenance/v0.2", amdD),
	)
	nested := imagetest.MustIndex(t, imagetest.Manifest{Index: flat, Tag: "multi"})
	bare := imagetest.MustIndex(t, imagetest.Manifest{Image: amd, Platform: amdP})

	dir := t.TempDir()
	refs := map[string]string{}
	for name, idx := range map[string]v1.ImageIndex{"flat": flat, "nested": nested, "bare": bare} {
		d := filepath.Join(dir, name)
		if err := imagetest.WriteOCILayout(d, idx); err != nil {
			t.Fatal(err)
		}
		refs[name] = "oci:" + d
	}
	if err := imagetest.WriteOCIArchive(filepath.Join(dir, "flat.tar"), flat); err != nil {
		t.Fatal(err)
	}
	refs["archive"] = "oci-archive:" + filepath.Join(dir, "flat.tar")
	host := registrytest.InProcess(t, nil)
	registrytest.PushIndex(t, host+"/strata/prov:1", flat)
	refs["registry"] = "registry://" + host + "/strata/prov:1"

	for _, tt := range []struct {
		name, ref, platform string
		want                []byte
	}{
		{"layout", refs["flat"], "linux/amd64", amdProv},
		{"layout, other platform", refs["flat"], "linux/arm64", armProv},
		{"nested index", refs["nested"] + ":multi", "linux/amd64", amdProv},
		{"archive", refs["archive"], "linux/amd64", amdProv},
		{"registry", refs["registry"], "linux/amd64", amdProv},
		{"no attestation", refs["bare"], "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			calls := 0
			img, err := Open(context.Background(), tt.ref, Options{Platform: tt.platform, Insecure: true,
				Provenance: func(b []byte) { got = b; calls++ }})
			if err != nil {
				t.Fatal(err)
			}
			Close(img)
			if !bytes.Equal(got, tt.want) || (tt.want != nil && calls != 1) {
				t.Errorf("provenance %q (%d calls), want %q", got, calls, tt.want)
			}
		})
	}
}
