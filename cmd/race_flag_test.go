//go:build race

package cmd

// raceEnabled: memory figures mean nothing under the race detector.
const raceEnabled = true
