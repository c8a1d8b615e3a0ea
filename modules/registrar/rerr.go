package registrar

import "github.com/kamgo/kamgo/runtime/klog"

// errLevel is the level of Kamailio's LM_ERR.
const errLevel = klog.Err

// rerr is why save failed (Kamailio's rerrno): it picks the reply's code
// and its P-Registrar-Error text.
type rerr int

// The errors, in Kamailio's order.
const (
	rFine rerr = iota
	rULDelR
	rULGetR
	rULNewR
	rInvCSeq
	rULInsC
	rULInsR
	rULDelC
	rULUpdC
	rToUser
	rAORLen
	rAORParse
	rInvExp
	rInvQ
	rParse
	rToMiss
	rCIDMiss
	rCSMiss
	rParseExp
	rParseCont
	rStarExp
	rStarCont
	rOOO
	rRetrans
	rUnescape
	rTooMany
	rContactLen
	rCallIDLen
	rParsePath
	rPathUnsup
	rOBUnsup
	rOBReqd
	rOBUnsupEdge
	rInvRegID
	rLowExp
)

// rerrInfo is each error's reply code and P-Registrar-Error text.
var rerrInfo = [...]struct {
	code int
	text string
}{
	rFine:        {200, "No problem"},
	rULDelR:      {500, "usrloc_record_delete failed"},
	rULGetR:      {500, "usrloc_record_get failed"},
	rULNewR:      {500, "usrloc_record_new failed"},
	rInvCSeq:     {400, "Invalid CSeq number"},
	rULInsC:      {500, "usrloc_contact_insert failed"},
	rULInsR:      {500, "usrloc_record_insert failed"},
	rULDelC:      {500, "usrloc_contact_delete failed"},
	rULUpdC:      {500, "usrloc_contact_update failed"},
	rToUser:      {400, "No username in To URI"},
	rAORLen:      {500, "Address Of Record too long"},
	rAORParse:    {400, "Error while parsing AOR"},
	rInvExp:      {400, "Invalid expires param in contact"},
	rInvQ:        {400, "Invalid q param in contact"},
	rParse:       {400, "Message parse error"},
	rToMiss:      {400, "To header not found"},
	rCIDMiss:     {400, "Call-ID header not found"},
	rCSMiss:      {400, "CSeq header not found"},
	rParseExp:    {400, "Expires parse error"},
	rParseCont:   {400, "Contact parse error"},
	rStarExp:     {400, "* used in contact and expires is not zero"},
	rStarCont:    {400, "* used in contact and more than 1 contact"},
	rOOO:         {200, "Out of order request"},
	rRetrans:     {200, "Retransmission"},
	rUnescape:    {400, "Error while unescaping username"},
	rTooMany:     {503, "Too many registered contacts"},
	rContactLen:  {400, "Contact/received too long"},
	rCallIDLen:   {400, "Callid too long"},
	rParsePath:   {400, "Path parse error"},
	rPathUnsup:   {420, "No support for found Path indicated"},
	rOBUnsup:     {421, "No support for Outbound indicated"},
	rOBReqd:      {420, "No support for Outbound on server"},
	rOBUnsupEdge: {439, "No support for Outbound on edge proxy"},
	rInvRegID:    {400, "Invalid Reg-Id number"},
	rLowExp:      {423, "Interval too brief"},
}

// reasons are the reason phrases of the codes save replies with.
var reasons = map[int]string{
	200: "OK", 400: "Bad Request", 420: "Bad Extension", 421: "Extension Required",
	423: "Interval Too Brief", 439: "First Hop Lacks Outbound Support",
	500: "Server Internal Error", 503: "Service Unavailable",
}
