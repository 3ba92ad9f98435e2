package source

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct{ in, want string }{
		{"registry://user:pw@host/x", "registry://***@host/x"},
		{"registry://user:pw@host:5000/x:v1", "registry://***@host:5000/x:v1"},
		{"registry://user:pw@host/x@" + digest, "registry://***@host/x@" + digest},
		{"registry://tok@host/x", "registry://***@host/x"},
		{"registry://user:p@w/d@host/x", "registry://***@host/x"},
		{"docker://user:pw@host/x", "docker://***@host/x"},
		{"user:pw@host/x", "***@host/x"},
		// Nothing to hide:
		{"alpine@" + digest, "alpine@" + digest},
		{"alpine:3.20@" + digest, "alpine:3.20@" + digest},
		{"registry://ghcr.io/a/b@" + digest, "registry://ghcr.io/a/b@" + digest},
		{"alpine:3.20", "alpine:3.20"},
		{"docker-archive:/tmp/user:pw@x.tar", "docker-archive:/tmp/user:pw@x.tar"},
		{"oci:layout@v2", "oci:layout@v2"},
		{"./build@v2.tar", "./build@v2.tar"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestOpenRedactsErrors: the error keeps its sentinel but loses the
// password, wherever the message echoes it.
func TestOpenRedactsErrors(t *testing.T) {
	_, err := Open(context.Background(), "registry://me:hunter2@registry.example/x", Options{})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "***@registry.example/x") {
		t.Errorf("err = %v, want the password replaced by ***@", err)
	}
	_, err = Open(context.Background(), "registry://me:hunter2@registry.example/x", Options{Source: "oci"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v, want the password replaced by ***@", err)
	}
	_, err = Open(context.Background(), "me:hunter2@registry.example/x", Options{Source: "oci"})
	if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v, want ErrNotFound without the password", err)
	}
}
