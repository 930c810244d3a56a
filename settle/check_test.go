package settle_test

import (
	"strings"
	"testing"
)

// cond is one named condition a check expects to hold. Listing conditions
// instead of chaining them with || keeps test functions short (cyclomatic
// <= 15) and makes a failure name every condition that broke, not only the
// first.
type cond struct {
	what string
	ok   bool
}

// failedConds names the conditions that do not hold.
func failedConds(conds []cond) []string {
	var bad []string
	for _, c := range conds {
		if !c.ok {
			bad = append(bad, c.what)
		}
	}
	return bad
}

// check is expect that lets the test go on (Errorf), for checks whose
// failure does not make the rest meaningless.
func check(t testing.TB, what string, got any, conds ...cond) {
	t.Helper()
	if bad := failedConds(conds); len(bad) > 0 {
		t.Errorf("%s: want %s; got %+v", what, strings.Join(bad, ", "), got)
	}
}
