package pike

// The tree of address prefixes, as Kamailio's pike builds it: one branch
// per first byte, a node per byte of a prefix that drew enough requests
// to be split further, the complete address as a leaf. A node counts the
// requests of its prefix (hits) and, when it is a complete address, those
// of the address (leafHits), for the current sampling unit and the one
// before. A leaf hot enough turns red: its address is blocked until a
// sampling unit passes in which it is no longer hot.

// Flags mark_node reports.
const (
	flagNewNode  = 1 << 0
	flagRedNode  = 1 << 1
	flagNewRed   = 1 << 2
	flagNoUpdate = 1 << 3
)

// Node flags.
const (
	nodeExpired = 1 << 0
	nodeInTimer = 1 << 1
	nodeIPLeaf  = 1 << 2
	nodeIsRed   = 1 << 3
)

// The two counting positions: the previous sampling unit and the current.
const (
	prevPos = 0
	currPos = 1
)

// maxCount is the most a counter reaches (one below the 16-bit maximum).
const maxCount = 0xffff - 1

// node is one prefix byte. prev is the father for the first of its
// father's kids and the previous sibling for the others; a branch root
// has none. tprev and tnext link it into the timer list.
type node struct {
	expires  uint32
	leafHits [2]uint16
	hits     [2]uint16
	byte     byte
	branch   byte
	flags    uint16

	prev, next, kids *node
	tprev, tnext     *node
}

// tree is the whole tree with its timer list: the nodes that may expire
// (complete addresses and tree leaves), in the order of their expiry.
type tree struct {
	branches [256]*node
	maxHits  uint16
	timer    node // sentinel of the timer list
}

func newTree(maxHits int64) *tree {
	t := &tree{maxHits: uint16(maxHits)}
	t.timer.tnext, t.timer.tprev = &t.timer, &t.timer
	return t
}

// The timer list, as Kamailio's pike keeps it.

func (t *tree) timerEmpty() bool { return t.timer.tnext == &t.timer }

func (t *tree) appendTimer(n *node) {
	n.tprev = t.timer.tprev
	t.timer.tprev.tnext = n
	t.timer.tprev = n
	n.tnext = &t.timer
}

func (t *tree) removeTimer(n *node) {
	if n.tnext == nil {
		return
	}
	n.tnext.tprev = n.tprev
	n.tprev.tnext = n.tnext
	n.tnext, n.tprev = nil, nil
}

func (t *tree) updateTimer(n *node) {
	t.removeTimer(n)
	t.appendTimer(n)
}

// Hotness, with Kamailio's thresholds: a prefix is hot (split it) at a
// quarter of the limit, an address at the limit, counting the current
// unit, the previous one or their average.

func (t *tree) hotNonLeaf(n *node) bool {
	q := t.maxHits >> 2
	return n.hits[prevPos] >= q || n.hits[currPos] >= q ||
		(int(n.hits[prevPos])+int(n.hits[currPos]))>>1 >= int(q)
}

func (t *tree) hotLeaf(n *node) bool {
	m := t.maxHits
	return n.leafHits[prevPos] >= m || n.leafHits[currPos] >= m ||
		(int(n.leafHits[prevPos])+int(n.leafHits[currPos]))>>1 >= int(m)
}

func (t *tree) warmLeaf(n *node) bool { return n.hits[currPos] >= t.maxHits>>2 }

// Node statuses, as pike.top reports them.
const (
	statusOK   = 0
	statusWarm = 1
	statusHot  = 2
	statusAll  = 3
)

var statusNames = [...]string{"", "WARM", "HOT", "ALL"}

func (t *tree) status(n *node) int {
	switch {
	case t.hotLeaf(n):
		return statusHot
	case t.warmLeaf(n):
		return statusWarm
	}
	return statusOK
}

// split makes a kid of dad for b; the kid inherits part of dad's counts,
// as in Kamailio (including its use of the previous unit's leaf count,
// which wraps around below 0).
func split(dad *node, b byte) *node {
	n := &node{byte: b}
	if dad.hits[currPos] >= 1 {
		n.hits[currPos] = dad.hits[currPos] - 1
	}
	if dad.leafHits[currPos] >= 1 {
		n.leafHits[prevPos] = dad.leafHits[prevPos] - 1
	}
	if dad.kids != nil {
		dad.kids.prev = n
		n.next = dad.kids
	}
	dad.kids = n
	n.branch = dad.branch
	n.prev = dad
	return n
}

// mark counts one more request from ip: it finds the longest prefix of ip
// in the tree and marks it, splitting it when it is hot, or the address
// when it is all there. It returns the node, its father when the node is
// new, and the flags of what happened.
func (t *tree) mark(ip []byte) (n, father *node, flags int) {
	kid := t.branches[ip[0]]
	pos := 0
	for kid != nil && pos < len(ip) {
		for kid != nil && kid.byte != ip[pos] {
			kid = kid.next
		}
		if kid != nil {
			n = kid
			kid = kid.kids
			pos++
		}
	}
	switch {
	case pos == len(ip):
		n.flags |= nodeIPLeaf
		if n.leafHits[currPos] < maxCount {
			n.leafHits[currPos]++
		}
		if n.flags&nodeIsRed == 0 {
			if t.hotLeaf(n) {
				flags |= flagRedNode | flagNewRed
				n.flags |= nodeIsRed
			}
		} else {
			flags |= flagRedNode
		}
	case pos == 0:
		n = &node{byte: ip[0], branch: ip[0]}
		n.hits[currPos] = 1
		flags = flagNewNode
		t.branches[ip[0]] = n
	default:
		if n.hits[currPos] < maxCount {
			n.hits[currPos]++
		}
		if t.hotNonLeaf(n) {
			flags = flagNewNode
			father = n
			n = split(n, ip[pos])
		} else if !t.warmLeaf(n) {
			flags = flagNoUpdate
		}
	}
	return n, father, flags
}

// remove unlinks n (and its subtree) from the tree.
func (t *tree) remove(n *node) {
	if n.prev == nil {
		t.branches[n.byte] = nil
	} else {
		if n.prev.kids == n {
			n.prev.kids = n.next
		} else {
			n.prev.next = n.next
		}
		if n.next != nil {
			n.next.prev = n.prev
		}
	}
	n.next, n.prev = nil, nil
}
