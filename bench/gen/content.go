package main

import (
	"io"
	"math/rand/v2"
)

// The content pool is a deterministic buffer that every regular file's
// bytes are sliced from. It mixes segments that compress very differently
// (random bytes, text, "machine code", padding) so that a layer built
// from it deflates by about 3x, as real rootfs layers do. Files take
// slices at pseudo-random offsets, so neighbouring files do not repeat
// each other inside deflate's 32 KiB window.
const poolSize = 32 << 20

var pool = buildPool()

var vocab = func() []string {
	r := rand.New(rand.NewPCG(7, 11))
	syl := []string{"al", "be", "con", "de", "ex", "fi", "ge", "han", "in", "jo", "ker", "lo",
		"ma", "ne", "ob", "per", "qu", "re", "st", "tr", "un", "ver", "wi", "xt", "yo", "ze",
		"the", "and", "ing", "ion", "ment", "able", "func", "err", "nil", "ret", "var", "int"}
	words := []string{"if", "else", "return", "func", "struct", "const", "static", "void",
		"#include", "import", "from", "def", "class", "self", "this", "null", "true", "false",
		"license", "copyright", "software", "without", "warranty", "the", "of", "to", "and",
		"a", "in", "is", "for", "that", "with", "on", "as", "by", "be", "this", "are", "or"}
	for len(words) < 600 {
		n := 1 + r.IntN(3)
		w := ""
		for range n {
			w += syl[r.IntN(len(syl))]
		}
		words = append(words, w)
	}
	return words
}()

var insns = func() [][]byte {
	r := rand.New(rand.NewPCG(3, 5))
	out := make([][]byte, 96)
	for i := range out {
		ins := make([]byte, 2+r.IntN(6))
		for j := range ins {
			ins[j] = byte(r.Uint32())
		}
		out[i] = ins
	}
	return out
}()

func buildPool() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 0, poolSize+64<<10)
	for len(b) < poolSize {
		n := 512 + r.IntN(16<<10)
		switch k := r.IntN(100); {
		case k < 8: // incompressible: already-compressed data, hashes
			for range n {
				b = append(b, byte(r.Uint32()))
			}
		case k < 54: // text: source, docs, licenses
			col := 0
			for i := 0; i < n; {
				// skewed word choice, like natural text
				w := vocab[r.IntN(1+r.IntN(len(vocab)))]
				b = append(b, w...)
				i += len(w) + 1
				col += len(w) + 1
				if col > 60+r.IntN(20) {
					b = append(b, '\n')
					col = 0
					if r.IntN(4) == 0 {
						b = append(b, "\t"...)
					}
				} else {
					b = append(b, ' ')
				}
			}
		case k < 76: // machine-code-like: a dictionary of instructions, random immediates
			for i := 0; i < n; {
				ins := insns[r.IntN(1+r.IntN(len(insns)))]
				b = append(b, ins...)
				i += len(ins)
				if r.IntN(4) == 0 {
					b = append(b, byte(r.Uint32()), byte(r.Uint32()))
					i += 2
				}
			}
		default: // padding, tables of small integers
			v := byte(r.IntN(4))
			for i := range n {
				if i%64 == 0 && r.IntN(3) == 0 {
					b = append(b, byte(r.IntN(256)))
				} else {
					b = append(b, v)
				}
			}
		}
	}
	return b[:poolSize]
}

func splitmix(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// writeContent writes size bytes derived from seed.
func writeContent(w io.Writer, size int64, seed uint64) error {
	s := seed
	for size > 0 {
		n := min(size, 1<<20)
		off := splitmix(&s) % uint64(poolSize-int(n)+1)
		if _, err := w.Write(pool[off : off+uint64(n)]); err != nil {
			return err
		}
		size -= n
	}
	return nil
}
