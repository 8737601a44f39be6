package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/order"
)

// defaultServer is where the orders commands look for the gateway when
// neither --server, --config nor $ORDERGATE_SERVER says.
const defaultServer = "http://127.0.0.1:8080"

// ordersCmd groups the commands that read and act on a running gateway's
// orders through its admin API. The flags here are shared by every
// subcommand and may be given after it.
type ordersCmd struct {
	Server  string        `placeholder:"URL" help:"The gateway's address. Default: http:// and the listen address of --config when given, else $ORDERGATE_SERVER, else http://127.0.0.1:8080."`
	Config  string        `short:"c" type:"existingfile" placeholder:"FILE" help:"Read the gateway's address (listen) from this config file."`
	Token   string        `env:"ORDERGATE_ADMIN_TOKEN" placeholder:"TOKEN" help:"An admin API bearer token (one of the config's admin_tokens)."`
	JSON    bool          `name:"json" help:"Print the API's JSON as it comes."`
	Timeout time.Duration `default:"30s" help:"How long to wait for the gateway."`

	List    ordersListCmd    `cmd:"" help:"List orders, newest first."`
	Find    ordersFindCmd    `cmd:"" help:"Find orders by order number (#1042), e-mail address or storefront order id, and say in plain words where each stands: for customer service (a read-only token will do)."`
	Show    ordersShowCmd    `cmd:"" help:"Show one order and its whole timeline."`
	Retry   ordersRetryCmd   `cmd:"" help:"Run the order's pending step now: the ERP submit (looking the order up first), the acknowledgment check, the confirmation or the ERP cancel."`
	Release ordersReleaseCmd `cmd:"" help:"Accept a held order as it stands (an order the ERP took in part is confirmed with its short lines), or clear its attention flag as handled."`
	Cancel  ordersCancelCmd  `cmd:"" help:"Cancel the order, and in the ERP if the ERP may have it. No confirmation follows."`
	Replay  ordersReplayCmd  `cmd:"" help:"Send a rejected or stuck order through the ERP handoff again; the ERP is asked first, so nothing is created twice."`
}

type ordersListCmd struct {
	State      string `placeholder:"STATE" help:"Only orders in this state: received, submitted, acknowledged, confirmed, rejected or cancelled."`
	Storefront string `placeholder:"NAME" help:"Only this storefront's orders."`
	Email      string `placeholder:"EMAIL" help:"Only this customer's orders."`
	Attention  bool   `help:"Only orders flagged for an operator's attention."`
	Overdue    bool   `help:"Only orders past their confirmation SLA and not settled."`
	Limit      int    `placeholder:"N" help:"At most this many orders (default 100, at most 1000)."`
}

type ordersFindCmd struct {
	Query      string `arg:"" name:"query" help:"An order number as the customer sees it (#1042), an e-mail address, or the storefront's order id; a part of one matches too."`
	Storefront string `placeholder:"NAME" help:"Only this storefront's orders."`
	Timeline   bool   `help:"Also print each order's timeline across the storefront, the gateway, the ERP and the mailbox."`
	Limit      int    `default:"20" placeholder:"N" help:"At most this many orders."`
}

func (c *ordersFindCmd) Run(o *ordersCmd) error {
	api, err := o.client()
	if err != nil {
		return err
	}
	q := url.Values{"q": {c.Query}, "limit": {strconv.Itoa(c.Limit)}}
	if c.Storefront != "" {
		q.Set("storefront", c.Storefront)
	}
	body, err := api.do(http.MethodGet, "/api/v1/search?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	if o.JSON && !c.Timeline {
		return writeRaw(body)
	}
	var found struct {
		Orders   []apiOrder `json:"orders"`
		Scanned  int        `json:"scanned"`
		Complete bool       `json:"complete"`
	}
	if err := json.Unmarshal(body, &found); err != nil {
		return fmt.Errorf("the gateway's reply is not a search result this ordergate can read (%v); is %s an ordergate of the same version?", err, api.base)
	}
	if len(found.Orders) == 0 {
		more := ""
		if !found.Complete {
			more = fmt.Sprintf(" among the newest %d orders", found.Scanned)
		}
		fmt.Printf("no order matches %q%s: it may not have reached the gateway yet (see `ordergate reconcile`), or be under another storefront\n", c.Query, more)
		return nil
	}
	for i, f := range found.Orders {
		if i > 0 {
			fmt.Println()
		}
		if !c.Timeline {
			fmt.Printf("%s %s  %s\n  %s\n", f.ref(), f.Name, f.State, f.Status)
			continue
		}
		one, err := api.do(http.MethodGet, orderPath(order.Key{Storefront: f.Storefront, ID: f.OrderID}), nil)
		if err != nil {
			return err
		}
		var full apiOrder
		if err := json.Unmarshal(one, &full); err != nil {
			return err
		}
		printOrder(os.Stdout, full)
	}
	return nil
}

