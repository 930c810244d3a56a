//go:build !race

package payouts

const raceEnabled = false
