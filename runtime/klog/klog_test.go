package klog

import (
	"bytes"
	"testing"
)

// TestLevelNames pins Kamailio's labels, including the empty one of level
// -2 and the numbered fallback for levels Kamailio has no name for.
func TestLevelNames(t *testing.T) {
	for lv, want := range map[Level]string{
		Alert: "ALERT", Bug: "BUG", Crit: "CRITICAL", -2: "", Err: "ERROR",
		Warn: "WARNING", Notice: "NOTICE", Info: "INFO", Dbg: "DEBUG", 7: "L7",
	} {
		if got := lv.String(); got != want {
			t.Errorf("Level(%d) = %q, want %q", int(lv), got, want)
		}
	}
}

// TestTextLine checks the Kamailio-style line, level label first.
func TestTextLine(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	l.Log(Err, "script", "boom")
	l.Log(-2, "script", "plain")
	if got := b.String(); got != "ERROR: <script>: boom\n: <script>: plain\n" {
		t.Errorf("got %q", got)
	}
}

// TestPrefixPlacement: log_prefix goes after the level, before the
// origin or xlog's own head, as Kamailio prints it.
func TestPrefixPlacement(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	l.LogPrefixed(Info, "{1 abc} ", "script", "hello\n")
	l.LogHead(Err, "{1 abc} ", "script", "HEAD: ", "text")
	l.Log(Warn, "core", "plain")
	want := "INFO: {1 abc} <script>: hello\nERROR: {1 abc} HEAD: text\nWARNING: <core>: plain\n"
	if got := b.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