type ordersShowCmd struct {
	Order string `arg:"" name:"storefront/order_id" help:"The order, e.g. shop1/450789469."`
}

// actionArgs are what every action takes.
type actionArgs struct {
	Order  string `arg:"" name:"storefront/order_id" help:"The order, e.g. shop1/450789469."`
	Reason string `placeholder:"TEXT" help:"Why, for the order's timeline."`
}

type (
	ordersRetryCmd   struct{ actionArgs }
	ordersReleaseCmd struct{ actionArgs }
	ordersCancelCmd  struct{ actionArgs }
	ordersReplayCmd  struct{ actionArgs }
)

func (c *ordersRetryCmd) Run(o *ordersCmd) error   { return o.act(gate.ActionRetry, c.actionArgs) }
func (c *ordersReleaseCmd) Run(o *ordersCmd) error { return o.act(gate.ActionRelease, c.actionArgs) }
func (c *ordersCancelCmd) Run(o *ordersCmd) error  { return o.act(gate.ActionCancel, c.actionArgs) }
func (c *ordersReplayCmd) Run(o *ordersCmd) error  { return o.act(gate.ActionReplay, c.actionArgs) }

// apiOrder is an order as the admin API shows it.
type apiOrder struct {
	Storefront     string           `json:"storefront"`
	OrderID        string           `json:"order_id"`
	Name           string           `json:"name"`
	State          order.State      `json:"state"`
	Customer       order.Customer   `json:"customer"`
	Currency       string           `json:"currency"`
	Total          decimal.Decimal  `json:"total"`
	Lines          []order.LineItem `json:"lines"`
	ExternalID     string           `json:"external_id"`
	ERPRef         string           `json:"erp_ref"`
	Attempts       int              `json:"erp_attempts"`
	Attention      string           `json:"attention"`
	Overdue        bool             `json:"overdue"`
	OverdueAt      *time.Time       `json:"overdue_at"`
	Reason         string           `json:"reason"`
	CapturedAt     *time.Time       `json:"captured_at"`
	ReceivedAt     *time.Time       `json:"received_at"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at"`
	SettledAt      *time.Time       `json:"settled_at"`
	ShipBy         *time.Time       `json:"ship_by"`
	Timeline       []order.Event    `json:"timeline"`
	Status         string           `json:"status"`
}

func (o apiOrder) ref() string { return o.Storefront + "/" + o.OrderID }

func (c *ordersListCmd) Run(o *ordersCmd) error {
	api, err := o.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	for name, v := range map[string]string{"state": c.State, "storefront": c.Storefront, "email": c.Email} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if c.Attention {
		q.Set("attention", "true")
	}
	if c.Overdue {
		q.Set("overdue", "true")
	}
	if c.Limit != 0 {
		q.Set("limit", strconv.Itoa(c.Limit))
	}
	path := "/api/v1/orders"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	body, err := api.do(http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeRaw(body)
	}
	var page struct {
		Orders []apiOrder `json:"orders"`
		Next   string     `json:"next"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return fmt.Errorf("the gateway's reply is not the order list this ordergate expects (%v); is %s an ordergate of the same version?", err, api.base)
	}
	printList(os.Stdout, page.Orders)
	if page.Next != "" {
		fmt.Fprintf(os.Stderr, "more orders match: narrow the filters, or raise --limit (at most 1000)\n")
	}
	return nil
}

func (c *ordersShowCmd) Run(o *ordersCmd) error {
	key, err := parseOrderRef(c.Order)
	if err != nil {
		return err
	}
	api, err := o.client()
	if err != nil {
		return err
	}
	body, err := api.do(http.MethodGet, orderPath(key), nil)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeRaw(body)
	}
	var got apiOrder
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("the gateway's reply is not an order this ordergate can read (%v); is %s an ordergate of the same version?", err, api.base)
	}
	printOrder(os.Stdout, got)
	return nil
}

// act asks the gateway to apply action to the order and says what it did.
func (o *ordersCmd) act(action gate.Action, args actionArgs) error {
	key, err := parseOrderRef(args.Order)
	if err != nil {
		return err
	}
	api, err := o.client()
	if err != nil {
		return err
	}
	var req []byte
	if args.Reason != "" {
		req, _ = json.Marshal(map[string]string{"reason": args.Reason})
	}
	body, err := api.do(http.MethodPost, orderPath(key)+"/"+string(action), req)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeRaw(body)
	}
	var reply struct {
		Order apiOrder `json:"order"`
		Did   string   `json:"did"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return fmt.Errorf("%s of %s was applied, but the reply is unreadable (%v); check it with: ordergate orders show %s", action, key, err, key)
	}
	name := key.String()
	if reply.Order.Name != "" {
		name += " (" + reply.Order.Name + ")"
	}
	fmt.Fprintf(os.Stdout, "%s: %s: %s; now %s\n", name, action, reply.Did, reply.Order.State)
	return nil
}

