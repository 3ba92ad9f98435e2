package dockerfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Instruction is one Dockerfile instruction and where it is.
type Instruction struct {
	Keyword string // upper case: RUN, COPY, FROM...
	Args    string // the rest, continuations joined, runs of space cut to one
	Line    int    // first line, from 1
	EndLine int    // last line (a heredoc's terminator included)
}

// Stage is a FROM and the instructions under it.
type Stage struct {
	Name string // after AS, lower case; "" when unnamed
	Base string // FROM's image or stage reference
	From Instruction
	Body []Instruction
}

// File is a parsed Dockerfile.
type File struct {
	Path   string
	Stages []Stage
}

// maxFileSize bounds what Parse reads: Dockerfiles are small, and a
// larger input is not one.
const maxFileSize = 4 << 20

var errTooLarge = errors.New("over 4 MiB, not a Dockerfile")

var heredocRe = regexp.MustCompile(`<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)`)

// Parse reads a Dockerfile. path is only used to name it.
func Parse(path string, r io.Reader) (*File, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxFileSize+1))
	sc.Buffer(make([]byte, 64<<10), maxFileSize+1)
	var lines []string
	size := 0
	for sc.Scan() {
		size += len(sc.Bytes()) + 1
		if size > maxFileSize {
			return nil, fmt.Errorf("reading %s: %w", path, errTooLarge)
		}
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errTooLarge
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	f := &File{Path: path}
	escape := escapeDirective(lines)
	var stage *Stage
	for i := 0; i < len(lines); {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		in := Instruction{Line: i + 1}
		text, next := joinContinued(lines, i, escape)
		in.EndLine = next
		kw, args, _ := strings.Cut(text, " ")
		in.Keyword, in.Args = strings.ToUpper(kw), strings.Join(strings.Fields(args), " ")
		if m := heredocRe.FindStringSubmatch(text); m != nil && (in.Keyword == "RUN" || in.Keyword == "COPY" || in.Keyword == "ADD") {
			next = skipHeredoc(lines, next, m[3], m[1] == "-")
			in.EndLine = next
		}
		i = next
		if in.Keyword == "FROM" {
			f.Stages = append(f.Stages, newStage(in))
			stage = &f.Stages[len(f.Stages)-1]
			continue
		}
		if stage == nil {
			continue // ARGs before the first FROM: they make no step
		}
		stage.Body = append(stage.Body, in)
	}
	if len(f.Stages) == 0 {
		return nil, fmt.Errorf("reading %s: no FROM instruction", path)
	}
	return f, nil
}

// escapeDirective reads the "# escape=`" parser directive, which may only
// come before anything else.
func escapeDirective(lines []string) byte {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		d, ok := strings.CutPrefix(l, "#")
		if !ok {
			break
		}
		k, v, ok := strings.Cut(d, "=")
		if !ok {
			break // a comment ends the directives
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if k == "escape" && (v == "`" || v == `\`) {
			return v[0]
		}
	}
	return '\\'
}

// joinContinued joins the instruction starting at line i with the lines
// its trailing escapes continue into (comment and blank lines inside are
// dropped, as the builder drops them) and returns the text and the number
// of lines consumed from the start, i.e. the index after its last line.
func joinContinued(lines []string, i int, escape byte) (string, int) {
	var b strings.Builder
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		if b.Len() > 0 {
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
		}
		if len(l) > 0 && l[len(l)-1] == escape {
			b.WriteString(strings.TrimSpace(l[:len(l)-1]))
			b.WriteByte(' ')
			continue
		}
		b.WriteString(strings.TrimSpace(l))
		return strings.TrimSpace(b.String()), i + 1
	}
	return strings.TrimSpace(b.String()), len(lines)
}

// skipHeredoc returns the index after a heredoc's terminator, the whole
// rest of the file when it has none.
func skipHeredoc(lines []string, i int, word string, tabs bool) int {
	for ; i < len(lines); i++ {
		l := lines[i]
		if tabs {
			l = strings.TrimLeft(l, "\t")
		}
		if l == word {
			return i + 1
		}
	}
	return len(lines)
}

func newStage(from Instruction) Stage {
	s := Stage{From: from}
	words := strings.Fields(from.Args)
	// FROM [--platform=...] image [AS name]
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		words = words[1:]
	}
	if len(words) > 0 {
		s.Base = words[0]
	}
	if len(words) >= 3 && strings.EqualFold(words[1], "AS") {
		s.Name = strings.ToLower(words[2])
	}
	return s
}

// ReadFile parses the Dockerfile at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading Dockerfile: %w", err)
	}
	defer fh.Close()
	return Parse(path, fh)
}
