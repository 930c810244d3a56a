// Package testcheck holds the named-condition checks the tests share.
// Listing conditions instead of chaining them with || keeps test functions
// short (cyclomatic ≤ 15) and makes a failure name every condition that
// broke, not only the first.
package testcheck

import (
	"strings"
	"testing"
)

// Cond is one named condition a check expects to hold.
type Cond struct {
	what string
	ok   bool
}

// C names a condition: C("status 200", code == 200).
func C(what string, ok bool) Cond { return Cond{what, ok} }

// failed names the conditions that do not hold.
func failed(conds []Cond) []string {
	var bad []string
	for _, c := range conds {
		if !c.ok {
			bad = append(bad, c.what)
		}
	}
	return bad
}

// Must stops the test when err is set. It comes before Expect because
// Expect's conditions are evaluated before the call: a nil answer must not
// reach them.
func Must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Expect stops the test when a condition does not hold, showing got.
func Expect(t testing.TB, what string, got any, conds ...Cond) {
	t.Helper()
	if bad := failed(conds); len(bad) > 0 {
		t.Fatalf("%s: want %s; got %+v", what, strings.Join(bad, ", "), got)
	}
}

// Check is Expect that lets the test go on (Errorf), for checks whose
// failure does not make the rest meaningless.
func Check(t testing.TB, what string, got any, conds ...Cond) {
	t.Helper()
	if bad := failed(conds); len(bad) > 0 {
		t.Errorf("%s: want %s; got %+v", what, strings.Join(bad, ", "), got)
	}
}

// Contains reports (and goes on) each of subs that s lacks.
func Contains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}
