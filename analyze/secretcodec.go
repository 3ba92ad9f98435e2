package analyze

import (
	"encoding/binary"
	"encoding/hex"
)

// Findings are part of both cache records (layer records from codec
// version 2, image records from version 4), so a warm run reports exactly
// what a cold one does. Each layer's findings are a count, then per
// finding the entry's index, the kind and the fingerprint.

// appendSecrets appends ss in the record form.
func appendSecrets(b []byte, ss []LayerSecret) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(s.Entry))
		b = binary.AppendUvarint(b, uint64(len(s.Kind)))
		b = append(b, s.Kind...)
		b = binary.AppendUvarint(b, uint64(len(s.Fingerprint)))
		b = append(b, s.Fingerprint...)
	}
	return b
}

// varintSource is what both record decoders offer.
type varintSource interface {
	uv() uint64
	str() string
}

// maxSecretsPerEntry bounds the findings a record may claim for one
// entry: one per content kind is all a scan makes.
const maxSecretsPerEntry = 5

// readSecrets reads one layer's findings for a layer of entries entries,
// refusing any that points past them or names an unknown kind. The
// decoder's own error is the caller's to check.
func readSecrets(d varintSource, entries uint64) ([]LayerSecret, bool) {
	n := d.uv()
	if n > entries*maxSecretsPerEntry {
		return nil, false
	}
	var out []LayerSecret
	for range n {
		e := d.uv()
		s := LayerSecret{Entry: int(e), Kind: SecretKind(d.str()), Fingerprint: d.str()}
		if e >= entries || !knownSecretKind(s.Kind) || !isFingerprint(s.Fingerprint) {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func isFingerprint(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 4
}
