//go:build race

package main

// raceEnabled builds the kamgo binary of the end-to-end tests with -race too.
const raceEnabled = true
