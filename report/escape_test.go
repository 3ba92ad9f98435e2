package report

import "testing"

func TestWorkflowCommandEscaping(t *testing.T) {
	if got := ghData("50% of a\nb"); got != "50%25 of a\\x0ab" && got != "50%25 of a%0Ab" {
		t.Errorf("ghData = %q", got)
	}
	if got := ghProperty("a:b,c"); got != "a%3Ab%2Cc" {
		t.Errorf("ghProperty = %q", got)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	if got := mdCode("a|b`c"); got != "``a\\|b`c``" {
		t.Errorf("mdCode = %q", got)
	}
	if got := mdCell("*x*|y"); got != `\*x\*\|y` {
		t.Errorf("mdCell = %q", got)
	}
}
