//go:build !race

package proctest

// raceEnabled: Build builds with -race, as the test binary was.
const raceEnabled = false
