package dockerfile

import (
	"strconv"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// Location is where a history step came from (see analyze.StepLines).
type Location = analyze.StepLines

// Chain returns the final stage's instructions, after those of the stages
// it is built FROM: the instructions whose steps an image's history ends
// with. root is the FROM that names an image rather than a stage.
func (f *File) Chain() (body []Instruction, root Instruction) {
	seen := map[int]bool{}
	i := len(f.Stages) - 1
	var chain [][]Instruction
	for !seen[i] {
		seen[i] = true
		s := f.Stages[i]
		chain = append(chain, s.Body)
		root = s.From
		j := f.stageIndex(s.Base, i)
		if j < 0 {
			break
		}
		i = j
	}
	for k := len(chain) - 1; k >= 0; k-- {
		body = append(body, chain[k]...)
	}
	return body, root
}

// stageIndex is the earlier stage a FROM names, by name or number, or -1.
func (f *File) stageIndex(base string, before int) int {
	if n, err := strconv.Atoi(base); err == nil && n >= 0 && n < before {
		return n
	}
	for j := range before {
		if f.Stages[j].Name != "" && strings.EqualFold(f.Stages[j].Name, base) {
			return j
		}
	}
	return -1
}

// Match places each history step (its created_by, in order) on the
// instruction of the final stage's chain that made it. Steps are aligned
// from the end, since the image's own steps come last; a step is placed
// only when its instruction agrees with the line (same keyword, and the
// same command, destination or keys where the history records them), so
// a step that matches nothing is left unplaced rather than guessed. When
// the chain's first instruction is placed, the steps before it are the
// base image's.
func (f *File) Match(createdBy []string) []Location {
	body, root := f.Chain()
	steps := make([]step, len(createdBy))
	for i, c := range createdBy {
		steps[i] = parseStep(analyze.Instruction(c))
	}
	n, m := len(steps), len(body)
	// best[i][j]: the best score aligning steps[i:] with body[j:].
	best := make([][]int, n+1)
	for i := range best {
		best[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			b := max(best[i+1][j], best[i][j+1])
			if s := score(steps[i], body[j]); s > 0 {
				b = max(b, s+best[i+1][j+1])
			}
			best[i][j] = b
		}
	}
	locs := make([]Location, n)
	first, firstIn := n, m
	for i, j := 0, 0; i < n && j < m; {
		// Prefer leaving a step unplaced, then an instruction, over a match
		// that the rest does not need: that keeps matches late, on the
		// image's own steps rather than on lookalikes in the base.
		switch s := score(steps[i], body[j]); {
		case best[i][j] == best[i+1][j]:
			i++
		case best[i][j] == best[i][j+1]:
			j++
		case s > 0 && best[i][j] == s+best[i+1][j+1]:
			locs[i] = Location{Line: body[j].Line, EndLine: body[j].EndLine}
			if i < first {
				first, firstIn = i, j
			}
			i, j = i+1, j+1
		default:
			i++
		}
	}
	// The steps before the chain's first instruction are the base
	// image's; that is known only when that instruction was placed (an ARG
	// before it may leave no step).
	for _, in := range body[:min(firstIn, m)] {
		if in.Keyword != "ARG" {
			return locs
		}
	}
	for i := range first {
		locs[i] = Location{Line: root.Line, EndLine: root.EndLine, Base: true}
	}
	return locs
}

// step is a history step as an instruction: keyword and arguments.
type step struct{ keyword, args string }

func parseStep(s string) step {
	kw, args, _ := strings.Cut(s, " ")
	return step{strings.ToUpper(kw), strings.Join(strings.Fields(args), " ")}
}

// score is 2 when a step agrees with an instruction in what both record,
// 1 when only the keyword can be compared, 0 when they disagree.
func score(s step, in Instruction) int {
	if s.keyword != in.Keyword {
		return 0
	}
	switch in.Keyword {
	case "RUN":
		if sameRun(s.args, in.Args) {
			return 2
		}
		return 0
	case "COPY", "ADD":
		if dest(s.args) == dest(in.Args) {
			return 2
		}
		return 0
	case "ENV", "LABEL", "ARG":
		if sameKeys(s.args, in.Args) {
			return 2
		}
		return 0
	case "WORKDIR":
		a, b := strings.TrimSuffix(s.args, "/"), strings.TrimSuffix(in.Args, "/")
		if a == b || strings.HasSuffix(a, "/"+strings.TrimPrefix(b, "./")) {
			return 2
		}
		return 0
	}
	// CMD, ENTRYPOINT, USER, EXPOSE...: the history holds the parsed or
	// expanded form, so the keyword is what can be compared.
	return 1
}

// sameRun compares a recorded RUN command with a Dockerfile's. The
// history records the command as written, continuations joined; an exec
// form (["a", "b"]) is recorded as its words.
func sameRun(recorded, written string) bool {
	if recorded == written {
		return true
	}
	if w, ok := execWords(written); ok {
		// The record may hold the words as they are, or (a shell's -c
		// form, ["/bin/busybox", "sh", "-c", "..."]) as the history
		// cleaner reads a shell: the command alone.
		return recorded == w || recorded == strings.TrimPrefix(analyze.Instruction(w), "RUN ")
	}
	// RUN flags (--mount=..., --network=...) are not in the record.
	for strings.HasPrefix(written, "--") {
		_, rest, ok := strings.Cut(written, " ")
		if !ok {
			return false
		}
		written = rest
	}
	return recorded == written
}

// execWords turns an exec form's JSON array into its words joined by
// spaces.
func execWords(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return "", false
	}
	var words []string
	for _, w := range strings.Split(s[1:len(s)-1], ",") {
		w = strings.TrimSpace(w)
		u, err := strconv.Unquote(w)
		if err != nil {
			return "", false
		}
		words = append(words, u)
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " "), true
}

// dest is a COPY or ADD's destination: its last word. The classic builder
// records "file:<hash> in /dest".
func dest(args string) string {
	if ws, ok := execWords(args); ok {
		args = ws
	}
	words := strings.Fields(args)
	if len(words) == 0 {
		return ""
	}
	return strings.TrimSuffix(words[len(words)-1], "/")
}

// sameKeys compares the variable names an ENV, LABEL or ARG sets: the
// history holds values expanded, the Dockerfile as written.
func sameKeys(recorded, written string) bool {
	a, b := keys(recorded), keys(written)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) > 0
}

func keys(args string) []string {
	words := strings.Fields(args)
	if len(words) > 0 && !strings.Contains(words[0], "=") {
		return words[:1] // the legacy "ENV KEY value" form
	}
	var ks []string
	for _, w := range words {
		if k, _, ok := strings.Cut(w, "="); ok && k != "" && !strings.ContainsAny(k, `"'`) {
			ks = append(ks, k)
		}
	}
	return ks
}

// Apply places res's history steps in the file (see Match).
func (f *File) Apply(res *analyze.Result) {
	createdBy := make([]string, len(res.History))
	for i, h := range res.History {
		createdBy[i] = h.CreatedBy
	}
	res.BuildFile = &analyze.BuildFile{Path: f.Path, Steps: f.Match(createdBy)}
}
