package htable

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
)

// Iterators are per worker, as Kamailio keeps them per process: at most
// maxIterators at once, each named by fewer than maxIterName bytes. An
// iterator on an item holds that item's slot lock until it moves to
// another slot or ends, so a script that leaves one running keeps the
// slot locked, as in Kamailio.
const (
	maxIterators = 4
	maxIterName  = 32
)

// iterator is one named iterator: the table, the slot and the item it is
// on (nil before the first sht_iterator_next and after the last).
type iterator struct {
	name string
	t    *Table
	slot int
	cur  *cell
}

// iterators are a worker's iterators.
type iterators [maxIterators]iterator

var iterKey = event.NewKey()

// iters returns the iterators of c's worker.
func iters(c *event.Context) *iterators {
	if c.Worker == nil {
		// No worker (a KEMI call outside an event): iterators of the event.
		if v, ok := c.Get(iterKey).(*iterators); ok {
			return v
		}
		v := &iterators{}
		c.Set(iterKey, v)
		return v
	}
	if v, ok := c.Worker.Get(iterKey).(*iterators); ok {
		return v
	}
	v := &iterators{}
	c.Worker.Set(iterKey, v)
	return v
}

// find returns the index of the iterator named name or, when there is
// none, of the first free one; -1 when neither.
func (its *iterators) find(name string) int {
	k := -1
	for i := range its {
		if its[i].name != "" {
			if its[i].name == name {
				return i
			}
		} else if k == -1 {
			k = i
		}
	}
	return k
}

// iterStart starts (or restarts) the iterator name on table tname.
func (m *Module) iterStart(c *event.Context, name, tname string) error {
	its := iters(c)
	k := its.find(name)
	if k < 0 {
		return fmt.Errorf("no iterator available - max number is %d", maxIterators)
	}
	it := &its[k]
	if it.name != "" {
		if it.t != nil && it.cur != nil {
			it.t.slots[it.slot].lock.unlock(ownerOf(c))
		}
	} else {
		if len(name) >= maxIterName {
			return fmt.Errorf("iterator name is too big [%s] (max %d)", name, maxIterName)
		}
		it.name = name
	}
	it.cur, it.slot = nil, 0
	t, ok := m.Table(tname)
	it.t = t
	if !ok {
		it.t = nil
		return fmt.Errorf("cannot get hash table [%s]", tname)
	}
	return nil
}

// used returns the iterator named name when it is on an item.
func (its *iterators) used(name string) (*iterator, error) {
	k := its.find(name)
	if k < 0 {
		return nil, fmt.Errorf("iterator not found [%s]", name)
	}
	it := &its[k]
	if it.t == nil {
		return nil, fmt.Errorf("iterator not initialized [%s]", name)
	}
	if it.cur == nil {
		return nil, fmt.Errorf("iterator not used [%s]", name)
	}
	return it, nil
}

// iterNext moves the iterator to the next item; done is true when there
// is none (the iterator then holds no lock).
func (m *Module) iterNext(c *event.Context, name string) (done bool, err error) {
	its := iters(c)
	k := its.find(name)
	if k < 0 {
		return false, fmt.Errorf("iterator not found [%s]", name)
	}
	// An unknown name finds a free iterator, which is not initialized.
	it := &its[k]
	if it.t == nil {
		return false, fmt.Errorf("iterator not initialized [%s]", name)
	}
	o := ownerOf(c)
	if it.cur == nil {
		it.slot = 0
	} else {
		sl := &it.t.slots[it.slot]
		if i := indexOf(sl.cells, it.cur); i >= 0 && i+1 < len(sl.cells) {
			it.cur = sl.cells[i+1]
			return false, nil
		}
		it.cur = nil
		sl.lock.unlock(o)
		it.slot++
	}
	return !it.seek(o), nil
}

// seek moves to the first item of the first non-empty slot from it.slot
// on, holding its lock; false when there is none.
func (it *iterator) seek(o owner) bool {
	for ; it.slot < len(it.t.slots); it.slot++ {
		sl := &it.t.slots[it.slot]
		sl.lock.lock(o)
		if len(sl.cells) > 0 {
			it.cur = sl.cells[0]
			return true
		}
		sl.lock.unlock(o)
	}
	return false
}

func indexOf(cells []*cell, c *cell) int {
	for i, x := range cells {
		if x == c {
			return i
		}
	}
	return -1
}

// iterEnd ends the iterator, releasing the lock it holds.
func (m *Module) iterEnd(c *event.Context, name string) error {
	its := iters(c)
	k := its.find(name)
	if k < 0 || its[k].name == "" {
		return fmt.Errorf("iterator not found [%s]", name)
	}
	it := &its[k]
	if it.t != nil && it.cur != nil {
		it.t.slots[it.slot].lock.unlock(ownerOf(c))
	}
	*it = iterator{}
	return nil
}

// iterRemove removes the item the iterator is on and moves to the next;
// last is true when there is none.
func (m *Module) iterRemove(c *event.Context, name string) (last bool, err error) {
	it, err := iters(c).used(name)
	if err != nil {
		return false, err
	}
	o := ownerOf(c)
	sl := &it.t.slots[it.slot]
	i := indexOf(sl.cells, it.cur)
	it.cur = nil
	if i >= 0 {
		sl.remove(i)
		if i < len(sl.cells) {
			it.cur = sl.cells[i]
			return false, nil
		}
	}
	sl.lock.unlock(o)
	it.slot++
	return !it.seek(o), nil
}

// iterSet replaces the value of the item the iterator is on: a string
// when isStr, otherwise n. updateexpire restarts its autoexpire.
func (m *Module) iterSet(c *event.Context, name string, isStr bool, s string, n int64) error {
	it, err := iters(c).used(name)
	if err != nil {
		return err
	}
	cur := it.cur
	cur.isStr, cur.s, cur.n = isStr, "", 0
	if isStr {
		cur.s = s
	} else {
		cur.n = wrap32(n)
	}
	if it.t.updateExpire {
		cur.expire = m.now() + it.t.autoexpire
	}
	return nil
}

// iterSetExpire sets the expiry of the item the iterator is on to exp
// seconds from now.
func (m *Module) iterSetExpire(c *event.Context, name string, exp int64) error {
	it, err := iters(c).used(name)
	if err != nil {
		return err
	}
	it.cur.expire = m.now() + exp
	return nil
}

// iterCurrent returns the item the iterator named name is on.
func iterCurrent(c *event.Context, name string) (Value, bool) {
	if name == "" {
		return Value{}, false
	}
	its := iters(c)
	k := its.find(name)
	if k < 0 || its[k].name == "" || its[k].name != name || its[k].cur == nil {
		return Value{}, false
	}
	return its[k].cur.value(), true
}
