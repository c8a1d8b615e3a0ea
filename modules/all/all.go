// Package all wires in every module kamgo can run, by importing each for
// its registration side effect.
package all
