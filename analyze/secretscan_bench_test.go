package analyze

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// textBuf is 64 KiB of source-like text, with the bytes the signatures
// are found from ('-', '_', "IA") here and there, as in real files.
func textBuf() []byte {
	words := strings.Fields("func return if else for range var const type struct import package err nil " +
		"value key name path layer image token config string int byte error map slice make append len Args HTTP_Proxy x.go -- ->")
	r := rand.New(rand.NewPCG(1, 2))
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString(words[r.IntN(len(words))])
		sb.WriteByte(' ')
	}
	return []byte(sb.String()[:64<<10])
}

// BenchmarkScanSignatures: what the scan costs per byte of a file's start.
func BenchmarkScanSignatures(b *testing.B) {
	buf := textBuf()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		scanSignatures(buf, func(k SecretKind, _ []byte) { b.Fatalf("found %s in plain text", k) })
	}
}