// parseOrderRef reads STOREFRONT/ORDER_ID.
func parseOrderRef(s string) (order.Key, error) {
	sf, id, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || sf == "" || id == "" {
		return order.Key{}, fmt.Errorf("order %q: want STOREFRONT/ORDER_ID, e.g. shop1/450789469 (see ordergate orders list)", s)
	}
	return order.Key{Storefront: sf, ID: id}, nil
}

func orderPath(k order.Key) string {
	return "/api/v1/orders/" + url.PathEscape(k.Storefront) + "/" + url.PathEscape(k.ID)
}

func writeRaw(body []byte) error {
	if _, err := os.Stdout.Write(body); err != nil {
		return err
	}
	if !bytes.HasSuffix(body, []byte("\n")) {
		fmt.Fprintln(os.Stdout)
	}
	return nil
}

// apiClient talks to one gateway's admin API.
type apiClient struct {
	base    string
	token   string
	actor   string
	timeout time.Duration
	hc      *http.Client
}

// client returns the API client the flags describe.
func (o *ordersCmd) client() (*apiClient, error) {
	base, err := o.serverURL(os.Getenv)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(o.Token)
	if token == "" {
		return nil, errors.New("no admin token: give --token or set ORDERGATE_ADMIN_TOKEN to one of the gateway's admin_tokens")
	}
	return &apiClient{base: base, token: token, actor: cliActor(os.Getenv("USER")), timeout: o.Timeout, hc: &http.Client{}}, nil
}

// serverURL finds the gateway: --server, else the listen address of
// --config, else $ORDERGATE_SERVER, else defaultServer.
func (o *ordersCmd) serverURL(getenv func(string) string) (string, error) {
	if o.Server != "" {
		return checkServer("--server", o.Server)
	}
	if o.Config != "" {
		cfg, err := config.Load(o.Config)
		if err != nil {
			return "", fmt.Errorf("%s (read for its listen address; give --server URL instead to skip it):\n%w", o.Config, err)
		}
		return listenURL(o.Config, cfg.Listen)
	}
	if v := getenv("ORDERGATE_SERVER"); v != "" {
		return checkServer("ORDERGATE_SERVER", v)
	}
	return defaultServer, nil
}

