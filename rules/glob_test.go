package rules

import "testing"

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
		{"root/.ssh/*", "root/.ssh/keys/id_rsa", false}, // * does not cross /
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
	for _, g := range []string{"", "/", "a//b", "[", "a/[z-/b", `a\`} {
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
