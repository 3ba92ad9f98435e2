package analyze_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/strata-cli/strata/analyze"
)

// instructionCases are created_by values as builders write them, with the
// Dockerfile line each stands for.
var instructionCases = []struct{ name, in, want string }{
	// Docker's classic builder (and buildah, podman: the same records).
	{"classic metadata", `/bin/sh -c #(nop)  CMD ["x"]`, `CMD ["x"]`},
	{"classic copy of a directory", "/bin/sh -c #(nop) COPY dir:6f3c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f in . ", "COPY dir:6f3c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f in ."},
	{"classic add", "/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"},
	{"classic run", "/bin/sh -c apt-get update && apt-get install -y curl", "RUN apt-get update && apt-get install -y curl"},
	{"classic run with a build arg holding spaces", "|2 A=1 B=two words /bin/sh -c make", "RUN make"},
	{"classic run with build args, one word each", "|2 A=1 B=2 /bin/sh -c make", "RUN make"},
	{"classic run over lines", "/bin/sh -c apt-get update \\\n\t&&  apt-get install -y curl", "RUN apt-get update \\ && apt-get install -y curl"},
	{"buildah run", "/bin/sh -c dnf install -y nginx && dnf clean all", "RUN dnf install -y nginx && dnf clean all"},
	{"buildah copy", "/bin/sh -c #(nop) COPY file:0123abcd in /app/ ", "COPY file:0123abcd in /app/"},
	// BuildKit.
	{"buildkit run", "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", "RUN rm -rf /var/lib/apt/lists/*"},
	{"buildkit copy", "COPY . . # buildkit", "COPY . ."},
	{"buildkit copy with flags", "COPY --chown=app:app . /app # buildkit", "COPY --chown=app:app . /app"},
	{"buildkit metadata", "ENV PATH=/usr/local/bin:/usr/bin", "ENV PATH=/usr/local/bin:/usr/bin"},
	{"buildkit run with build args", "RUN |1 VERSION=8.5 /bin/sh -c apt-get install -y curl=$VERSION # buildkit", "RUN apt-get install -y curl=$VERSION"},
	{"buildkit exec-form run", "RUN echo hi # buildkit", "RUN echo hi"},
	{"buildkit run with an empty arg", "RUN |1 EMPTY= /bin/sh -c true # buildkit", "RUN true"},
	// Custom SHELL forms.
	{"busybox metadata", "/bin/busybox sh -c #(nop) COPY file:73e2b2d48642 in /bin/busybox ", "COPY file:73e2b2d48642 in /bin/busybox"},
	{"busybox run", "/bin/busybox sh -c /bin/busybox mkdir -p /app", "RUN /bin/busybox mkdir -p /app"},
	{"bash pipefail", "/bin/bash -o pipefail -c curl -fsSL x | tar -x", "RUN curl -fsSL x | tar -x"},
	{"buildkit bash pipefail", "RUN /bin/bash -o pipefail -c wget -qO- x | sh # buildkit", "RUN wget -qO- x | sh"},
	{"combined options", "/bin/sh -eux -c make", "RUN make"},
	{"option letters with c", "/bin/ash -ec make", "RUN make"},
	{"windows cmd", `cmd /S /C powershell -File C:\setup.ps1`, `RUN powershell -File C:\setup.ps1`},
	{"windows cmd metadata", "cmd /S /C #(nop) WORKDIR C:\\app", "WORKDIR C:\\app"},
	{"windows cmd.exe", `C:\Windows\System32\cmd.exe /S /C dir`, "RUN dir"},
	{"powershell", "powershell -Command $ErrorActionPreference = 'Stop'; Install-Module x", "RUN $ErrorActionPreference = 'Stop'; Install-Module x"},
	{"powershell with a valued option", "pwsh -NoProfile -ExecutionPolicy Bypass -Command Get-ChildItem", "RUN Get-ChildItem"},
	// Left as recorded.
	{"empty", "", ""},
	{"only spaces", " \n\t ", ""},
	{"only the buildkit mark", "# buildkit", ""},
	{"docker commit", "bash", "bash"},
	{"a script, not a shell command", "/bin/sh /setup.sh -c x", "/bin/sh /setup.sh -c x"},
	{"a shell without a command", "/bin/sh -c", "/bin/sh -c"},
	{"a container's writable layer", "container web (writable layer)", "container web (writable layer)"},
	{"a bad build-arg count", "|x A=1 /bin/sh -c make", "|x A=1 /bin/sh -c make"},
	{"too few build args", "|3 A=1 /bin/sh -c make", "|3 A=1 /bin/sh -c make"},
	{"a bare nop", "#(nop) ADD file:abc in /", "ADD file:abc in /"},
	{"sh with a non-option word", "/bin/sh x -c y", "/bin/sh x -c y"},
}

func TestInstruction(t *testing.T) {
	for _, tt := range instructionCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := analyze.Instruction(tt.in); got != tt.want {
				t.Errorf("Instruction(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzInstruction(f *testing.F) {
	for _, tt := range instructionCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := analyze.Instruction(in)
		folded := strings.Join(strings.Fields(in), " ")
		// One line, no padding, never longer than the record plus "RUN ".
		if strings.ContainsAny(got, "\n\r\t") || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Instruction(%q) = %q: not one clean line", in, got)
		}
		if len(got) > len(folded)+len("RUN ") {
			t.Fatalf("Instruction(%q) = %q: longer than the record", in, got)
		}
		if utf8.ValidString(in) && !utf8.ValidString(got) {
			t.Fatalf("Instruction(%q) = %q: broke UTF-8", in, got)
		}
		// What is left of a RUN is a suffix of the record: nothing is
		// invented, only prefixes and the BuildKit mark go.
		body := strings.TrimPrefix(got, "RUN ")
		if !strings.Contains(folded, body) {
			t.Fatalf("Instruction(%q) = %q: %q is not in the record", in, got, body)
		}
	})
}
