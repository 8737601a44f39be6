package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// The in-process wake-up.
//
// SQLite has no LISTEN/NOTIFY. River's SQLite driver stands in with an
// outbox: each insert also writes a row to river_notification, and a
// listener reads that table every 50 ms on the one write connection. A job
// committed at a random moment therefore waited 25 ms on average, and up to
// 100 ms with the producers' own poll, before a worker saw it (the gate's
// hop was 27–31 ms at p50), and every insert paid for an extra row.
//
// This store knows the moment a job becomes visible: the commit that
// inserted it. So the driver River is given says it has no NOTIFY (River
// writes no outbox rows), and its listener is fed in process, right after
// those commits, with the same payload River's own notifications carry.
// River's producers then fetch at once, within FetchCooldown. Jobs inserted
// by another process on the same file (the command line's tools) or made
// available by River itself (retries, snoozes, scheduled jobs) are found by
// the producers' poll, FetchPollInterval, as before.

// insertTopic is River's topic for "jobs were inserted into a queue"; its
// producers listen on it (internal/notifier.NotificationTopicInsert).
const insertTopic = "river_insert"

// wakeDriver is River's SQLite driver with an in-process listener.
type wakeDriver struct {
	riverdriver.Driver[*sql.Tx]
	hub *hub
}

func (d wakeDriver) SupportsListener() bool     { return true }
func (d wakeDriver) SupportsListenNotify() bool { return false }
func (d wakeDriver) GetListener(*riverdriver.GetListenenerParams) riverdriver.Listener {
	return &listener{hub: d.hub, ch: make(chan *riverdriver.Notification, listenerBuffer)}
}

// listenerBuffer bounds the wake-ups waiting to be read. One that finds
// the buffer full is dropped: a fetch is already due, and the poll is there
// behind it.
const listenerBuffer = 1024

// hub hands committed inserts to the listeners of this process.
type hub struct {
	mu        sync.Mutex
	listeners map[*listener]struct{}
}

// inserted tells River's producers that jobs for queues are committed.
func (h *hub) inserted(queues []string) {
	if len(queues) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.listeners) == 0 {
		return
	}
	seen := make(map[string]bool, len(queues))
	for _, q := range queues {
		if seen[q] {
			continue
		}
		seen[q] = true
		payload, _ := json.Marshal(struct {
			Queue string `json:"queue"`
		}{q})
		n := &riverdriver.Notification{Topic: insertTopic, Payload: string(payload)}
		for l := range h.listeners {
			l.deliver(n)
		}
	}
}

func (h *hub) add(l *listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listeners == nil {
		h.listeners = make(map[*listener]struct{})
	}
	h.listeners[l] = struct{}{}
}

func (h *hub) remove(l *listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.listeners, l)
}

// listener implements riverdriver.Listener over the hub.
type listener struct {
	hub *hub
	ch  chan *riverdriver.Notification

	mu     sync.Mutex
	topics map[string]bool
}

var _ riverdriver.Listener = (*listener)(nil)

func (l *listener) Connect(context.Context) error {
	l.hub.add(l)
	return nil
}

func (l *listener) Close(context.Context) error {
	l.hub.remove(l)
	return nil
}

func (l *listener) Listen(_ context.Context, topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.topics == nil {
		l.topics = make(map[string]bool)
	}
	l.topics[topic] = true
	return nil
}

func (l *listener) Unlisten(_ context.Context, topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.topics, topic)
	return nil
}

func (l *listener) Ping(context.Context) error { return nil }
func (l *listener) Schema() string             { return "" }
func (l *listener) SetAfterConnectExec(string) {}

func (l *listener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	select {
	case n := <-l.ch:
		return n, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *listener) deliver(n *riverdriver.Notification) {
	l.mu.Lock()
	listening := l.topics[n.Topic]
	l.mu.Unlock()
	if !listening {
		return
	}
	select {
	case l.ch <- n:
	default:
	}
}

// jobQueue is the queue River puts a job in: the insert's options, else
// the job kind's own, else River's default.
func jobQueue(args river.JobArgs, opts *river.InsertOpts) string {
	if opts != nil && opts.Queue != "" {
		return opts.Queue
	}
	if a, ok := args.(river.JobArgsWithInsertOpts); ok {
		if q := a.InsertOpts().Queue; q != "" {
			return q
		}
	}
	return river.QueueDefault
}

// pendingWakes holds, per open write transaction, the queues its inserts
// went to, until that transaction commits (wake them) or rolls back
// (forget them).
type pendingWakes struct {
	mu sync.Mutex
	m  map[*sql.Tx][]string
}

func (p *pendingWakes) add(tx *sql.Tx, queue string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[*sql.Tx][]string)
	}
	p.m[tx] = append(p.m[tx], queue)
}

// take removes and returns tx's queues.
func (p *pendingWakes) take(tx *sql.Tx) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.m[tx]
	delete(p.m, tx)
	return q
}

// commit commits tx and, if it did, wakes the producers of the queues its
// jobs went to. Every write transaction that may insert jobs ends here or
// in rollback.
func (s *Store) commit(tx *sql.Tx, more ...string) error {
	queues := s.pending.take(tx)
	if err := tx.Commit(); err != nil {
		return err
	}
	s.hub.inserted(append(queues, more...))
	return nil
}

// rollback rolls tx back and forgets the wake-ups it would have sent.
func (s *Store) rollback(tx *sql.Tx) {
	s.pending.take(tx)
	tx.Rollback()
}

// jobQueues is the queue of each job of a batched insert.
func jobQueues(jobs []river.InsertManyParams) []string {
	q := make([]string, len(jobs))
	for i, j := range jobs {
		q[i] = jobQueue(j.Args, j.InsertOpts)
	}
	return q
}
