// Package netstring owns netstring framing ("LEN:payload,"), the wire format
// of Kamailio's evapi module, for every part of kamgo that speaks it.
//
//   - Append and PutHeader encode a frame.
//   - Decoder parses a byte stream restartably, with evapi's rules: it skips
//     whitespace between frames, discards an invalid frame up to its next
//     ',', and stops at a length above its limit. It allocates nothing.
//   - Read reads one frame from a bufio.Reader, for simple clients.
//   - Conn is a TCP client that sends and receives frames with timeouts.
//
// The grammar: optional whitespace (' ', '\t', '\r', '\n'), one or more
// decimal digits giving a length N > 0 (at most MaxLenDigits of them), ':',
// N bytes of payload, ','. A zero length is invalid, as in Kamailio.
package netstring
