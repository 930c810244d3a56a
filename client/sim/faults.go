package sim

import "math/rand/v2"

// STUB (sim-B): fault injection.
type Fault struct{}

type faultSet struct{}

func newFaultSet(f []Fault, rng *rand.Rand) *faultSet { return &faultSet{} }

// before may answer the request itself (injected error, dropped connection
// before processing); it returns true when it did.
func (f *faultSet) before(c *reqCtx) bool { return false }

// wrap may run h and then lose the answer (dropped connection after
// processing); it returns true when it ran h itself.
func (f *faultSet) wrap(c *reqCtx, h handler) bool { return false }
