package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line escapes what would garble a terminal line or a CI log, or act on
// the terminal: invalid UTF-8 and control characters (ESC, BEL, CR,
// newline, and the C1 controls) become \xNN or \uNNNN, so that nothing can
// move the cursor, set the clipboard, open a hyperlink or start a new line
// that a CI runner would read as a workflow command.
func Line(s string) string {
	s = Valid(s)
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) && r < utf8.RuneSelf {
			fmt.Fprintf(&b, `\x%02x`, r)
		} else if unicode.IsControl(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Valid makes s valid UTF-8 by writing each invalid byte as the four
// characters \xNN. encoding/json would otherwise replace them with U+FFFD,
// and two different paths could then print the same.
func Valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
