package netsuite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// createAsync is the upsert sent with "Prefer: respond-async" and an
// idempotency key derived from the external id. NetSuite queues it as a
// job (202, Location: /services/rest/async/v1/job/{id}); a repeat with the
// same key is refused 400 IDEMPOTENCY_ERROR with the earlier job in
// Location, which is then followed instead, so that a retry after a lost
// reply waits on the one job that ran. A key runs only once: if that
// earlier job failed, the upsert is sent again synchronously, which the
// external id keeps to one order without a key.
func (c *Client) createAsync(ctx context.Context, eid string, body salesOrderBody, skus []string) error {
	rep, err := c.send(ctx, request{
		op:     opCreate,
		method: http.MethodPut,
		path:   salesOrderPath + "eid:" + eid,
		query:  url.Values{"replace": {"item"}},
		body:   body,
		header: map[string]string{
			"Prefer":                     "respond-async",
			"X-NetSuite-Idempotency-Key": idempotencyKey(eid),
		},
	})
	if err != nil {
		return err
	}
	loc := rep.header.Get("Location")
	conflict := false
	switch {
	case rep.status == http.StatusAccepted && loc != "":
	case rep.status == http.StatusBadRequest && loc != "" && isIdempotencyConflict(rep.body):
		conflict = true
	case rep.status == http.StatusAccepted:
		return &erp.Error{Kind: erp.ErrInDoubt, Message: "netsuite accepted the job without naming it in Location"}
	default:
		return c.classify(rep, failure{op: opCreate, skus: skus})
	}
	job, err := c.pathOf(loc)
	if err != nil {
		return &erp.Error{Kind: erp.ErrInDoubt, Message: "netsuite accepted the job: " + err.Error()}
	}
	err = c.awaitJob(ctx, job, skus)
	if tf := (*taskFailed)(nil); errors.As(err, &tf) {
		if conflict {
			return c.create(ctx, eid, body, skus)
		}
		err = tf.err
	}
	if err != nil {
		return fmt.Errorf("async job %s: %w", job, err)
	}
	return nil
}

// taskFailed is a job whose task NetSuite reports failed, with its error.
type taskFailed struct{ err error }

func (t *taskFailed) Error() string { return t.err.Error() }

func isIdempotencyConflict(body []byte) bool {
	for _, d := range decodeErrorBody(body).Details {
		if d.Code == "IDEMPOTENCY_ERROR" {
			return true
		}
	}
	return false
}

// jobStatus is a job or a task of one, as NetSuite reports its progress.
type jobStatus struct {
	Completed bool   `json:"completed"`
	Progress  string `json:"progress"`
}

var (
	completedField = regexp.MustCompile(`"completed"\s*:\s*(true|false)`)
	progressField  = regexp.MustCompile(`"progress"\s*:\s*"([A-Za-z_]+)"`)
)

// decodeJobStatus reads a job or task. NetSuite's published example of a
// completed task is not JSON (a comma after the last link, an unquoted
// endTime); the two scalar fields needed are scanned for if the body does
// not parse, and it is an error only if neither is there.
func decodeJobStatus(b []byte) (jobStatus, error) {
	var s jobStatus
	err := json.Unmarshal(b, &s)
	if err == nil {
		return s, nil
	}
	c, p := completedField.FindSubmatch(b), progressField.FindSubmatch(b)
	if c == nil && p == nil {
		return jobStatus{}, err
	}
	if c != nil {
		s.Completed = string(c[1]) == "true"
	}
	if p != nil {
		s.Progress = string(p[1])
	}
	return s, nil
}

type taskList struct {
	Items []struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	} `json:"items"`
}

// awaitJob polls the job until it has completed, then reads its task: a
// succeeded task is the order created; a failed one's result is NetSuite's
// error, mapped as a synchronous reply would be. The job was accepted, so
// every failure to learn its outcome is in doubt. A failed task's error is
// returned as a *taskFailed.
func (c *Client) awaitJob(ctx context.Context, job string, skus []string) error {
	ctx, cancel := context.WithTimeout(ctx, c.asyncWait)
	defer cancel()
	for {
		var st jobStatus
		if err := c.getJSON(ctx, job, func(b []byte) (err error) { st, err = decodeJobStatus(b); return err }); err != nil {
			return c.jobFailure(ctx, err, "poll")
		}
		if st.Completed {
			break
		}
		t := time.NewTimer(c.pollInterval)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return c.jobFailure(ctx, ctx.Err(), "poll")
		}
	}
	var tasks taskList
	if err := c.getJSON(ctx, job+"/task", func(b []byte) error { return json.Unmarshal(b, &tasks) }); err != nil {
		return c.jobFailure(ctx, err, "list tasks")
	}
	task := ""
	for _, it := range tasks.Items {
		for _, l := range it.Links {
			if l.Rel == "self" {
				task = l.Href
			}
		}
	}
	if task == "" {
		return &erp.Error{Kind: erp.ErrInDoubt, Message: "completed job lists no task"}
	}
	taskPath, err := c.pathOf(task)
	if err != nil {
		return &erp.Error{Kind: erp.ErrInDoubt, Message: "completed job: " + err.Error()}
	}
	var st jobStatus
	if err := c.getJSON(ctx, taskPath, func(b []byte) (err error) { st, err = decodeJobStatus(b); return err }); err != nil {
		return c.jobFailure(ctx, err, "read task")
	}
	switch st.Progress {
	case "succeeded":
		return nil
	case "failed":
	default:
		return &erp.Error{Kind: erp.ErrInDoubt, Message: fmt.Sprintf("completed job's task has progress %q", st.Progress)}
	}
	rep, err := c.send(ctx, request{op: opCreate, method: http.MethodGet, path: taskPath + "/result"})
	if err != nil {
		return c.jobFailure(ctx, err, "read task result")
	}
	// The result is the failed request's reply; its status is the one in
	// the body when the result itself was served as 200.
	if rep.status < 300 {
		if eb := decodeErrorBody(rep.body); eb.Status >= 400 {
			rep.status = eb.Status
		}
	}
	if rep.status < 400 {
		return &erp.Error{Kind: erp.ErrInDoubt, Message: fmt.Sprintf("failed task's result is http %d without an error", rep.status)}
	}
	return &taskFailed{c.classify(rep, failure{op: opCreate, skus: skus})}
}

// getJSON GETs a path of the async API and hands a 200 body to read.
func (c *Client) getJSON(ctx context.Context, path string, read func([]byte) error) error {
	rep, err := c.send(ctx, request{op: opCreate, method: http.MethodGet, path: path})
	if err != nil {
		return err
	}
	if rep.status != http.StatusOK {
		return c.classify(rep, failure{op: opCreate})
	}
	if err := read(rep.body); err != nil {
		return &erp.Error{Kind: erp.ErrInDoubt, Message: fmt.Sprintf("unreadable reply: %v", err)}
	}
	return nil
}

// jobFailure makes a failure while following an accepted job in doubt: the
// job may have created the order. When the wait is over (AsyncWait, the
// caller's deadline or cancel) it says so, keeping the context's error.
func (c *Client) jobFailure(ctx context.Context, err error, what string) error {
	switch ctxErr := ctx.Err(); {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", &erp.Error{Kind: erp.ErrInDoubt,
			Message: fmt.Sprintf("%s: job not done when the wait ran out (async_wait %s, or the caller's deadline)", what, c.asyncWait)}, ctxErr)
	case ctxErr != nil:
		return fmt.Errorf("%w: %w", &erp.Error{Kind: erp.ErrInDoubt, Message: what + ": stopped following the job"}, ctxErr)
	}
	return inDoubt(err, what)
}
