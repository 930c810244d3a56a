package listnav

import "fmt"

// Search is where a `/` filter over a paged list stands. A filter sees
// only the rows loaded, so while it keeps fewer than a screenful and the
// server has more pages, the list loads them one at a time (an async
// command each, never overlapping) until the screen fills or nothing is
// left; clearing the filter stops it. String says which it is, so "8
// match" is never mistaken for "8 in all".
type Search struct {
	Matches int  // rows the filter keeps
	Loaded  int  // rows loaded so far
	Total   int  // the server's count; 0 when it does not say
	More    bool // the server has more pages
	Loading bool // a page is on its way
}

// WantMore says whether a filter keeping matches rows should load the
// next page: only while a screen (of screen rows) is not full and pages
// remain.
func WantMore(query string, matches, screen int, more bool) bool {
	return query != "" && more && matches < screen
}

// String is the filter's status line:
//
//	8 match of 400 (all loaded)
//	searching… 200 of 400 loaded · 8 match
//	30 match in 200 of 400 loaded
func (s Search) String() string {
	loaded := fmt.Sprint(s.Loaded)
	if s.Total > s.Loaded {
		loaded = fmt.Sprintf("%d of %d", s.Loaded, s.Total)
	}
	switch {
	case !s.More:
		return fmt.Sprintf("%d match of %d (all loaded)", s.Matches, s.Loaded)
	case s.Loading:
		return fmt.Sprintf("searching… %s loaded · %d match", loaded, s.Matches)
	}
	return fmt.Sprintf("%d match in %s loaded", s.Matches, loaded)
}
