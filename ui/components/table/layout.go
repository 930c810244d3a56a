package table

import "github.com/malipo/malipo/ui/components/text"

// Align is where a cell's text sits in its column.
type Align uint8

const (
	// Left is for words: names, ids, statuses.
	Left Align = iota
	// Right is for numbers: money lines up on its last digit.
	Right
)

// Column describes one column. Widths are in terminal cells.
type Column struct {
	Title string
	// Min is the narrowest the column is drawn (at least the title's width).
	Min int
	// Flex is the column's share of the width left over once every column
	// has its Min: names, emails and narratives grow on a wide terminal,
	// ids and amounts do not. 0 keeps the column at Min.
	Flex int
	// Max caps a flexible column (0: no cap), for text with a known limit
	// (IntaSend caps wallet labels at 40 characters).
	Max int
	// Align is Left or Right (money).
	Align Align
	// Drop marks a column that may go when the width is short: the highest
	// Drop goes first. 0: always shown.
	Drop int
}

// minWidth is the column's floor: its Min, and never narrower than its title.
func (c Column) minWidth() int { return max(c.Min, text.Width(c.Title), 1) }

// layout gives each column its width for a table of width cells, prefix of
// which are taken by the cursor mark and gap between columns. A dropped
// column has width 0. Columns first get their minimum; while that overflows,
// optional columns go (highest Drop first); what is left over is shared by
// the flexible columns by weight, up to their Max; a remaining overflow is
// taken from the widest flexible columns, so the line still fits.
func layout(dst []int, cols []Column, width, prefix, gap int) []int {
	dst = append(dst[:0], make([]int, len(cols))...)
	for i, c := range cols {
		dst[i] = c.minWidth()
	}
	used := measure(dst, prefix, gap)
	for used > width && dropOne(dst, cols) {
		used = measure(dst, prefix, gap)
	}
	if spare := width - used; spare > 0 {
		grow(dst, cols, spare)
	} else if spare < 0 {
		shrink(dst, cols, -spare)
	}
	return dst
}

// measure is the width of a row with these column widths.
func measure(w []int, prefix, gap int) int {
	used, n := prefix, 0
	for _, x := range w {
		if x > 0 {
			used += x
			n++
		}
	}
	return used + gap*max(n-1, 0)
}

// dropOne removes the shown column with the highest Drop; false when no
// optional column is left.
func dropOne(w []int, cols []Column) bool {
	best := -1
	for i, c := range cols {
		if w[i] > 0 && c.Drop > 0 && (best < 0 || c.Drop >= cols[best].Drop) {
			best = i
		}
	}
	if best < 0 {
		return false
	}
	w[best] = 0
	return true
}

// grow shares spare cells between the flexible columns by weight. A column
// that reaches its Max keeps it and the rest is shared again among the
// others; the last growing column takes the rounding.
func grow(w []int, cols []Column, spare int) {
	for spare > 0 {
		given := growOnce(w, cols, spare)
		if given == 0 {
			return // nothing may grow: the table is narrower than the screen
		}
		spare -= given
	}
}

// canGrow says whether column i is shown, flexible and below its Max.
func canGrow(w []int, c Column, i int) bool {
	return w[i] > 0 && c.Flex > 0 && (c.Max == 0 || w[i] < c.Max)
}

// growOnce shares spare once among the columns that can grow and says how
// many cells it gave (fewer than spare when a column hit its Max).
func growOnce(w []int, cols []Column, spare int) int {
	shares, last := 0, -1
	for i, c := range cols {
		if canGrow(w, c, i) {
			shares += c.Flex
			last = i
		}
	}
	given := 0
	for i, c := range cols {
		if !canGrow(w, c, i) {
			continue
		}
		add := spare * c.Flex / shares
		if i == last {
			add = spare - given
		}
		if c.Max > 0 {
			add = min(add, c.Max-w[i])
		}
		w[i] += add
		given += add
	}
	return given
}

// shrink takes over cells from the widest flexible columns (down to one
// cell), then from the widest of any column: at a width too small for every
// minimum the row is still cut to fit, and truncation shows "…".
func shrink(w []int, cols []Column, over int) {
	for _, flexOnly := range []bool{true, false} {
		for over > 0 {
			widest := -1
			for i, c := range cols {
				if w[i] > 1 && (!flexOnly || c.Flex > 0) && (widest < 0 || w[i] > w[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			w[widest]--
			over--
		}
	}
}
