package html

import (
	"bytes"
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestPageShowsSecrets: a key a later layer deleted is listed on the page
// with where it is still readable, in the markup (scripts off) and in the
// data, and the key itself is nowhere; a page without findings has no
// such section.
func TestPageShowsSecrets(t *testing.T) {
	key := it.PrivateKeyPEM()
	var ls []v1.Layer
	for _, entries := range [][]it.Entry{{it.File("root/.ssh/id_rsa", key)}, {it.Whiteout("root/.ssh/id_rsa")}} {
		ls = append(ls, it.MustLayer(t, it.Tar(entries...), it.Gzip))
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Render(&b, res); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`<h2 id="secrets-h">Secrets</h2>`, `<td class="path">/root/.ssh/id_rsa</td>`, "deleted in layer 1, still readable in layer 0", `"secrets":[{"path":"root/.ssh/id_rsa"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "PRIVATE KEY") || strings.Contains(page, key[40:80]) {
		t.Error("the page holds the key")
	}
	clean, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{it.MustLayer(t, it.Tar(it.File("etc/motd", "hi\n")), it.Gzip)}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := Render(&b, clean); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "secrets-h") || strings.Contains(b.String(), `"secrets"`) {
		t.Error("a page without findings has a secrets section")
	}
}
