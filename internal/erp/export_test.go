package erp

// Waiting returns how many calls are waiting for a slot of b.
func Waiting(b *Budget) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, q := range b.waiting {
		n += len(q)
	}
	return n
}

// Effective is effective, for the external tests.
var Effective = effective
