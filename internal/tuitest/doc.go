// Package tuitest is the shared test harness of the console's screens
// (views/*) and shell (ui): a simulator fixture on a manual clock behind
// loopback HTTP (Sim), a synchronous Bubble Tea command runner that holds
// timers until a test fires them (Driver), ANSI stripping, and golden-file
// comparison with one -update flag.
//
// It is a normal package so every screen's tests can share it, but only
// _test.go files may import it: nothing in it belongs in the binary.
package tuitest
