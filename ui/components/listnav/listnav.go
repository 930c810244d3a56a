// Package listnav is the arithmetic every scrolling list shares: keeping a
// cursor in range, scrolling just enough to keep it on screen, and the
// as-you-type word filter. Views keep their own cursor and offset fields
// and call these, so all lists scroll and filter alike.
package listnav

import "strings"

// Clamp limits i to a row of a list of n rows (0 when the list is empty).
func Clamp(i, n int) int {
	return min(max(i, 0), max(n-1, 0))
}

// Offset returns the first visible row of a window of rows lines over n
// rows such that cursor is visible: it moves offset as little as possible
// and never scrolls past the end. With rows <= 0 (no room yet) it leaves
// offset as it is.
func Offset(cursor, offset, n, rows int) int {
	if rows <= 0 {
		return offset
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return min(max(offset, 0), max(n-rows, 0))
}

// Match returns the indexes of the entries of hay (lower-cased search text,
// one per row) that contain every word of query, reusing dst's storage.
// Callers skip it for an empty query, which means "no filter".
func Match(dst []int, hay []string, query string) []int {
	words := strings.Fields(query)
	dst = dst[:0]
	for i, h := range hay {
		ok := true
		for _, w := range words {
			if !strings.Contains(h, w) {
				ok = false
				break
			}
		}
		if ok {
			dst = append(dst, i)
		}
	}
	return dst
}
