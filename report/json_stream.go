package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"

	"github.com/strata-cli/strata/analyze"
)

// JSONReportOptions are what the --json document adds to a result.
type JSONReportOptions struct {
	Files  bool   // list every layer's entries
	Source string // image.source
	// Container, when set, is appended as the container document's
	// "container" field.
	Container *JSONContainer
}

// WriteJSONReport writes the --json document of res: the bytes
// EncodeJSON(NewJSONReport(res, o.Files)) would write, with o's fields,
// but one element at a time. A million entries (--files) or history
// steps are never held as one value, and when ctx ends (^C, SIGTERM) the
// write stops between two elements with ctx's error, so that the caller
// removes the partial file instead of finishing it.
func WriteJSONReport(ctx context.Context, w io.Writer, res *analyze.Result, o JSONReportOptions) error {
	s := &jsonStream{ctx: ctx, w: bufio.NewWriterSize(w, 64<<10)}
	img := jsonImage(res)
	img.Source = o.Source
	s.raw("{\n")
	s.field("schemaVersion", JSONSchemaVersion, true)
	s.field("image", img, true)

	s.raw(`  "layers": `)
	s.array(len(res.Layers), "    ", func(i int) {
		jl := jsonLayer(res.Layers[i])
		if !o.Files || res.Tree == nil {
			s.value("    ", jl)
			return
		}
		// The layer without files ends in "\n    }"; the files go
		// before that brace, as the last field.
		b := s.encode("    ", jl)
		b = bytes.TrimSuffix(b, []byte("\n    }"))
		s.bytes(b)
		s.raw(",\n      \"files\": ")
		s.array(len(res.Layers[i].Entries), "        ", func(j int) { s.value("        ", jsonFile(res, i, j)) })
		s.raw("\n    }")
	})
	s.raw(",\n")

	s.raw(`  "history": `)
	s.array(len(res.History), "    ", func(i int) { s.value("    ", jsonHistory(res.History[i])) })
	s.raw(",\n")
	s.raw(`  "wastedFiles": `)
	s.array(len(res.WastedFiles), "    ", func(i int) { s.value("    ", jsonWasted(res.WastedFiles[i])) })
	s.raw(",\n")
	s.field("packages", jsonPackages(res.Packages), true)
	s.field("secrets", jsonSecrets(res), true)
	df := jsonDockerfile(res)
	s.field("advice", adviceJSON(res), df != nil || o.Container != nil)
	if df != nil {
		s.field("dockerfile", df, o.Container != nil)
	}
	if o.Container != nil {
		s.field("container", *o.Container, false)
	}
	s.raw("}\n")
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}

// jsonStream writes one indented document in pieces, in the layout
// EncodeJSON gives a whole one. The first error (of the writer, an
// encoding or ctx) sticks and ends the writing.
type jsonStream struct {
	ctx context.Context
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

func (s *jsonStream) raw(str string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(str)
	}
}

func (s *jsonStream) bytes(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

// encode is v as EncodeJSON indents it at prefix, without the newline.
func (s *jsonStream) encode(prefix string, v any) []byte {
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	if s.err != nil {
		return nil
	}
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if s.err = enc.Encode(v); s.err != nil {
		return nil
	}
	return bytes.TrimSuffix(s.buf.Bytes(), []byte("\n"))
}

func (s *jsonStream) value(prefix string, v any) { s.bytes(s.encode(prefix, v)) }

// field writes a top-level "name": value line.
func (s *jsonStream) field(name string, v any, more bool) {
	s.raw(`  "` + name + `": `)
	s.value("  ", v)
	if more {
		s.raw(",\n")
	} else {
		s.raw("\n")
	}
}

// array writes n elements, each by elem at the given element indent.
func (s *jsonStream) array(n int, indent string, elem func(i int)) {
	if n == 0 {
		s.raw("[]")
		return
	}
	s.raw("[\n")
	for i := range n {
		if s.err != nil {
			return
		}
		if i > 0 {
			s.raw(",\n")
		}
		s.raw(indent)
		elem(i)
	}
	s.raw("\n" + indent[2:] + "]")
}
