package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

func TestCacheable_OnlyASecondStatementMakesAScript(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"SELECT 1", true},
		{"SELECT 1;", true},
		{"SELECT 1;  -- done\n", true},
		{"SELECT 1; /* done */ ", true},
		{"-- a comment; with a semicolon\nSELECT 1", true},
		{"SELECT 1 /* a; b */ + 1", true},
		{"SELECT ';' || \"a;b\" || `c;d` || [e;f]", true},
		{"SELECT 'it''s; fine'", true},
		{"SELECT 1; SELECT 2", false},
		{"CREATE TABLE a (x); -- first\nCREATE TABLE b (y)", false},
		{"SELECT 1; /* then */ SELECT 2;", false},
	} {
		if got := cacheable(tc.q); got != tc.want {
			t.Errorf("cacheable(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

type noopArgs struct{}

func (noopArgs) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	done *sync.WaitGroup
}

func (w noopWorker) Work(context.Context, *river.Job[noopArgs]) error {
	w.done.Done()
	return nil
}

// parses reads how many statements the write connection has compiled.
func (s *Store) parses(t *testing.T) int64 {
	t.Helper()
	conn, err := s.write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int64
	if err := conn.Raw(func(dc any) error { n = dc.(*cachingConn).parses.Load(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Once warm, River's round of a job (insert, fetch, completion) compiles
// nothing: every statement is served by the cache. Before the cache read
// semicolons in comments right, River's completion was compiled afresh at
// every job.
func TestStatementCache_RiverJobsCompileNothingOnceWarm(t *testing.T) {
	t.Parallel()
	var done sync.WaitGroup
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{done: &done})
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "og.db"), Options{River: &river.Config{
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		TestOnly:          true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	round := func(n int) {
		done.Add(n)
		for range n {
			if _, err := s.river.Insert(ctx, noopArgs{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		done.Wait()
		// Let the batched completions commit.
		time.Sleep(300 * time.Millisecond)
	}
	round(20)
	warm := s.parses(t)
	round(40)
	if got := s.parses(t) - warm; got > 3 {
		t.Errorf("40 more jobs compiled %d statements on the write connection, want none (a few allowed for River's periodic maintenance)", got)
	}
}
