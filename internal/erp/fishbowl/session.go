package fishbowl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ordergate/ordergate/internal/erp"
)

// A Fishbowl session holds one of the server's licence seats from login to
// logout; while the integration holds one, one person fewer can log in to
// the Fishbowl client. So the client opens a session only when a call needs
// one, shares it between concurrent calls, opens at most one at a time, and
// logs it out once it has sat unused for IdleLogout and on Close.

var errClosed = errors.New("client closed")

// stopper is a timer that can be stopped; *time.Timer is one.
type stopper interface{ Stop() bool }

type loginRequest struct {
	AppName        string `json:"appName"`
	AppDescription string `json:"appDescription"`
	AppID          int    `json:"appId"`
	Username       string `json:"username"`
	Password       string `json:"password"`
}

type loginResponse struct {
	Token string `json:"token"`
	User  struct {
		ID            int    `json:"id"`
		UserFullName  string `json:"userFullName"`
		ServerVersion string `json:"serverVersion"`
	} `json:"user"`
}

// acquire returns the session's bearer token, logging in first if there is
// no session. Each acquire that succeeds must be paired with a release.
func (c *Client) acquire(ctx context.Context, o op) (string, error) {
	if tok, err := c.current(); err != nil || tok != "" {
		return tok, err
	}
	// One login at a time: the calls that queue here behind a login
	// find its session when their turn comes.
	select {
	case c.loginTurn <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("%w: wait for login: %w", &erp.Error{Kind: o.unclear()}, ctx.Err())
	}
	defer func() { <-c.loginTurn }()
	if tok, err := c.current(); err != nil || tok != "" {
		return tok, err
	}
	tok, err := c.login(ctx, o)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		// Closed while logging in: give the seat straight back.
		_ = c.logout(context.WithoutCancel(ctx), tok)
		return "", errClosed
	}
	c.token = tok
	c.inflight++
	c.mu.Unlock()
	return tok, nil
}

// current returns the open session's token, counting the caller in, or ""
// if there is no session.
func (c *Client) current() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return "", errClosed
	}
	if c.token != "" {
		c.inflight++
	}
	return c.token, nil
}

// release ends a use of the session begun by acquire and arms the idle
// logout.
func (c *Client) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
	c.lastUse = c.now()
	if c.idleTimer == nil && c.token != "" && !c.closed {
		c.idleTimer = c.afterFunc(c.idle, c.logoutIfIdle)
	}
}

// invalidate forgets tok, which Fishbowl no longer accepts, unless another
// call has already replaced it.
func (c *Client) invalidate(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// logoutIfIdle runs when the idle timer fires: it logs the session out if
// nobody has used it for IdleLogout, or sets the timer again.
func (c *Client) logoutIfIdle() {
	c.mu.Lock()
	c.idleTimer = nil
	if c.closed || c.token == "" {
		c.mu.Unlock()
		return
	}
	if c.inflight > 0 {
		c.idleTimer = c.afterFunc(c.idle, c.logoutIfIdle)
		c.mu.Unlock()
		return
	}
	if rest := c.lastUse.Add(c.idle).Sub(c.now()); rest > 0 {
		c.idleTimer = c.afterFunc(rest, c.logoutIfIdle)
		c.mu.Unlock()
		return
	}
	tok := c.token
	c.token = ""
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if err := c.logout(ctx, tok); err != nil {
		slog.Warn("fishbowl idle logout failed; the session keeps its licence seat until Fishbowl expires it", "err", err)
	}
}

// Close logs out of Fishbowl, giving the licence seat back, and stops the
// client: calls after Close fail. Closing twice does nothing.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	if c.idleTimer != nil {
		c.idleTimer.Stop()
		c.idleTimer = nil
	}
	tok := c.token
	c.token = ""
	c.mu.Unlock()
	if tok == "" {
		return nil
	}
	if err := c.logout(ctx, tok); err != nil {
		return fmt.Errorf("fishbowl: log out (the session keeps its licence seat until Fishbowl expires it): %w", err)
	}
	return nil
}

