package auth

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// Nonce indexes: with nonce_count or one_time_nonce each nonce carries an
// id taken from one of nid_pool_no pools (each pool steps by nidStep, so
// neighbouring ids land on different cache lines in Kamailio's shared
// memory; kept here for the same ids and windows), and the pool number
// with flags saying which checks the id is for.
const (
	nidStep     = 257
	maxNIDPools = 64
	nfValidNC   = 0x80 // the id is registered for nonce-count checks
	nfValidOT   = 0x40 // the id is registered for one-time checks
	nfPoolMask  = 0x3f
)

// Outcomes of the nonce-count and one-time checks.
const (
	idOK = iota
	idBadPool
	idTooOld // more ids were handed out since than the array holds
	ncTooBig // nc above 255
	idReplay
)

// nonceIndex holds the id pools and the arrays the nonce-count and
// one-time checks record what they saw in. Each array is split in one
// partition per pool; an id's slot is its low bits in its pool's
// partition, so an id is forgotten once the pool has moved on by a
// partition's worth of ids (idTooOld).
type nonceIndex struct {
	pools   []atomicPool
	poolK   uint // len(pools) == 1<<poolK
	poolMsk uint32

	mu sync.Mutex // guards nc and otn

	nc      []byte // per id: the highest nc seen; 0xff until the nonce is made
	ncPartK uint
	otn     []uint64 // per id one bit: set when used (or never made)
	otnPart uint
}

// log2 is the position of the highest bit set (bit_scan_reverse32).
func log2(n uint32) uint { return uint(31 - bits.LeadingZeros32(n)) }

// pool returns the pool of a worker.
func (x *nonceIndex) pool(worker int) uint32 { return uint32(worker) & x.poolMsk }

// next hands out the next id of pool p.
func (x *nonceIndex) next(p uint32) uint32 { return x.pools[p].Add(nidStep) }

// overflowed reports whether id is too old for a partition of 1<<k ids.
func (x *nonceIndex) overflowed(id, p uint32, k uint) bool {
	return x.pools[p].Load()-id >= nidStep*(uint32(1)<<k)
}

// ncSlot is the nc array slot of id in pool p.
func (x *nonceIndex) ncSlot(id, p uint32) uint32 {
	return id&(uint32(1)<<x.ncPartK-1) + p<<x.ncPartK
}

// otnSlot is the one-time bit of id in pool p.
func (x *nonceIndex) otnSlot(id, p uint32) uint32 {
	return id&(uint32(1)<<x.otnPart-1) + p<<x.otnPart
}

// ncNew makes id's nonce count expect its first nc.
func (x *nonceIndex) ncNew(id, p uint32) {
	x.mu.Lock()
	x.nc[x.ncSlot(id, p)] = 0
	x.mu.Unlock()
}

// ncCheck accepts nc for id when it is above the last one seen and
// records it.
func (x *nonceIndex) ncCheck(id, p, nc uint32) int {
	switch {
	case p >= uint32(len(x.pools)):
		return idBadPool
	case x.overflowed(id, p, x.ncPartK):
		return idTooOld
	case nc >= 256:
		return ncTooBig
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	s := x.ncSlot(id, p)
	if uint32(x.nc[s]) >= nc {
		return idReplay
	}
	x.nc[s] = byte(nc)
	return idOK
}

// otnNew makes id's nonce usable once.
func (x *nonceIndex) otnNew(id, p uint32) {
	s := x.otnSlot(id, p)
	x.mu.Lock()
	x.otn[s/64] &^= 1 << (s % 64)
	x.mu.Unlock()
}

// otnCheck accepts id once.
func (x *nonceIndex) otnCheck(id, p uint32) int {
	switch {
	case p >= uint32(len(x.pools)):
		return idBadPool
	case x.overflowed(id, p, x.otnPart):
		return idTooOld
	}
	s := x.otnSlot(id, p)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.otn[s/64]&(1<<(s%64)) != 0 {
		return idReplay
	}
	x.otn[s/64] |= 1 << (s % 64)
	return idOK
}

// atomicPool is one pool's last id handed out.
type atomicPool = atomic.Uint32
