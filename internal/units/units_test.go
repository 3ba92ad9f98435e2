package units

import (
	"math"
	"testing"

	"github.com/dustin/go-humanize"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{9, "9 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1049, "1.0 kB"},
		{1050, "1.1 kB"}, // half up
		{5_100, "5.1 kB"},
		{9_949, "9.9 kB"},
		{9_950, "10 kB"},      // rounded once: not 9.9, as advice.Size printed
		{9_950_000, "10 MB"},  // the example
		{10_500_000, "11 MB"}, // half up (humanize printed 10 MB)
		{11_450_000, "11 MB"}, // rounded once (humanize rounded to 11.5, then 12 MB)
		{41_000_000, "41 MB"},
		{999_499, "999 kB"},
		{999_500, "1.0 MB"}, // never 1000 kB, as go-humanize prints it
		{999_999_999, "1.0 GB"},
		{2_711_000_000, "2.7 GB"},
		{1_000_000_000_000_000_000, "1.0 EB"},
		{math.MaxInt64, "9.2 EB"},
		{-200, "-200 B"},
		{-1_500_000, "-1.5 MB"},
		{math.MinInt64, "-9.2 EB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSignedBytes(t *testing.T) {
	for in, want := range map[int64]string{0: "0 B", 200: "+200 B", -600: "-600 B", 2_000: "+2.0 kB"} {
		if got := SignedBytes(in); got != want {
			t.Errorf("SignedBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestBytesExact(t *testing.T) {
	if got, want := BytesExact(125006), "125 kB (125006 bytes)"; got != want {
		t.Errorf("BytesExact = %q, want %q", got, want)
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		in           float64
		want, signed string
	}{
		{0, "0.00%", "+0.00%"},
		{0.85, "85.00%", "+85.00%"},
		{1, "100.00%", "+100.00%"},
		{0.6871, "68.71%", "+68.71%"},
		{0.0391, "3.91%", "+3.91%"},
		{-0.0525, "-5.25%", "-5.25%"},
		{-0.00001, "0.00%", "+0.00%"}, // no minus on a share too small to show
		{0.00004, "0.00%", "+0.00%"},
	}
	for _, tt := range tests {
		if got := Percent(tt.in); got != tt.want {
			t.Errorf("Percent(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if got := SignedPercent(tt.in); got != tt.signed {
			t.Errorf("SignedPercent(%v) = %q, want %q", tt.in, got, tt.signed)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"20MB", 20_000_000, true},
		{"1GiB", 1 << 30, true},
		{"20mb", 20_000_000, true},
		{"1.5 GB", 1_500_000_000, true},
		{"1048576", 1048576, true},
		{"", 0, false},
		{".5MB", 0, false},
		{"MB", 0, false},
		{"20 parsecs", 0, false},
		{"100EB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	// It reads what go-humanize, which strata parsed sizes with before, reads.
	for _, in := range []string{"0", "1", "20MB", "20 mb", "1.5GB", "1GiB", "3 KiB", "7k", "2Mi", "1,048,576", "1,5MB", "12.", "9223372036854775807", "8EiB", "8EB", "9.2EB"} {
		got, err := ParseBytes(in)
		want, herr := humanize.ParseBytes(in)
		if herr != nil || want > math.MaxInt64 {
			if err == nil {
				t.Errorf("ParseBytes(%q) = %d; humanize: %d, %v", in, got, want, herr)
			}
			continue
		}
		if err != nil || uint64(got) != want {
			t.Errorf("ParseBytes(%q) = %d, %v; humanize reads %d", in, got, err, want)
		}
	}
	// What Bytes prints reads back to within its precision.
	for _, n := range []int64{999, 5_100, 41_000_000, 2_700_000_000} {
		if got, err := ParseBytes(Bytes(n)); err != nil || got != n {
			t.Errorf("ParseBytes(Bytes(%d)) = %d, %v", n, got, err)
		}
	}
}