func checkServer(from, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q: want the gateway's base URL, e.g. %s", from, raw, defaultServer)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// listenURL turns a listen address into a URL to reach it from this
// machine: a wildcard host means this machine's loopback.
func listenURL(file, listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("%s: listen %q: %v; give --server URL", file, listen, err)
	}
	if port == "0" {
		return "", fmt.Errorf("%s: listen %q picks a free port at each start, so it does not say where the gateway is: give --server URL (serve logs it as addr=)", file, listen)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// cliActor is who the timeline names for an action from this command:
// the login name, or "cli" when there is none the API would take.
func cliActor(user string) string {
	user = strings.TrimSpace(user)
	if user == "" || !utf8.ValidString(user) || utf8.RuneCountInString(user) > 64 || strings.IndexFunc(user, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "cli"
	}
	return user
}

// do sends one request and returns the reply's body if it is a 2xx, or an
// error carrying the API's own message.
func (c *apiClient) do(method, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", c.base+path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Ordergate-Actor", c.actor)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the gateway at %s: %v; is ordergate serve running there? (give its address with --server or --config)", c.base, unwrapURLError(err))
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the gateway's reply from %s: %w", c.base, err)
	}
	if resp.StatusCode/100 == 2 {
		return reply, nil
	}
	var e struct {
		Error string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(reply, &e) == nil {
		msg = e.Error
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("the gateway at %s refused the token (%s): give --token or ORDERGATE_ADMIN_TOKEN with one of its admin_tokens", c.base, orStatus(msg, resp))
	case msg == "":
		return nil, fmt.Errorf("the gateway at %s answered %s to %s %s; is that address an ordergate?", c.base, resp.Status, method, path)
	case resp.StatusCode == http.StatusServiceUnavailable:
		return nil, fmt.Errorf("%s (the gateway is unavailable: try again shortly)", msg)
	}
	return nil, errors.New(msg)
}

func orStatus(msg string, resp *http.Response) string {
	if msg != "" {
		return msg
	}
	return resp.Status
}

// unwrapURLError drops the method and URL that *url.Error repeats.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// printList prints one order a line.
func printList(w io.Writer, orders []apiOrder) {
	if len(orders) == 0 {
		fmt.Fprintln(w, "no orders match")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tNAME\tSTATE\tRECEIVED\tERP REF\tFLAGS")
	for _, o := range orders {
		var flags []string
		if o.Overdue {
			flags = append(flags, "overdue")
		}
		if o.Attention != "" {
			flags = append(flags, "attention: "+o.Attention)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.ref(), dash(o.Name), o.State, stamp(o.ReceivedAt), dash(o.ERPRef), strings.Join(flags, "; "))
	}
	tw.Flush()
}

// printOrder prints an order, its lines and its timeline.
func printOrder(w io.Writer, o apiOrder) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "order\t%s %s\n", o.ref(), o.Name)
	fmt.Fprintf(tw, "state\t%s\n", o.State)
	if o.Status != "" {
		fmt.Fprintf(tw, "status\t%s\n", o.Status)
	}
	if o.Overdue {
		fmt.Fprintf(tw, "overdue\tyes, since %s\n", stamp(o.OverdueAt))
	} else if o.OverdueAt != nil {
		fmt.Fprintf(tw, "overdue\tno (was from %s)\n", stamp(o.OverdueAt))
	}
	if o.Attention != "" {
		fmt.Fprintf(tw, "attention\t%s\n", o.Attention)
	}
	if o.Reason != "" {
		fmt.Fprintf(tw, "reason\t%s\n", o.Reason)
	}
	customer := o.Customer.Name
	if o.Customer.Email != "" {
		customer = strings.TrimSpace(customer + " <" + o.Customer.Email + ">")
	}
	fmt.Fprintf(tw, "customer\t%s\n", dash(customer))
	fmt.Fprintf(tw, "total\t%s %s\n", money(o.Total), o.Currency)
	fmt.Fprintf(tw, "external id\t%s\n", o.ExternalID)
	fmt.Fprintf(tw, "erp ref\t%s (%d submit attempts)\n", dash(o.ERPRef), o.Attempts)
	for _, t := range []struct {
		name string
		at   *time.Time
	}{{"captured", o.CapturedAt}, {"received", o.ReceivedAt}, {"acknowledged", o.AcknowledgedAt}, {"ship by", o.ShipBy}, {"settled", o.SettledAt}} {
		if t.at != nil {
			fmt.Fprintf(tw, "%s\t%s\n", t.name, stamp(t.at))
		}
	}
	tw.Flush()

	fmt.Fprintln(w, "\nlines")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SKU\tQTY\tVALIDATED\tSHORT\tPRICE\tTITLE")
	for _, l := range o.Lines {
		validated := "-"
		if l.Validated != nil {
			validated = strconv.Itoa(*l.Validated)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\n", dash(l.SKU), l.Quantity, validated, dash(l.Short), money(l.Price), l.Title)
	}
	tw.Flush()

	fmt.Fprintln(w, "\ntimeline")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TIME\tKIND\tSOURCE\tDETAIL")
	for _, e := range o.Timeline {
		detail := e.Detail
		if e.Attempt > 0 {
			detail = strings.TrimSpace(fmt.Sprintf("attempt %d %s", e.Attempt, detail))
		}
		if e.Error != "" {
			detail = strings.TrimSpace(detail + " error: " + e.Error)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", stamp(&e.At), e.Kind, dash(e.Source), detail)
	}
	tw.Flush()
}

// stamp formats a time for people, in UTC to the millisecond.
func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

// money shows an amount with at least two decimals, and every decimal it
// has.
func money(d decimal.Decimal) string {
	return d.StringFixed(max(2, -d.Exponent()))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
