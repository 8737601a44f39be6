package netsuitefake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// job is one asynchronous request. The fake runs the request when it is
// submitted and keeps its reply as the task's result; polls then report
// pending Config.PendingPolls times before completed.
type job struct {
	id          string
	pollsLeft   int
	result      *httptest.ResponseRecorder
	start, done time.Time
}

func (j *job) succeeded() bool { return j.result.Code < 300 }

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// submitJob answers a request sent with "Prefer: respond-async": 202,
// Preference-Applied, and the job in Location; or, for an idempotency key
// already used, 400 Conflict IDEMPOTENCY_ERROR with the earlier job in
// Location.
func (f *Fake) submitJob(w http.ResponseWriter, r *http.Request, run func(http.ResponseWriter)) {
	key := r.Header.Get("X-NetSuite-Idempotency-Key")
	if key != "" && !uuidPattern.MatchString(key) {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "The idempotency key must be a UUID.", Code: "INVALID_HEADER", Header: "X-NetSuite-Idempotency-Key"})
		return
	}
	f.jobMu.Lock() // one submission at a time, so that a key is checked and taken at once
	defer f.jobMu.Unlock()
	f.mu.Lock()
	earlier, dup := f.jobByKey[key]
	f.mu.Unlock()
	if key != "" && dup {
		w.Header().Set("Preference-Applied", "respond-async")
		w.Header().Set("Location", jobPath+earlier)
		if f.cfg.AsPublished {
			writeRaw(w, http.StatusBadRequest, nil, idempotencyConflictAsPublished)
			return
		}
		writeError(w, http.StatusBadRequest, "Conflict", detail{
			Detail: `A request with the same idempotency key is already submitted. See the "Location" header for a link to the previously submitted job`,
			Code:   "IDEMPOTENCY_ERROR",
		})
		return
	}
	rec := httptest.NewRecorder()
	start := f.cfg.Now()
	run(rec)
	f.mu.Lock()
	j := &job{id: strconv.Itoa(f.nextJob), pollsLeft: f.cfg.PendingPolls, result: rec, start: start, done: f.cfg.Now()}
	f.nextJob++
	f.jobs[j.id] = j
	if key != "" {
		f.jobByKey[key] = j.id
	}
	f.mu.Unlock()
	w.Header().Set("Preference-Applied", "respond-async")
	// Relative, as in NetSuite's example reply.
	w.Header().Set("Location", jobPath+j.id)
	w.WriteHeader(http.StatusAccepted)
}

// getJob answers the job, its task list, its task and the task's result.
func (f *Fake) getJob(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(rest, "/")
	f.mu.Lock()
	j := f.jobs[parts[0]]
	pending := false
	if j != nil && len(parts) == 1 && j.pollsLeft > 0 {
		j.pollsLeft--
		pending = true
	}
	f.mu.Unlock()
	if j == nil {
		writeNotFound(w)
		return
	}
	self := jobPath + j.id
	switch {
	case len(parts) == 1 && pending:
		// ../testdata/async-job-pending.json
		writeJSON(w, http.StatusOK, map[string]any{
			"links":     []map[string]string{{"rel": "self", "href": link(r, self)}},
			"completed": false,
			"id":        j.id,
			"progress":  "pending",
			"task":      map[string]any{"links": []map[string]string{{"rel": "self", "href": link(r, self+"/task")}}},
		})
	case len(parts) == 1:
		writeJSON(w, http.StatusOK, map[string]any{
			"links":     []map[string]string{{"rel": "self", "href": link(r, self)}},
			"completed": true,
			"id":        j.id,
			"progress":  progress(j),
			"task":      map[string]any{"links": []map[string]string{{"rel": "self", "href": link(r, self+"/task")}}},
		})
	case len(parts) == 2 && parts[1] == "task":
		writeJSON(w, http.StatusOK, map[string]any{
			"links":        []map[string]string{{"rel": "self", "href": link(r, self+"/task")}},
			"count":        1,
			"hasMore":      false,
			"items":        []any{map[string]any{"links": []map[string]string{{"rel": "self", "href": link(r, self+"/task/1")}}}},
			"offset":       0,
			"totalResults": 1,
		})
	case len(parts) == 3 && parts[1] == "task" && parts[2] == "1":
		f.writeTask(w, r, j)
	case len(parts) == 4 && parts[1] == "task" && parts[2] == "1" && parts[3] == "result":
		// NetSuite does not document the result of a failed write; the
		// fake serves the request's own reply, status and body.
		for k, vs := range j.result.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(j.result.Code)
		w.Write(j.result.Body.Bytes())
	default:
		writeNotFound(w)
	}
}

func progress(j *job) string {
	if j.succeeded() {
		return "succeeded"
	}
	return "failed"
}

// writeTask answers a task as in NetSuite's example of a completed one
// (../testdata/async-task-completed.AS-PUBLISHED-INVALID-JSON.txt), valid
// JSON unless Config.AsPublished.
func (f *Fake) writeTask(w http.ResponseWriter, r *http.Request, j *job) {
	self := jobPath + j.id + "/task/1"
	if f.cfg.AsPublished {
		writeRaw(w, http.StatusOK, http.Header{"Content-Type": {"application/vnd.oracle.resource+json; type=singular"}}, fmt.Sprintf(`{
    "links": [
        {
            "rel": "related",
            "href": "%s"
        },
        {
            "rel": "self",
            "href": "%s"
        },
    ],
    "completed": true,
    "endTime":  %s,
    "id": "1",
    "progress": "%s",
    "startTime": "%s"
}
`, link(r, self+"/result"), link(r, self), j.done.UTC().Format(time.RFC3339), progress(j), j.start.UTC().Format(time.RFC3339)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links": []map[string]string{
			{"rel": "related", "href": link(r, self+"/result")},
			{"rel": "self", "href": link(r, self)},
		},
		"completed": true,
		"endTime":   j.done.UTC().Format(time.RFC3339),
		"id":        "1",
		"progress":  progress(j),
		"startTime": j.start.UTC().Format(time.RFC3339),
	})
}
