package rules

import (
	"fmt"
	"path"
	"strings"
)

// Globs for the path rules (block, deny-waste) match strata's normalised
// paths, which have no leading slash ("etc/passwd"). They read the way
// .gitignore lines do:
//
//   - each component is matched with path.Match: *, ?, [a-z], \ escapes;
//     a * never crosses a slash;
//   - a component that is exactly ** matches any number of components,
//     none included: "**/.git/**" matches ".git/config" and
//     "src/app/.git/HEAD";
//   - a pattern that matches a directory matches everything under it:
//     "node_modules" catches "app/node_modules/x/index.js", and
//     "root/.ssh/*" catches "root/.ssh/keys/id_rsa";
//   - a trailing "/" matches directories only: "build/" catches
//     "app/build/out.o" but not a file called "build";
//   - a leading "/" (or "./") is allowed and ignored, so "/root/.ssh/**"
//     reads the way the path looks inside the container;
//   - a pattern with no slash, or whose only slash is a trailing "/" or
//     "/**", matches at any depth: "*.pem" means "**/*.pem" and ".git/**"
//     means "**/.git/**". (.gitignore anchors ".git/**" to its directory;
//     a block rule is a safety net, and a net that silently covers only
//     the top directory is worse than none.)
//   - a pattern starting with "!" excludes: a path matches a rule when it
//     matches one of its other patterns and none of its "!" patterns
//     ("**/*.pem" with "!etc/ssl/**" spares the CA bundle).
//
// A pattern that could never match (one with a "." or ".." component,
// which normalised paths never have) is refused when it is read.
//
// Matching is linear in the pattern and the path (a set of pattern
// positions is carried along the path's components, no backtracking), and
// a set of globs splits each path once, so a long list of patterns over a
// deep tree costs their product and no more.

// compiledGlob is a pattern split into its components, runs of ** folded
// into one.
type compiledGlob struct {
	text    string
	negate  bool
	dirOnly bool // a trailing "/": only a proper ancestor can match
	comps   []string
}

// CheckGlob reports whether g is a usable pattern.
func CheckGlob(g string) error {
	_, err := compileGlob(g)
	return err
}

// compileGlob splits and checks a pattern.
func compileGlob(g string) (compiledGlob, error) {
	t := strings.TrimSpace(g)
	negate := strings.HasPrefix(t, "!")
	t = strings.TrimPrefix(t, "!")
	for {
		rest := strings.TrimLeft(t, "/")
		rest = strings.TrimPrefix(rest, "./")
		if rest == t {
			break
		}
		t = rest
	}
	if t == "" || t == "." {
		return compiledGlob{}, fmt.Errorf("invalid glob %q: empty", g)
	}
	dirOnly := strings.HasSuffix(t, "/")
	t = strings.TrimRight(t, "/")
	if stem, ok := strings.CutSuffix(t, "/**"); ok && !strings.Contains(stem, "/") && stem != "**" {
		t = "**/" + t
	} else if !strings.Contains(t, "/") && t != "**" {
		t = "**/" + t
	}
	var comps []string
	for _, c := range strings.Split(t, "/") {
		switch c {
		case "":
			return compiledGlob{}, fmt.Errorf("invalid glob %q: empty path component", g)
		case ".", "..":
			return compiledGlob{}, fmt.Errorf("invalid glob %q: it can never match (paths in an image have no %q components)", g, c)
		case "**":
			if len(comps) > 0 && comps[len(comps)-1] == "**" {
				continue
			}
		default:
			if _, err := path.Match(c, ""); err != nil {
				return compiledGlob{}, fmt.Errorf("invalid glob %q: %w", g, err)
			}
		}
		comps = append(comps, c)
	}
	return compiledGlob{text: g, negate: negate, dirOnly: dirOnly, comps: comps}, nil
}

// match reports whether the normalised path p (no leading slash) matches.
func (g compiledGlob) match(p string) bool {
	return g.matchComps(splitPath(p), make([]bool, len(g.comps)+1), make([]bool, len(g.comps)+1))
}

func splitPath(p string) []string { return strings.Split(strings.TrimLeft(p, "/"), "/") }

// matchComps reports whether name, or one of its ancestors, matches. cur
// and next are scratch space of len(comps)+1, so that a set of globs
// allocates once per path.
//
// cur[i] says the components read so far can be matched by comps[:i]. A
// ** position stays set as it takes one more component; any other moves
// on by one when path.Match agrees. After k components, cur[len] means
// name[:k] matches: the path itself when k is all of it, else a directory
// it lies under.
func (g compiledGlob) matchComps(name []string, cur, next []bool) bool {
	n := len(g.comps)
	clear(cur)
	cur[0] = true
	g.skipStars(cur)
	for k, c := range name {
		clear(next)
		any := false
		for i := range n {
			if !cur[i] {
				continue
			}
			if g.comps[i] == "**" {
				next[i], any = true, true
			} else if ok, _ := path.Match(g.comps[i], c); ok {
				next[i+1], any = true, true
			}
		}
		if !any {
			return false
		}
		g.skipStars(next)
		cur, next = next, cur
		if cur[n] && (k+1 < len(name) || !g.dirOnly) {
			// A pattern ending in ** matches the rest whatever it is; one
			// that matched an ancestor matches everything below it.
			return true
		}
	}
	return false
}

// skipStars marks the positions after a ** as reachable wherever the **
// is, since ** may match no component at all.
func (g compiledGlob) skipStars(s []bool) {
	for i, c := range g.comps {
		if s[i] && c == "**" {
			s[i+1] = true
		}
	}
}

// GlobSet is a list of compiled patterns.
type GlobSet []compiledGlob

// CompileGlobs compiles patterns that parseGlobs already checked.
func CompileGlobs(gs []string) GlobSet {
	var s GlobSet
	for _, g := range gs {
		if c, err := compileGlob(g); err == nil {
			s = append(s, c)
		}
	}
	return s
}

// Match returns the first pattern that matches p, if p matches one and no
// "!" pattern excludes it.
func (s GlobSet) Match(p string) (string, bool) {
	name := splitPath(p)
	longest := 0
	for _, g := range s {
		longest = max(longest, len(g.comps))
	}
	cur, next := make([]bool, longest+1), make([]bool, longest+1)
	hit := ""
	for _, g := range s {
		if (g.negate || hit == "") && g.matchComps(name, cur[:len(g.comps)+1], next[:len(g.comps)+1]) {
			if g.negate {
				return "", false
			}
			hit = g.text
		}
	}
	return hit, hit != ""
}
