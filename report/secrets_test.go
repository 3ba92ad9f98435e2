package report

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// secretResult analyses an image that stores a key in layer 1, deletes it
// in layer 2, and leaves a GitHub token visible in layer 0.
func secretResult(t *testing.T) (res *analyze.Result, secrets []string) {
	t.Helper()
	key, token := it.PrivateKeyPEM(), it.GitHubToken("report")
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.File("app/run.sh", "TOKEN="+token+"\n")), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("root/.ssh/id_rsa", key)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("root/.ssh/id_rsa")), it.Gzip),
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 2 {
		t.Fatalf("fixture: %d findings, want 2", len(res.Secrets))
	}
	return res, []string{token, "PRIVATE KEY", key[40:80]}
}

func TestReportSecrets(t *testing.T) {
	res, secrets := secretResult(t)
	var b bytes.Buffer
	if err := WriteReport(&b, res, ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"\nSecrets (never printed; a deleted one is still in its layer):\n",
		"  github-token  " + res.Secrets[0].Fingerprint + "     app/run.sh: in layer 0, visible in the final image\n",
		"  private-key   " + res.Secrets[1].Fingerprint + "     root/.ssh/id_rsa: deleted in layer 2, still readable in layer 1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	var doc struct {
		Secrets []JSONSecret `json:"secrets"`
	}
	var j bytes.Buffer
	if err := WriteJSONReport(context.Background(), &j, res, JSONReportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Secrets) != 2 || doc.Secrets[0].HiddenIn != nil || doc.Secrets[1].HiddenIn == nil || *doc.Secrets[1].HiddenIn != 2 ||
		doc.Secrets[1].Layer != 1 || doc.Secrets[1].Kind != "private-key" || doc.Secrets[1].Where != "deleted in layer 2, still readable in layer 1" {
		t.Errorf("json secrets = %+v", doc.Secrets)
	}
	var whole bytes.Buffer
	if err := EncodeJSON(&whole, NewJSONReport(res, false)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole.Bytes(), j.Bytes()) {
		t.Errorf("streamed JSON differs from the document:\n%s\nwant:\n%s", j.Bytes(), whole.Bytes())
	}
	for _, s := range secrets {
		if strings.Contains(out, s) || strings.Contains(j.String(), s) {
			t.Errorf("output holds secret material %q", s)
		}
	}

	// No findings, no section.
	b.Reset()
	if err := WriteReport(&b, analysedResult(t), ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Secrets") {
		t.Errorf("a report without findings has a Secrets section:\n%s", b.String())
	}
}

// TestMarkdownSecrets: the CI summary lists each finding with where it is
// readable, never the secret; a clean image gets no section.
func TestMarkdownSecrets(t *testing.T) {
	res, secrets := secretResult(t)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, CIRun{Result: res}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "### Secrets") || !strings.Contains(md, "| `root/.ssh/id_rsa` | private-key |") || !strings.Contains(md, "deleted in layer 2, still readable in layer 1") {
		t.Errorf("summary lacks the findings:\n%s", md)
	}
	for _, s := range secrets {
		if strings.Contains(md, s) {
			t.Errorf("summary holds a secret (%.12q...)", s)
		}
	}
	b.Reset()
	if err := WriteMarkdown(&b, CIRun{Result: it.SampleResult()}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "### Secrets") {
		t.Error("a clean image's summary has a Secrets section")
	}
}
