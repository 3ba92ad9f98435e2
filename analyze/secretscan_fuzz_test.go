package analyze

import (
	"archive/tar"
	"bytes"
	"context"
	"reflect"
	"testing"
)

// FuzzScanSignatures checks the signature scan on arbitrary bytes: it
// never panics, reports each kind at most once, and what it reports is
// part of the input and starts as its kind does.
func FuzzScanSignatures(f *testing.F) {
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMIIB" + string(bytes.Repeat([]byte("QUJD"), 20)) + "\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("id=AK" + "IAABCDEFGHIJKLMNOP ghp_" + string(bytes.Repeat([]byte("a1"), 18)) + " glpat-" + string(bytes.Repeat([]byte("x"), 20))))
	f.Add([]byte("xoxb-123456789012-abcdefghijkl github_pat_" + string(bytes.Repeat([]byte("A_"), 30))))
	f.Add([]byte("-----BEGIN -----BEGIN PRIVATE KEY-----"))
	starts := map[SecretKind][]string{
		SecretPrivateKey:  {"-----BEGIN "},
		SecretAWSKeyID:    {"AKIA", "ASIA"},
		SecretGitHubToken: {"ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"},
		SecretGitLabToken: {"glpat-"},
		SecretSlackToken:  {"xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		seen := map[SecretKind]bool{}
		scanSignatures(b, func(k SecretKind, s []byte) {
			if seen[k] {
				t.Fatalf("%s reported twice", k)
			}
			seen[k] = true
			if len(s) == 0 || !bytes.Contains(b, s) {
				t.Fatalf("%s %q is not part of the input", k, s)
			}
			ok := false
			for _, p := range starts[k] {
				ok = ok || bytes.HasPrefix(s, []byte(p))
			}
			if !ok {
				t.Fatalf("%s %q does not start as one", k, s)
			}
		})
	})
}

// FuzzSecretsBothReaders checks that the secret scan finds the same on the
// fast tar reader as on archive/tar (the path file hashing takes), and
// that both fail on the same layers: the scan reads entry data through
// either.
func FuzzSecretsBothReaders(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range []struct{ name, body string }{{"root/.ssh/id_rsa", "key bytes\n"}, {"app/.env", "A=1\n"}, {"app/t", "T=AK" + "IAABCDEFGHIJKLMNOP\n"}} {
		tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Mode: 0o600})
		tw.Write([]byte(e.body))
	}
	tw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, errFast := scanLayer(context.Background(), rawLayer{b}, newTree(), false, false, true, nil, 1)
		slow, errSlow := scanLayer(context.Background(), rawLayer{b}, newTree(), false, true, true, nil, 1)
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("fast reader error %v, archive/tar %v", errFast, errSlow)
		}
		if errFast != nil {
			return
		}
		if !reflect.DeepEqual(fast.secrets.found, slow.secrets.found) {
			t.Fatalf("fast reader found %+v, archive/tar %+v", fast.secrets.found, slow.secrets.found)
		}
	})
}