// login opens a session: POST /api/login.
func (c *Client) login(ctx context.Context, o op) (string, error) {
	body, err := json.Marshal(c.creds)
	if err != nil {
		return "", fmt.Errorf("encode login: %w", err)
	}
	rep, err := c.send(ctx, request{method: http.MethodPost, path: "/api/login", body: body, contentType: "application/json"}, "")
	if err != nil {
		return "", fmt.Errorf("%w: log in: %w", &erp.Error{Kind: o.unclear()}, err)
	}
	if rep.status != http.StatusOK {
		return "", c.loginError(rep, o)
	}
	var lr loginResponse
	if err := json.Unmarshal(rep.body, &lr); err != nil || lr.Token == "" {
		return "", &erp.Error{Kind: o.unclear(), Message: fmt.Sprintf("log in: reply without a session token: %s", snippet(rep.body))}
	}
	return lr.Token, nil
}

// loginError says what an operator must do about a refused login. Fishbowl
// answers every refused login with 401; its words, those of its legacy API's
// status codes 1110, 1111, 1112, 1120 and 1162, tell the cases apart, and
// the header "MFA: Required" marks a user with multi-factor authentication.
func (c *Client) loginError(rep reply, o op) error {
	msg := errorMessage(rep.body)
	lower := strings.ToLower(msg)
	app := fmt.Sprintf("%q (app id %d)", c.creds.AppName, c.creds.AppID)
	e := &erp.Error{Kind: erp.ErrAuth}
	switch {
	case strings.EqualFold(rep.header.Get("MFA"), "required"):
		e.Code = "mfa_required"
		e.Message = fmt.Sprintf("this Fishbowl user (%q) has MFA enabled; create an integration user without MFA and set auth.username and auth.password to it", c.creds.Username)
	case strings.Contains(lower, "approve"):
		e.Code = "app_not_approved"
		e.Message = fmt.Sprintf("Fishbowl has not approved the integrated app %s: an administrator must approve it in Fishbowl's Integrations settings (Fishbowl's guide: Approving Integrations); Fishbowl said: %s", app, msg)
	case strings.Contains(lower, "does not match"):
		e.Code = "app_mismatch"
		e.Message = fmt.Sprintf("Fishbowl knows the app id of %s under another name: make auth.app_name and auth.app_id match the app approved in Fishbowl; Fishbowl said: %s", app, msg)
	case strings.Contains(lower, "login limit"):
		e.Kind = erp.ErrUnavailable
		e.Code = "seats_in_use"
		e.Message = fmt.Sprintf("every Fishbowl licence seat is in use, so the integration user %q cannot log in until someone logs out; Fishbowl said: %s", c.creds.Username, msg)
	case rep.status == http.StatusUnauthorized || rep.status == http.StatusForbidden:
		e.Message = fmt.Sprintf("Fishbowl refused the login of user %q: check auth.username and auth.password; Fishbowl said: %s", c.creds.Username, msg)
	case rep.status == http.StatusTooManyRequests:
		e.Kind = erp.ErrThrottled
		e.RetryAfter = retryAfter(rep.header.Get("Retry-After"), c.now())
		e.Message = "log in: " + msg
	case rep.status >= 500:
		e.Kind = o.unclear()
		e.Message = fmt.Sprintf("log in: http %d: %s", rep.status, msg)
	default:
		return fmt.Errorf("log in: unexpected reply: http %d: %s", rep.status, msg)
	}
	return e
}

// logout closes the session of tok: POST /api/logout. A session Fishbowl no
// longer knows is as good as logged out.
func (c *Client) logout(ctx context.Context, tok string) error {
	rep, err := c.send(ctx, request{method: http.MethodPost, path: "/api/logout"}, tok)
	if err != nil {
		return err
	}
	if rep.status/100 == 2 || rep.status == http.StatusUnauthorized {
		return nil
	}
	return fmt.Errorf("http %d: %s", rep.status, errorMessage(rep.body))
}
