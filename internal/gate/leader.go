package gate

import (
	"context"
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
	kind      string // the periodic job's id: its kind, or task:name
	interval  time.Duration
	args      func(leader string) river.JobArgs
	addWorker func(*river.Workers) // nil when another job adds the worker
}

// Task is leader-only work that lives outside the gate (reconciliation):
// the leader runs it every Interval, on one replica at a time, within
// Timeout (default Interval, at most 1h).
type Task struct {
	Name     string
	Interval time.Duration
	Timeout  time.Duration
	Run      func(ctx context.Context) error
}

// TaskArgs is the job that runs one Task.
type TaskArgs struct {
	Name   string `json:"name"`
	Leader string `json:"leader"`
}

// Kind implements river.JobArgs.
func (TaskArgs) Kind() string { return "ordergate_task" }

type taskWorker struct{ worker[TaskArgs] }

// Timeout implements river.Worker: the task's own.
func (w *taskWorker) Timeout(job *river.Job[TaskArgs]) time.Duration {
	for _, t := range w.g.cfg.Tasks {
		if t.Name == job.Args.Name {
			return taskTimeout(t)
		}
	}
	return 0
}

// Work implements river.Worker.
func (w *taskWorker) Work(ctx context.Context, job *river.Job[TaskArgs]) error {
	for _, t := range w.g.cfg.Tasks {
		if t.Name != job.Args.Name {
			continue
		}
		start := time.Now()
		err := t.Run(ctx)
		log := w.g.log.With("task", t.Name, "scheduled_by", job.Args.Leader, "run_by", w.g.cfg.Instance, "took_ms", time.Since(start).Milliseconds())
		if err != nil {
			log.Error("periodic task failed; it runs again at its next interval", "err", err)
			return nil // not retried: the next interval does the same work
		}
		log.Info("periodic task done")
		return nil
	}
	w.g.log.Warn("periodic task unknown to this replica", "task", job.Args.Name)
	return nil
}

func taskTimeout(t Task) time.Duration {
	d := t.Timeout
	if d <= 0 {
		d = t.Interval
	}
	return min(max(d, time.Minute), time.Hour)
}

// leaderJobs lists the leader-only work. A new kind adds its line here.
func (g *Gate) leaderJobs() []leaderJob {
	jobs := []leaderJob{
		newLeaderJob(g.cfg.SweepInterval, func(leader string) SweepArgs { return SweepArgs{Leader: leader} }, &sweepWorker{worker[SweepArgs]{g: g}}),
	}
	for i, t := range g.cfg.Tasks {
		j := leaderJob{kind: "task:" + t.Name, interval: t.Interval,
			args: func(leader string) river.JobArgs { return TaskArgs{Name: t.Name, Leader: leader} }}
		if i == 0 {
			j.addWorker = func(ws *river.Workers) { river.AddWorker(ws, &taskWorker{worker[TaskArgs]{g: g}}) }
		}
		jobs = append(jobs, j)
	}
	return jobs
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
