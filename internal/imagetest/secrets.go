package imagetest

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"strings"
)

// PrivateKeyPEM returns a PEM private key block, the same every time: an
// ed25519 key from a fixed seed. It is a key in shape only; nothing trusts
// it. Tokens below are assembled at run time, so that no secret scanner
// flags strata's own sources.
func PrivateKeyPEM() string {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		panic("imagetest: marshalling a fixed ed25519 key: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// CertificatePEM returns a PEM block labelled CERTIFICATE, as a public
// certificate bundle holds: a decoy for the private key signature.
func CertificatePEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte(strings.Repeat("public certificate bytes ", 20))}))
}

// AWSKeyID returns an access key id of the real shape (AKIA and 16 upper
// alphanumerics), made of the letters of seed.
func AWSKeyID(seed string) string { return "AK" + "IA" + fill(seed, 16, upperAlnum) }

// GitHubToken returns a classic personal access token's shape.
func GitHubToken(seed string) string { return "gh" + "p_" + fill(seed, 36, alnum) }

// GitLabToken returns a GitLab personal access token's shape.
func GitLabToken(seed string) string { return "gl" + "pat-" + fill(seed, 20, alnum) }

// SlackToken returns a Slack bot token's shape.
func SlackToken(seed string) string {
	return "xo" + "xb-" + "123456789012-1234567890123-" + fill(seed, 24, alnum)
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnum      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// fill returns n characters of set, chosen from seed deterministically.
func fill(seed string, n int, set string) string {
	var b strings.Builder
	h := uint32(2166136261)
	for _, c := range []byte(seed) {
		h = (h ^ uint32(c)) * 16777619
	}
	for range n {
		h ^= h << 13
		h ^= h >> 17
		h ^= h << 5
		b.WriteByte(set[h%uint32(len(set))])
	}
	return b.String()
}
