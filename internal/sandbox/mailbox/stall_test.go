package mailbox_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
)

// TestMailbox_StallsHoldTheReplyAndAreRecorded: a stall before the data
// keeps nothing and a stall after it keeps the message; both hold the
// reply past the client's deadline, and each fault is a Refusal.
func TestMailbox_StallsHoldTheReplyAndAreRecorded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      mailbox.Options
		wantKept  int
		wantFault string
	}{
		{"stall before data", mailbox.Options{StallRate: 1, Stall: time.Second}, 0, mailbox.RefusedStalled},
		{"stall after data", mailbox.Options{DataStallRate: 1, Stall: time.Second}, 1, mailbox.StalledAfterData},
		{"451", mailbox.Options{FailRate: 1}, 0, mailbox.RefusedTransient},
		{"drop", mailbox.Options{DropRate: 1}, 1, mailbox.DroppedAfterData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mb := setup(t, tt.opts)
			conn, err := net.Dial("tcp", mb.Addr())
			if err != nil {
				t.Fatal(err)
			}
			c := smtp.NewClient(conn)
			defer c.Close()
			// The client gives up well before the stall ends.
			c.CommandTimeout, c.SubmissionTimeout = 300*time.Millisecond, 300*time.Millisecond
			err = c.Hello("client.test")
			if err == nil {
				err = c.Mail("orders@acme.test", nil)
			}
			if err == nil {
				err = c.Rcpt("ada@example.com", nil)
			}
			if err == nil {
				var w interface {
					Write([]byte) (int, error)
					Close() error
				}
				if w, err = c.Data(); err == nil {
					if _, err = w.Write([]byte(multipartMessage)); err == nil {
						err = w.Close()
					}
				}
			}
			if err == nil {
				t.Fatal("the transaction succeeded; want it refused, dropped or timed out")
			}
			var ne net.Error
			if tt.opts.Stall > 0 && !(errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("error %v, want the client's timeout", err)
			}
			if got := len(mb.Messages()); got != tt.wantKept {
				t.Errorf("%d messages kept, want %d", got, tt.wantKept)
			}
			refusals := mb.Refusals()
			if len(refusals) != 1 || refusals[0].Fault != tt.wantFault || refusals[0].To != "ada@example.com" || refusals[0].At.IsZero() {
				t.Errorf("refusals %+v, want one %s to ada@example.com", refusals, tt.wantFault)
			}
		})
	}
}
