// Package sip owns kamgo's SIP transport and the core's stateless SIP path,
// as Kamailio's core has them without the tm module:
//
//   - the sockets of the listen= core parameters (UDP and TCP), opened by
//     Start and closed by Stop;
//   - reading: every UDP datagram, and every message framed out of a TCP
//     stream, is parsed by sipgo (through runtime/sipmsg) and checked the
//     way Kamailio's receive_msg checks it (a Via, Call-ID, CSeq, From and
//     To); a message that fails is logged and dropped, and the socket keeps
//     serving;
//   - routing: a request runs request_route, a reply runs the core reply
//     route (reply_route, or onreply_route without a name), each on a worker
//     of the core pool with one event.Context holding the sipmsg.Msg; a
//     reply the route does not drop is forwarded statelessly to its second
//     Via (RFC 3261 §18.2.2);
//   - sending: Forward relays a request statelessly as Kamailio's forward()
//     does (RFC 3261 §16.11 without the transaction: it adds its Via with
//     a branch derived from the transaction key, adds received and rport
//     to the previous Via when RFC 3261 §18.2.1 and RFC 3581 ask for them,
//     runs onsend_route, and sends to $du, else the Request-URI);
//     SendReply sends a reply a module built (BuildReply, for sl) to where
//     RFC 3261 §18.2.2 and RFC 3581 say replies go.
//
// # A transaction layer
//
// A Layer sits between the transport and the routes: Request sees each
// request, with its Context, before request_route (sl filters the ACKs of
// its own replies there; tm will match retransmissions, ACKs and CANCELs),
// and Reply sees each reply the core reply route let through, before the
// stateless forwarding (tm will claim the replies of its transactions
// there, as Kamailio's tm does with its response callback). Either may
// take the message, and the core path stops. A layer that keeps a
// message past its event detaches the Context (event.Context.Detach): the
// transport then leaves it alone.
//
// # Why sipgo's transport layer is not used for the sockets
//
// sipgo's parser reads every message (runtime/sipmsg.Parse, and the framing
// of TCP streams below), so no SIP text is parsed by hand here. Its
// TransportLayer is not used for the sockets: it hands its handler a
// message object, not the bytes received ($mb and forwarding need those),
// hides the local socket a message arrived on ($Ri, $Rp, and the socket
// replies leave from), and re-renders messages and rewrites their Via
// when it sends them, where a stateless proxy must send the received text
// with only its own edits, as Kamailio does. The sockets are Go's net
// package's: `children` readers on each UDP socket (as Kamailio runs that
// many processes on each), one reader per TCP connection, all taking
// their worker from the one core pool.
package sip
