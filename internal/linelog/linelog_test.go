package linelog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestLines(t *testing.T) {
	var l Log
	if n, err := l.Write([]byte("one\ntw")); n != 6 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if got := l.Lines(); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("before the line ends: %q", got)
	}
	fmt.Fprint(&l, "o\nthree\n\nfou")
	if got := l.Lines(); !slices.Equal(got, []string{"one", "two", "three", ""}) {
		t.Fatalf("lines %q", got)
	}
	if got := l.Text(); got != "one\ntwo\nthree\n\n" {
		t.Fatalf("text %q", got)
	}
	l.Close()
	if got := l.Lines(); !slices.Equal(got, []string{"one", "two", "three", "", "fou"}) {
		t.Fatalf("after Close: %q", got)
	}
	if got := l.Text(); got != "one\ntwo\nthree\n\nfou" {
		t.Fatalf("text after Close %q", got)
	}
	fmt.Fprint(&l, "late\n")
	if n := len(l.Lines()); n != 5 {
		t.Fatalf("%d lines after a write past Close", n)
	}
}

func TestCount(t *testing.T) {
	var l Log
	fmt.Fprint(&l, "INFO: a\nERROR: b\nINFO: c\n")
	if n := l.Count(regexp.MustCompile(`^INFO: `)); n != 2 {
		t.Fatalf("count %d", n)
	}
}

// TestWait: a waiter wakes for lines written by another goroutine.
func TestWait(t *testing.T) {
	var l Log
	re := regexp.MustCompile(`^ready \d+$`)
	errc := make(chan error, 1)
	go func() { errc <- l.Wait(re, 3, time.Minute) }()
	for i := range 3 {
		fmt.Fprintf(&l, "noise\nready %d\n", i)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestWaitClosed(t *testing.T) {
	var l Log
	fmt.Fprint(&l, "ready 1\n")
	errc := make(chan error, 1)
	go func() { errc <- l.Wait(regexp.MustCompile(`ready`), 2, time.Minute) }()
	l.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

func TestWaitTimeout(t *testing.T) {
	var l Log
	if err := l.Wait(regexp.MustCompile(`never`), 1, time.Millisecond); err == nil || errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want a timeout", err)
	}
}
