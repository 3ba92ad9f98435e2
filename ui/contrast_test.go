package ui

import (
	"image/color"
	"math"
	"testing"

	"charm.land/lipgloss/v2"
)

// luminance is WCAG 2's relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestHintContrast: the help line's keys and descriptions, labels and dim
// text keep 4.5:1 (WCAG AA) against common terminal backgrounds of their
// theme: black, VS Code's and One Dark's for dark; white and a light grey
// for light.
func TestHintContrast(t *testing.T) {
	backgrounds := map[bool][]string{
		true:  {"#000000", "#1E1E1E", "#282C34"},
		false: {"#FFFFFF", "#F5F5F5"},
	}
	for _, dark := range []bool{true, false} {
		st := newStyles(ThemeAuto, dark)
		styles := map[string]lipgloss.Style{
			"help key": st.Help.ShortKey, "help description": st.Help.ShortDesc,
			"full help key": st.Help.FullKey, "full help description": st.Help.FullDesc,
			"label": st.Label, "dim": st.Dim,
		}
		for name, s := range styles {
			fg := s.GetForeground()
			if _, none := fg.(lipgloss.NoColor); none || fg == nil {
				t.Errorf("dark=%v %s has no colour", dark, name)
				continue
			}
			for _, bg := range backgrounds[dark] {
				if r := contrast(fg, lipgloss.Color(bg)); r < 4.5 {
					t.Errorf("dark=%v %s: %.2f:1 on %s, want at least 4.5:1", dark, name, r, bg)
				}
			}
		}
	}
}

// TestCOLORFGBG: the auto theme takes the background from COLORFGBG
// until the terminal answers.
func TestCOLORFGBG(t *testing.T) {
	for _, tc := range []struct {
		v        string
		dark, ok bool
	}{
		{"15;0", true, true}, {"0;15", false, true}, {"0;7", false, true}, {"7;0", true, true},
		{"0;default;15", false, true}, {"12;8", true, true}, {"", false, false}, {"x", false, false}, {"0;99", false, false},
	} {
		dark, ok := darkFromCOLORFGBG(tc.v)
		if dark != tc.dark || ok != tc.ok {
			t.Errorf("COLORFGBG=%q: dark %v ok %v, want %v %v", tc.v, dark, ok, tc.dark, tc.ok)
		}
	}
	m := newModel(fixture(t), ThemeAuto, "", defaultKeyMap())
	darkKey := m.styles.Help.ShortKey.GetForeground()
	if !m.guessBackground(func(string) string { return "0;15" }) {
		t.Fatal("a light COLORFGBG changed nothing")
	}
	if light := m.styles.Help.ShortKey.GetForeground(); light == darkKey || luminance(light) > luminance(darkKey) {
		t.Errorf("after COLORFGBG=0;15 the help keys are not the light theme's")
	}
	mono := newModel(fixture(t), ThemeMono, "", defaultKeyMap())
	if mono.guessBackground(func(string) string { return "0;15" }) {
		t.Error("COLORFGBG changed a theme that was not auto")
	}
}
