package listnav

import (
	"slices"
	"testing"
)

func TestClamp(t *testing.T) {
	tests := []struct{ i, n, want int }{
		{-3, 10, 0}, {0, 10, 0}, {9, 10, 9}, {12, 10, 9}, {5, 0, 0}, {-1, 0, 0},
	}
	for _, tt := range tests {
		if got := Clamp(tt.i, tt.n); got != tt.want {
			t.Errorf("Clamp(%d, %d) = %d, want %d", tt.i, tt.n, got, tt.want)
		}
	}
}

func TestOffset(t *testing.T) {
	tests := []struct {
		name                       string
		cursor, offset, n, rows, w int
	}{
		{"cursor visible: no scroll", 5, 2, 100, 10, 2},
		{"cursor above: scroll up to it", 1, 4, 100, 10, 1},
		{"cursor below: scroll just enough", 20, 0, 100, 10, 11},
		{"never past the end", 99, 95, 100, 10, 90},
		{"shorter than the window", 3, 2, 5, 10, 0},
		{"no room yet: unchanged", 50, 7, 100, 0, 7},
		{"empty list", 0, 3, 0, 10, 0},
	}
	for _, tt := range tests {
		if got := Offset(tt.cursor, tt.offset, tt.n, tt.rows); got != tt.w {
			t.Errorf("%s: Offset(%d, %d, %d, %d) = %d, want %d", tt.name, tt.cursor, tt.offset, tt.n, tt.rows, got, tt.w)
		}
	}
}

func TestMatch(t *testing.T) {
	hay := []string{"jane wanjiku 254712 complete", "john otieno failed", "jane doe pending"}
	tests := []struct {
		query string
		want  []int
	}{
		{"jane", []int{0, 2}},
		{"jane  complete", []int{0}},
		{"JANE", nil}, // hay is lower-cased by the caller, and so is the query
		{"nobody", nil},
		{"doe", []int{2}},
	}
	buf := make([]int, 0, 8)
	for _, tt := range tests {
		got := Match(buf, hay, tt.query)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Match(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}
