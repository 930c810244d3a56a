//go:build race

package payouts

// raceEnabled: memory figures mean nothing under the race detector.
const raceEnabled = true
