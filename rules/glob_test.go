package rules

import (
	"strconv"
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"**/.git/**", ".git/config", true},
		{"**/.git/**", "src/app/.git/objects/ab/cdef", true},
		{"**/.git/**", ".git", true}, // a submodule's .git file
		{"**/.git/**", "src/.gitignore", false},
		{"**/.git/**", "git/config", false},
		{"**/*.pem", "etc/ssl/private/server.pem", true},
		{"**/*.pem", "server.pem", true},
		{"**/*.pem", "etc/ssl/server.pem.bak", false},
		{"*.pem", "etc/ssl/server.pem", true}, // no slash: any directory
		{"*.pem", "server.pem", true},
		{"/root/.ssh/**", "root/.ssh/id_rsa", true},
		{"/root/.ssh/**", "home/root/.ssh/id_rsa", false},
		{"root/.ssh/*", "root/.ssh/keys/id_rsa", true}, // * matches the directory keys, and so what is under it
		{"root/.ssh/*", "root/.ssh/id_rsa", true},
		{"var/lib/apt/lists/**", "var/lib/apt/lists/deb.debian.org_Packages.lz4", true},
		{"var/lib/apt/lists/**", "var/lib/apt/listsx", false},
		{"**", "anything/at/all", true},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"a/**/**/b", "a/b", true},
		{"**/id_[rd]sa", "home/u/.ssh/id_rsa", true},
		{"**/id_[rd]sa", "home/u/.ssh/id_ecdsa", false},
		{"**/.env", "app/.env", true},
		{"**/.env", "app/.envrc", false},
		{"etc/?asswd", "etc/passwd", true},
		// A name matches a directory and everything under it, at any depth.
		{".git", "app/.git/config", true},
		{"node_modules", "app/node_modules/x/index.js", true},
		{".git/**", "app/.git/config", true},
		{".git/**", "app/git/config", false},
		{"app/.git", "app/.git/config", true},
		{"app/.git", "src/app/.git/config", false}, // a middle slash anchors
		// A trailing slash means a directory.
		{"app/", "app/config", true},
		{"app/", "src/app/config", true},
		{"app/", "app", false},
		{"build/", "x/build", false},
		{"./app/.env", "app/.env", true},
		{"*.pem", "certs.pem/inner", true},
	}
	for _, tt := range tests {
		g, err := compileGlob(tt.glob)
		if err != nil {
			t.Fatalf("compileGlob(%q): %v", tt.glob, err)
		}
		if got := g.match(tt.path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

func TestGlobInvalid(t *testing.T) {
	for _, g := range []string{"", "/", "a//b", "[", "a/[z-/b", `a\`, "app/../etc/shadow", "a/./b", "./", "!"} {
		if err := CheckGlob(g); err == nil {
			t.Errorf("checkGlob(%q) = nil, want an error", g)
		}
	}
}

// A pathological pattern finishes quickly: runs of ** collapse.
func TestGlobManyStars(t *testing.T) {
	g, err := compileGlob("**/**/**/**/**/**/**/**/x")
	if err != nil {
		t.Fatal(err)
	}
	p := "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/y"
	if g.match(p) {
		t.Errorf("matched %q", p)
	}
}

func TestGlobSetNegation(t *testing.T) {
	s := CompileGlobs([]string{"**/*.pem", "!etc/ssl/**", "!**/certifi/cacert.pem"})
	for p, want := range map[string]bool{
		"app/server.pem":                     true,
		"etc/ssl/certs/ca.pem":               false,
		"usr/lib/python3/certifi/cacert.pem": false,
		"usr/lib/python3/certifi/other.pem":  true,
		"etc/ssl.pem":                        true,
	} {
		if _, got := s.Match(p); got != want {
			t.Errorf("%s: match = %v, want %v", p, got, want)
		}
	}
	if _, got := CompileGlobs([]string{"!etc/**"}).Match("root/x"); got {
		t.Error("a set of only exclusions matched")
	}
}

// TestGlobNeverMatches: a pattern that could never match says why.
func TestGlobNeverMatches(t *testing.T) {
	err := CheckGlob("/app/../root/.ssh/id_rsa")
	if err == nil || !strings.Contains(err.Error(), "can never match") {
		t.Errorf("CheckGlob = %v, want it to say the pattern can never match", err)
	}
}

// TestGlobDeepNesting: a pattern with two ** over thousands of nested
// directories of the name it looks for ends at once (backtracking took
// minutes on 2000 levels).
func TestGlobDeepNesting(t *testing.T) {
	g, err := compileGlob("**/test/**/*.key")
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Repeat("test/", 2000) + "x.txt"
	if g.match(p) {
		t.Errorf("matched a path with no .key")
	}
	if !g.match(strings.Repeat("test/", 2000) + "x.key") {
		t.Errorf("missed the .key at the bottom")
	}
}

// BenchmarkGlobDepth reports how matching grows with the path's depth;
// ns/level should stay flat from 1000 to 2000 levels.
func BenchmarkGlobDepth(b *testing.B) {
	g, _ := compileGlob("**/test/**/*.key")
	for _, depth := range []int{1000, 2000} {
		p := strings.Repeat("test/", depth) + "x.txt"
		b.Run(strconv.Itoa(depth), func(b *testing.B) {
			for b.Loop() {
				g.match(p)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(depth), "ns/level")
		})
	}
}

// BenchmarkGlobSetSize: 40,000 globs over one path cost 40,000 matches.
func BenchmarkGlobSetSize(b *testing.B) {
	for _, n := range []int{20000, 40000} {
		gs := make([]string, n)
		for i := range gs {
			gs[i] = "**/secret-" + strconv.Itoa(i) + ".key"
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := CompileGlobs(gs)
			for b.Loop() {
				s.Match("usr/share/doc/app/readme.txt")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/glob")
		})
	}
}
