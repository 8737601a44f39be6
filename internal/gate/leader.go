package gate

import (
	"os"
	"strconv"
	"time"

	"github.com/riverqueue/river"
)

// Leader-only work is what must not be done by every replica at once: the
// SLA sweep today, reconciliation and the stock refresh later. Each is a
// River periodic job. River's elected leader, one replica at a time,
// inserts the job when its interval elapses (and once as soon as it is
// elected, so a new leader does not wait an interval); when the leader dies
// another replica is elected and takes over the schedule. The job itself is
// worked once, by whichever replica fetches it first, on the periodic
// queue. The job carries the name of the leader that scheduled it, so its
// log line says both who scheduled and who ran it.
//
// On SQLite the one process is always the leader.

// periodicQueue holds the leader's periodic jobs, apart from the order
// steps, so that a long reconciliation never holds a confirmation back.
const periodicQueue = "periodic"

// leaderJob is one kind of leader-only work: a job inserted every interval
// by the leader, and its worker. Build it with newLeaderJob.
type leaderJob struct {
	kind      string
	interval  time.Duration
	args      func(leader string) river.JobArgs
	addWorker func(*river.Workers)
}

// leaderJobs lists the leader-only work. A new kind adds its line here.
func (g *Gate) leaderJobs() []leaderJob {
	return []leaderJob{
		newLeaderJob(g.cfg.SweepInterval, func(leader string) SweepArgs { return SweepArgs{Leader: leader} }, &sweepWorker{worker[SweepArgs]{g: g}}),
	}
}

// newLeaderJob returns the leader-only job that args builds every interval,
// worked by w. args is given the scheduling leader's instance name.
func newLeaderJob[T river.JobArgs](interval time.Duration, args func(leader string) T, w river.Worker[T]) leaderJob {
	var zero T
	return leaderJob{
		kind:      zero.Kind(),
		interval:  interval,
		args:      func(leader string) river.JobArgs { return args(leader) },
		addWorker: func(ws *river.Workers) { river.AddWorker(ws, w) },
	}
}

// periodicJob is j as River's periodic job. A run that fails is not
// retried: the next one comes an interval later and does the same work.
// The constructor runs on the leader, so the instance it stamps on the job
// is the leader's.
func (g *Gate) periodicJob(j leaderJob) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(j.interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return j.args(g.cfg.Instance), &river.InsertOpts{Queue: periodicQueue, MaxAttempts: 1}
		},
		&river.PeriodicJobOpts{ID: j.kind, RunOnStart: true})
}

// defaultInstance names this process as hostname:pid.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}
