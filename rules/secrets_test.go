package rules

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// secretImage stores a private key in layer 1 and deletes it in layer 2;
// layer 0 holds a public certificate, which is no finding.
func secretImage(t *testing.T) (*analyze.Result, string) {
	t.Helper()
	key := it.PrivateKeyPEM()
	var ls []v1.Layer
	for _, entries := range [][]it.Entry{
		{it.File("etc/ssl/certs/ca.pem", it.CertificatePEM())},
		{it.File("root/.ssh/id_rsa", key)},
		{it.Whiteout("root/.ssh/id_rsa")},
	} {
		ls = append(ls, it.MustLayer(t, it.Tar(entries...), it.Gzip))
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res, key
}

func TestSecretsRule(t *testing.T) {
	res, key := secretImage(t)
	if len(res.Secrets) != 1 {
		t.Fatalf("fixture: %d findings, want 1", len(res.Secrets))
	}
	fpr := res.Secrets[0].Fingerprint
	clean, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{it.MustLayer(t, it.Tar(it.File("src/test/id_rsa", "")), it.Gzip)}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	allow := func(globs ...string) Limit { return Limit{Enabled: true, Globs: globs} }
	tests := []struct {
		name    string
		res     *analyze.Result
		allow   Limit
		verdict Verdict
		detail  string
	}{
		{"hidden key", res, Limit{}, Fail, "1 secret found: root/.ssh/id_rsa (private-key " + fpr + ", deleted in layer 2, still readable in layer 1)"},
		{"allowed", res, allow("root/.ssh/*"), Pass, "no secrets found (1 allowed)"},
		{"allow elsewhere", res, allow("src/test/**"), Fail, "1 secret found: root/.ssh/id_rsa"},
		{"negated allow", res, allow("root/**", "!root/.ssh/id_rsa"), Fail, "1 secret found"},
		{"empty fixture named like a key", clean, Limit{}, Pass, "no secrets found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Defaults()
			r[Allow] = tc.allow
			var o *Outcome
			for _, out := range Evaluate(tc.res, r) {
				if out.Rule == "secrets" {
					o = &out
				}
			}
			if o == nil {
				t.Fatal("no secrets outcome with the default rules")
			}
			if o.Verdict != tc.verdict || !strings.HasPrefix(o.Detail, tc.detail) {
				t.Errorf("%s %q, want %s %q...", o.Verdict, o.Detail, tc.verdict, tc.detail)
			}
			if strings.Contains(o.Detail+strings.Join(o.Paths, ""), "PRIVATE KEY") || strings.Contains(o.Detail, key[40:80]) {
				t.Error("the outcome holds the key itself")
			}
			// A failure names the layer that stores the key (not the one
			// that hid it), for SARIF and annotations to locate.
			if tc.verdict == Fail && (len(o.Layers) != 1 || o.Layers[0] != 1) {
				t.Errorf("layers %v, want [1]", o.Layers)
			}
		})
	}
	r := Defaults()
	r[Secrets] = Limit{}
	for _, o := range Evaluate(res, r) {
		if o.Rule == "secrets" {
			t.Errorf("secrets disabled, yet evaluated: %+v", o)
		}
	}
}

func TestParseSwitch(t *testing.T) {
	for in, want := range map[string]bool{"on": true, "ON": true, "true": true, "yes": true, "off": false, "disabled": false, "": false} {
		l, err := parseSwitch(in)
		if err != nil || l.Enabled != want {
			t.Errorf("parseSwitch(%q) = %+v, %v; want enabled=%v", in, l, err, want)
		}
	}
	if _, err := parseSwitch("sometimes"); err == nil {
		t.Error("parseSwitch(sometimes) accepted")
	}
	o, err := ParseFile("ci.yaml", []byte("rules:\n  secrets: off\n  allow: [\"src/test/**\", \"**/*.example\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if o[Secrets] == nil || o[Secrets].Enabled || o[Allow] == nil || len(o[Allow].Globs) != 2 {
		t.Errorf("rules file: secrets %+v, allow %+v", o[Secrets], o[Allow])
	}
}
