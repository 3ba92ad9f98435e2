package cli

import "testing"

func TestDockerfileURI(t *testing.T) {
	for _, tt := range []struct{ path, wd, want string }{
		{"Dockerfile", "/src", "Dockerfile"},
		{"./build/../Dockerfile", "/src", "Dockerfile"},
		{"/src/app/Dockerfile", "/src", "app/Dockerfile"},
		{"/src/app/my Dockerfile", "/src", "app/my%20Dockerfile"},
		{"/elsewhere/Dockerfile", "/src", "file:///elsewhere/Dockerfile"},
		{"/src2/Dockerfile", "/src", "file:///src2/Dockerfile"},
		{"/src/Dockerfile", "", "file:///src/Dockerfile"},
		{"a:b/Dockerfile", "/src", "./a:b/Dockerfile"},
	} {
		if got := dockerfileURI(tt.path, tt.wd); got != tt.want {
			t.Errorf("dockerfileURI(%q, %q) = %q, want %q", tt.path, tt.wd, got, tt.want)
		}
	}
}
