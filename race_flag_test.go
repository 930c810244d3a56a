//go:build race

package main

// raceEnabled: memory figures mean nothing under the race detector.
const raceEnabled = true
