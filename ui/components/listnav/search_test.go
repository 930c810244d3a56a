package listnav

import "testing"

func TestSearch(t *testing.T) {
	cases := []struct {
		name string
		s    Search
		want string
	}{
		{"all loaded", Search{Matches: 8, Loaded: 400, Total: 400}, "8 match of 400 (all loaded)"},
		{"searching", Search{Matches: 8, Loaded: 200, Total: 400, More: true, Loading: true}, "searching… 200 of 400 loaded · 8 match"},
		{"searching, no count", Search{Matches: 0, Loaded: 200, More: true, Loading: true}, "searching… 200 loaded · 0 match"},
		{"a screenful found", Search{Matches: 30, Loaded: 200, Total: 400, More: true}, "30 match in 200 of 400 loaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.String(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	wants := []struct {
		query          string
		matches, rows  int
		more, wantMore bool
	}{
		{"", 0, 20, true, false},
		{"x", 8, 20, true, true},
		{"x", 20, 20, true, false},
		{"x", 8, 20, false, false},
	}
	for _, w := range wants {
		if got := WantMore(w.query, w.matches, w.rows, w.more); got != w.wantMore {
			t.Errorf("WantMore(%q, %d, %d, %v) = %v", w.query, w.matches, w.rows, w.more, got)
		}
	}
}
