package sim

// STUB (sim-B): counters a test can read.
type counters struct{}

func (c *counters) init() {}

func (c *counters) request(route string) {}
