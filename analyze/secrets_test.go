package analyze_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func fp(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// found is one expected finding: kind and the secret it fingerprints.
type found struct {
	kind   analyze.SecretKind
	secret string
}

func TestSecretsByNameAndContent(t *testing.T) {
	key := it.PrivateKeyPEM()
	keyBlock := strings.TrimSuffix(key, "\n")
	aws := it.AWSKeyID("build")
	gh := it.GitHubToken("ci")
	pat := "github_" + "pat_" + strings.Repeat("A1b2", 20)
	gl := it.GitLabToken("deploy")
	slack := it.SlackToken("bot")
	dockerCfg := `{"auths":{"registry.example":{"auth":"dXNlcjpwYXNz"}}}`
	tests := []struct {
		name, path, body string
		want             []found // nil: no finding
	}{
		{"ssh key by content", "root/.ssh/id_rsa", key, []found{{analyze.SecretPrivateKey, keyBlock}}},
		{"ssh key by name", "home/u/.ssh/id_ed25519", "opaque key bytes\n", []found{{analyze.SecretSSHKey, "opaque key bytes\n"}}},
		{"empty fixture named like a key", "src/test/fixtures/id_rsa", "", nil},
		{"public key", "root/.ssh/id_rsa.pub", "ssh-ed25519 AAAAC3Nza user@host\n", nil},
		{"private key in .key", "etc/ssl/private/server.key", key, []found{{analyze.SecretPrivateKey, keyBlock}}},
		{"key inside other text", "app/config.yaml", "tls:\n  key: |\n" + key + "done: true\n", []found{{analyze.SecretPrivateKey, keyBlock}}},
		{"certificate .pem", "etc/ssl/certs/ca.pem", it.CertificatePEM(), nil},
		{"PEM header spelled in source", "app/pem.go", "const hdr = \"-----BEGIN RSA PRIVATE KEY-----\"\nfunc f() {}\n", nil},
		{"PEM header in documentation", "app/README.md", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n", nil},
		{"AKIA in prose", "app/README.md", "Access key ids start with AKIA and are twenty characters long.\n", nil},
		{"AWS documentation key", "app/README.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", nil},
		{"AWS key id", "app/deploy.sh", "export AWS_ACCESS_KEY_ID=" + aws + "\n", []found{{analyze.SecretAWSKeyID, aws}}},
		{"AWS key id too long", "app/data.txt", aws + "X\n", nil},
		{"GitHub token", "app/.github-token", gh, []found{{analyze.SecretGitHubToken, gh}}},
		{"GitHub fine-grained token", "app/run.sh", "TOKEN=" + pat + "\n", []found{{analyze.SecretGitHubToken, pat}}},
		{"GitHub prefix alone", "app/notes.txt", "tokens look like ghp_ and then 36 characters\n", nil},
		{"GitLab token", "app/ci.env.sh", "GL=" + gl, []found{{analyze.SecretGitLabToken, gl}}},
		{"Slack token", "app/slack.conf", "token: " + slack + "\n", []found{{analyze.SecretSlackToken, slack}}},
		{"Slack placeholder", "app/slack.conf", "token: xoxb-your-bot-token-here\n", nil},
		{"two kinds in one file", "app/.creds", aws + "\n" + gh + "\n", []found{{analyze.SecretAWSKeyID, aws}, {analyze.SecretGitHubToken, gh}}},
		{"npmrc with a token", "root/.npmrc", "//registry.npmjs.org/:_authToken=abc123\n", []found{{analyze.SecretNPMRC, "//registry.npmjs.org/:_authToken=abc123\n"}}},
		{"npmrc without one", "root/.npmrc", "registry=https://registry.npmjs.org/\n", nil},
		{"pypirc", "root/.pypirc", "[pypi]\nusername = u\npassword = p\n", []found{{analyze.SecretPyPIRC, "[pypi]\nusername = u\npassword = p\n"}}},
		{"netrc", "root/.netrc", "machine h login u password p\n", []found{{analyze.SecretNetrc, "machine h login u password p\n"}}},
		{"dotenv", "app/.env", "DB_PASSWORD=hunter2\n", []found{{analyze.SecretDotEnv, "DB_PASSWORD=hunter2\n"}}},
		{"aws credentials", "root/.aws/credentials", "[default]\naws_secret_access_key = x\n", []found{{analyze.SecretAWSCredentials, "[default]\naws_secret_access_key = x\n"}}},
		{"a file named credentials elsewhere", "usr/local/app/credentials", "[default]\naws_secret_access_key = x\n", nil},
		{"docker config", "root/.docker/config.json", dockerCfg, []found{{analyze.SecretDockerConfig, dockerCfg}}},
		{"kubeconfig", "root/.kube/config", "apiVersion: v1\nusers:\n- name: u\n", []found{{analyze.SecretKubeconfig, "apiVersion: v1\nusers:\n- name: u\n"}}},
		{"git credentials", "root/.git-credentials", "https://u:pw@git.example\n", []found{{analyze.SecretGitCredentials, "https://u:pw@git.example\n"}}},
		{"binary file", "app/bin/tool", "\x7fELF\x00\x00" + gh, nil},
		{"package tree", "app/node_modules/lib/test.js", "const t = '" + gh + "'\n", nil},
		{"credential name in a package tree", "app/node_modules/lib/.npmrc", "_auth=abc\n", []found{{analyze.SecretNPMRC, "_auth=abc\n"}}},
		{"toolchain test key", "usr/local/go/src/crypto/tls/testdata/example-key.pem", key, nil},
		{"python test certificate key", "usr/local/lib/python3.12/test/keycert.pem", key, nil},
		{"key named by name in testdata", "app/testdata/id_rsa", "k\n", []found{{analyze.SecretSSHKey, "k\n"}}},
		{"dot-slash tar names", "./root/.ssh/id_ed25519", "k\n", []found{{analyze.SecretSSHKey, "k\n"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := build(t, it.Gzip, []it.Entry{it.File("etc/hostname", "box\n"), {Name: tc.path, Body: []byte(tc.body)}})
			res := run(t, img)
			var want []analyze.Secret
			for _, f := range tc.want {
				want = append(want, analyze.Secret{Path: strings.TrimPrefix(tc.path, "./"), Kind: f.kind, Fingerprint: fp(f.secret), HiddenAt: analyze.NotHidden})
			}
			if !reflect.DeepEqual(res.Secrets, want) {
				t.Errorf("secrets = %+v\nwant %+v", res.Secrets, want)
			}
			for _, f := range tc.want {
				if strings.Contains(fmt.Sprintf("%+v %+v", res.Secrets, res.Layers[0].Secrets), f.secret) {
					t.Errorf("a finding holds the secret itself")
				}
			}
		})
	}
}

// TestSecretsHiddenByLaterLayers checks that a credential a later layer
// deleted or overwrote is reported with both layers.
func TestSecretsHiddenByLaterLayers(t *testing.T) {
	key := it.PrivateKeyPEM()
	img := build(t, it.Gzip,
		[]it.Entry{it.File("etc/hostname", "box\n")},
		[]it.Entry{it.File("root/.ssh/id_rsa", key), it.File("app/.env", "A=1\n"), it.File("app/keys/deploy.key", key)},
		[]it.Entry{it.File("app/.env", "# emptied\n")},
		[]it.Entry{it.Whiteout("root/.ssh/id_rsa")},
		[]it.Entry{it.Whiteout("app/keys")},
	)
	res := run(t, img)
	block := fp(strings.TrimSuffix(key, "\n"))
	want := []analyze.Secret{
		{Path: "app/.env", Kind: analyze.SecretDotEnv, Fingerprint: fp("A=1\n"), Layer: 1, HiddenAt: 2, Overwritten: true},
		{Path: "app/keys/deploy.key", Kind: analyze.SecretPrivateKey, Fingerprint: block, Layer: 1, HiddenAt: 4},
		{Path: "root/.ssh/id_rsa", Kind: analyze.SecretPrivateKey, Fingerprint: block, Layer: 1, HiddenAt: 3},
	}
	if !reflect.DeepEqual(res.Secrets, want) {
		t.Fatalf("secrets = %+v\nwant %+v", res.Secrets, want)
	}
	wheres := []string{
		"overwritten in layer 2, still readable in layer 1",
		"deleted in layer 4, still readable in layer 1",
		"deleted in layer 3, still readable in layer 1",
	}
	for i, s := range res.Secrets {
		if got := s.Where(); got != wheres[i] {
			t.Errorf("%s: Where() = %q, want %q", s.Path, got, wheres[i])
		}
	}
	visible := analyze.Secret{Layer: 2, HiddenAt: analyze.NotHidden}
	if got := visible.Where(); got != "in layer 2, visible in the final image" {
		t.Errorf("visible Where() = %q", got)
	}
}

// TestSecretsWithFileHashes checks that reading a file's start for the
// scan leaves its whole content to the file hash, and that the scan runs
// the same on archive/tar's path (HashFiles) as on the fast one.
func TestSecretsWithFileHashes(t *testing.T) {
	key := it.PrivateKeyPEM()
	big := strings.Repeat("x", 100<<10) + it.GitHubToken("late") // the token lies past the 16 KiB read
	img := build(t, it.Gzip, []it.Entry{it.File("root/.ssh/id_rsa", key), it.File("app/big.txt", big), it.File("app/small.txt", "plain\n")})
	fast := run(t, img)
	hashed, err := analyze.Analyze(context.Background(), img, analyze.Options{HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast.Secrets, hashed.Secrets) || len(fast.Secrets) != 1 || fast.Secrets[0].Path != "root/.ssh/id_rsa" {
		t.Fatalf("fast scan %+v, hashing scan %+v; want the key alone in both", fast.Secrets, hashed.Secrets)
	}
	bodies := []string{key, big, "plain\n"}
	for i, h := range hashed.Layers[0].FileHashes {
		if want := xxhash.Sum64String(bodies[i]); h != want {
			t.Errorf("file %d hash %x, want %x: the scan took bytes from the hash", i, h, want)
		}
	}
}

// TestSecretsOnArchiveTarFallback puts the credential after a GNU header,
// which the fast tar reader hands to archive/tar, data reads included.
func TestSecretsOnArchiveTarFallback(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{{"etc/gnu-long-" + strings.Repeat("n", 120), "x\n"}, {"root/.ssh/id_ed25519", "secret-bytes\n"}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Size: int64(len(f.body)), Mode: 0o600, Typeflag: tar.TypeReg, Format: tar.FormatGNU}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, buf.Bytes(), it.Gzip)}, nil, nil)
	res := run(t, img)
	if len(res.Secrets) != 1 || res.Secrets[0].Path != "root/.ssh/id_ed25519" || res.Secrets[0].Fingerprint != fp("secret-bytes\n") {
		t.Errorf("secrets = %+v; want the ssh key", res.Secrets)
	}
}

// TestSecretScanBudget checks the per-layer bound: once a layer's unnamed
// files have been read up to the budget, content signatures are no longer
// looked for in that layer, while names still are, and the next layer
// starts afresh.
func TestSecretScanBudget(t *testing.T) {
	var filler []it.Entry
	for i := range 4<<20/(16<<10) + 1 {
		filler = append(filler, it.SizedFile(fmt.Sprintf("app/data/%04d.bin", i), 16<<10))
	}
	gh := it.GitHubToken("after")
	layer := append(filler, it.File("app/token.txt", gh), it.File("root/.ssh/id_ed25519", "k\n"))
	img := build(t, it.Uncompressed, layer, []it.Entry{it.File("app/token2.txt", gh)})
	res := run(t, img)
	var got []string
	for _, s := range res.Secrets {
		got = append(got, fmt.Sprintf("%d %s %s", s.Layer, s.Path, s.Kind))
	}
	want := []string{"0 root/.ssh/id_ed25519 ssh-key", "1 app/token2.txt github-token"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// TestSecretsSurviveTheCache checks that layer and image records carry the
// findings: a warm run, from either record, reports what a cold one does.
func TestSecretsSurviveTheCache(t *testing.T) {
	key := it.PrivateKeyPEM()
	img := build(t, it.Gzip,
		[]it.Entry{it.File("etc/hostname", "box\n")},
		[]it.Entry{it.File("root/.ssh/id_rsa", key), it.File("app/run.sh", "T="+it.GitHubToken("c")+"\n"+it.AWSKeyID("c")+"\n")},
		[]it.Entry{it.Whiteout("root/.ssh/id_rsa")},
	)
	cold := run(t, img)
	if len(cold.Secrets) != 3 {
		t.Fatalf("cold run found %+v, want 3 findings", cold.Secrets)
	}
	c := &memCache{}
	for _, name := range []string{"filling", "warm (image record)", "layer records"} {
		if name == "layer records" {
			for k := range c.recs {
				if strings.HasPrefix(k, analyze.ImageKeyPrefix) {
					delete(c.recs, k)
				}
			}
		}
		c.hits = 0
		got, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		if name != "filling" && c.hits == 0 {
			t.Fatalf("%s: no record was used", name)
		}
		if !reflect.DeepEqual(got.Secrets, cold.Secrets) {
			t.Errorf("%s: secrets %+v, want %+v", name, got.Secrets, cold.Secrets)
		}
		for i := range got.Layers {
			if !reflect.DeepEqual(got.Layers[i].Secrets, cold.Layers[i].Secrets) {
				t.Errorf("%s: layer %d secrets %+v, want %+v", name, i, got.Layers[i].Secrets, cold.Layers[i].Secrets)
			}
		}
	}
}
