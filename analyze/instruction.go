package analyze

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Instruction turns a history entry's created_by into the Dockerfile line
// a reader would have written: "RUN rm -rf /tmp/x", "COPY . .",
// `CMD ["x"]`. It is the one command cleaner: every report, pane and
// piece of advice shows a step through it, so a step reads the same
// everywhere.
//
// Builders record the same instruction in different ways:
//
//   - Docker's classic builder, buildah and podman run every instruction
//     through the shell in the record: a RUN is `/bin/sh -c apt-get ...`,
//     anything else `/bin/sh -c #(nop)  CMD ["x"]` or
//     `/bin/sh -c #(nop) COPY dir:<hash> in .`.
//   - BuildKit writes the instruction itself, `COPY . . # buildkit`, but a
//     RUN keeps its shell: `RUN /bin/sh -c rm -rf ... # buildkit`.
//   - Both put the build arguments a RUN saw before the shell:
//     `|2 A=1 B=2 /bin/sh -c make`.
//   - A Dockerfile SHELL replaces /bin/sh -c with its own words:
//     `/bin/busybox sh -c #(nop) COPY ...`, `/bin/bash -o pipefail -c ...`,
//     `cmd /S /C ...`, `powershell -Command ...`.
//
// Anything else (docker commit, other tools) is returned as recorded. The
// result is one line: runs of white space, newlines included, become one
// space. Escaping what a terminal or a page cannot show is left to whoever
// prints it.
func Instruction(createdBy string) string {
	s := oneLine(createdBy)
	s = strings.TrimSuffix(s, " # buildkit")
	if s == "# buildkit" {
		return ""
	}
	run, isRun := strings.CutPrefix(s, "RUN ")
	if isRun {
		// BuildKit: the instruction is known, only its arguments and
		// shell are noise.
		if cmd, ok := cutArgsAndShell(run); ok {
			run = cmd
		} else {
			run = dropBuildArgs(run)
		}
		return strings.TrimSpace("RUN " + run)
	}
	rest := dropBuildArgs(s)
	hadArgs := rest != s
	cmd, ok := cutArgsAndShell(s)
	if !ok {
		if rest, ok := strings.CutPrefix(rest, "#(nop)"); ok {
			return strings.TrimSpace(rest)
		}
		if hadArgs {
			return strings.TrimSpace("RUN " + rest) // only a RUN records build arguments
		}
		return s
	}
	if nop, ok := strings.CutPrefix(cmd, "#(nop)"); ok {
		return strings.TrimSpace(nop)
	}
	return strings.TrimSpace("RUN " + cmd)
}

// dropBuildArgs removes the "|N K1=V1 ... KN=VN " prefix with which
// builders record the build arguments a RUN saw. A prefix that does not
// add up is left alone: it may be part of a command.
func dropBuildArgs(s string) string {
	rest, ok := strings.CutPrefix(s, "|")
	if !ok {
		return s
	}
	num, tail, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > len(tail) {
		return s
	}
	for range n {
		word, after, _ := strings.Cut(tail, " ")
		if !strings.Contains(word, "=") {
			return s
		}
		tail = after
	}
	if tail == "" {
		return s // arguments and no command: not a prefix
	}
	return tail
}

// cutArgsAndShell removes the build arguments and the shell from the
// start of s and returns the shell's command. A build argument's value can
// hold spaces and is recorded unquoted ("|1 MSG=hello world /bin/sh -c
// ..."), so when the shell does not follow the N words, it is looked for a
// few words further on.
func cutArgsAndShell(s string) (string, bool) {
	rest := dropBuildArgs(s)
	if cmd, ok := cutShell(rest); ok || rest == s {
		return cmd, ok
	}
	for range 32 {
		_, after, ok := strings.Cut(rest, " ")
		if !ok {
			break
		}
		rest = after
		if cmd, ok := cutShell(rest); ok {
			return cmd, true
		}
	}
	return "", false
}

// cutShell removes a shell invocation from the start of s and returns the
// command the shell was given: "/bin/sh -c ls" gives "ls". It reports
// false when s does not start with a shell and its command option.
func cutShell(s string) (string, bool) {
	prog, rest, ok := strings.Cut(s, " ")
	if !ok {
		return "", false
	}
	name := strings.ToLower(prog[strings.LastIndexAny(prog, `/\`)+1:])
	name = strings.TrimSuffix(name, ".exe")
	var isCommand func(opt string) bool
	var takesValue map[string]bool
	optPrefix := "-+" // what an option starts with
	switch name {
	case "busybox":
		// busybox runs the applet named next: "/bin/busybox sh -c ...".
		applet, after, ok := strings.Cut(rest, " ")
		if !ok || (applet != "sh" && applet != "ash" && applet != "bash") {
			return "", false
		}
		rest = after
		fallthrough
	case "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh":
		// -c, alone or with other single-letter options ("-ec", "-euxc").
		isCommand = func(opt string) bool {
			letters := strings.TrimPrefix(opt, "-")
			return len(letters) > 0 && letters != opt && strings.Contains(letters, "c") && isLetters(letters)
		}
		takesValue = shValued
	case "cmd":
		optPrefix = "/"
		isCommand = func(opt string) bool { return strings.EqualFold(opt, "/c") || strings.EqualFold(opt, "/k") }
	case "powershell", "pwsh":
		optPrefix = "-"
		isCommand = func(opt string) bool { return strings.EqualFold(opt, "-command") || strings.EqualFold(opt, "-c") }
		takesValue = powershellValued
	default:
		return "", false
	}
	// Options until the one that takes the command; a word that is no
	// option means this is a program run with arguments, not a shell.
	for {
		opt, after, ok := strings.Cut(rest, " ")
		if opt == "" || !strings.ContainsRune(optPrefix, rune(opt[0])) {
			return "", false
		}
		if isCommand(opt) {
			return after, ok && after != ""
		}
		if !ok {
			return "", false
		}
		rest = after
		if takesValue[strings.ToLower(opt)] || takesValue[opt] {
			if _, after, ok = strings.Cut(rest, " "); !ok {
				return "", false
			}
			rest = after
		}
	}
}

// The options of a shell that take a value: the value is no command.
var (
	shValued         = map[string]bool{"-o": true, "+o": true, "-O": true, "+O": true}
	powershellValued = map[string]bool{"-executionpolicy": true, "-outputformat": true, "-inputformat": true, "-windowstyle": true}
)

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// oneLine is strings.Join(strings.Fields(s), " "), without a copy when s
// is already one line of single-spaced ASCII words, as nearly every
// recorded command is: a history can hold a million of them.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.Join(strings.Fields(s), " ") // unicode.IsSpace decides
		}
		if asciiSpace(c) && (c != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// asciiSpace is unicode.IsSpace for an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
