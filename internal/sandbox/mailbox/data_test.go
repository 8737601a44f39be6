package mailbox

import (
	"bufio"
	"fmt"
	"net"
	"net/textproto"
	"testing"
)

func TestMailbox_DoesNotRecordMessageCutOffMidData(t *testing.T) {
	t.Parallel()
	mb, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })

	conn, err := net.Dial("tcp", mb.Addr())
	if err != nil {
		t.Fatal(err)
	}
	tp := textproto.NewConn(conn)
	step := func(code int, cmd string) {
		t.Helper()
		if cmd != "" {
			if err := tp.PrintfLine("%s", cmd); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tp.ReadResponse(code); err != nil {
			t.Fatalf("%q: %v", cmd, err)
		}
	}
	step(220, "")
	step(250, "EHLO client.test")
	step(250, "MAIL FROM:<orders@acme.test>")
	step(250, "RCPT TO:<ada@example.com>")
	step(354, "DATA")
	w := bufio.NewWriter(conn)
	fmt.Fprint(w, "Subject: cut off\r\n\r\nthe first half of the body")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	if err := mb.idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := mb.Messages(); len(got) != 0 {
		t.Errorf("recorded %d messages from a DATA that never ended: %+v", len(got), got)
	}
}
