package units

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "1048576", want: 1048576},
		{in: "20MB", want: 20_000_000},
		{in: "20mb", want: 20_000_000},
		{in: "20 MB", want: 20_000_000},
		{in: " 20MB ", want: 20_000_000},
		{in: "20M", want: 20_000_000},
		{in: "1GiB", want: 1 << 30},
		{in: "1gib", want: 1 << 30},
		{in: "512KiB", want: 512 << 10},
		{in: "1.5GB", want: 1_500_000_000},
		{in: "10B", want: 10},
		{in: "", wantErr: true},
		{in: "MB", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "20XB", wantErr: true},
		{in: ".5MB", wantErr: true},
		{in: "disabled", wantErr: true},
		{in: "100EB", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseBytes(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseBytes(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{20_000_000, "20 MB"},
		{1 << 30, "1.1 GB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
