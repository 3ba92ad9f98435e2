package ui

import (
	"testing"
)

func TestStartFrame(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	t.Log("\n" + frame(m))
}
