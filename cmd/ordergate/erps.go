package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// connector is a configured ERP client before it is started: either a
// connector's own config (checked by its Validate) or the sandbox.
type connector struct {
	netsuite *netsuite.Config
	cin7     *cin7.Config
	fishbowl *fishbowl.Config
}

// connectorFor maps one ERP entry onto its connector's config.
func connectorFor(e config.ERP) connector {
	a := e.Auth
	switch e.Kind {
	case config.ERPNetSuite:
		return connector{netsuite: &netsuite.Config{
			BaseURL: e.BaseURL, Account: e.Account, AuthMethod: a.Method,
			ClientID: a.ClientID, CertificateID: a.CertificateID, PrivateKeyFile: a.PrivateKeyFile, Scopes: a.Scopes,
			ConsumerKey: a.ConsumerKey, ConsumerSecret: a.ConsumerSecret, TokenID: a.TokenID, TokenSecret: a.TokenSecret,
			CustomerID: e.CustomerID, SubsidiaryID: e.SubsidiaryID, LocationID: e.LocationID, PendingApproval: e.PendingApproval,
			Async: e.Async, PollInterval: e.AsyncPollInterval, AsyncWait: e.AsyncWait, Timeout: e.Timeout,
		}}
	case config.ERPCin7:
		return connector{cin7: &cin7.Config{
			BaseURL: e.BaseURL, AccountID: a.AccountID, ApplicationKey: a.ApplicationKey, Timeout: e.Timeout,
			CallsPerMinute: e.CallsPerMinute, Customer: e.Customer, TaxRule: e.TaxRule,
		}}
	case config.ERPFishbowl:
		return connector{fishbowl: &fishbowl.Config{
			BaseURL: e.BaseURL, Username: a.Username, Password: a.Password, AppName: a.AppName,
			AppDescription: a.AppDescription, AppID: a.AppID, CustomerName: e.CustomerName,
			IdleLogout: e.IdleLogout, Timeout: e.Timeout,
		}}
	}
	return connector{}
}

// validate checks the connector's settings without calling out. Each
// problem names its field under the ERP's path, e.g. erps[1].auth.client_id.
func (c connector) validate(path string) error {
	var err error
	switch {
	case c.netsuite != nil:
		err = c.netsuite.Validate()
	case c.cin7 != nil:
		err = c.cin7.Validate()
	case c.fishbowl != nil:
		err = c.fishbowl.Validate()
	}
	return underPath(path, err, nil)
}

// underPath puts each of a connector's joined problems under the entry's
// path as a *config.FieldError. The connectors name their keys
// ("auth.client_id: required"); rename, if not nil, maps such a key onto
// the config's.
func underPath(path string, err error, rename func(string) string) error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	list := []error{err}
	if errors.As(err, &joined) {
		list = joined.Unwrap()
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		fe := &config.FieldError{Path: path, Problem: e.Error()}
		if k, rest, ok := strings.Cut(fe.Problem, ": "); ok && !strings.ContainsAny(k, " ") {
			if rename != nil {
				k = rename(k)
			}
			fe = &config.FieldError{Path: path + "." + k, Problem: rest}
		}
		out = append(out, fe)
	}
	return errors.Join(out...)
}

// validateConnectors checks every ERP's connector settings, as `config
// check` and start do.
func validateConnectors(cfg *config.Config) error {
	var errs []error
	for i, e := range cfg.ERPs {
		if err := connectorFor(e).validate(fmt.Sprintf("erps[%d]", i)); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, validateStorefrontAPIs(cfg))
	return errors.Join(errs...)
}

// erpClient returns the client for one configured ERP. A sandbox ERP with no
// base_url runs in this process on a loopback port (its records live only as
// long as the process); with sandbox.callback it announces acknowledgments
// to this gateway's POST /erp/{name}/ack at self.
func (g *gateway) erpClient(e config.ERP, self net.Addr) (erp.Client, error) {
	c := connectorFor(e)
	switch {
	case c.netsuite != nil:
		return netsuite.New(*c.netsuite)
	case c.cin7 != nil:
		return cin7.New(*c.cin7)
	case c.fishbowl != nil:
		fb, err := fishbowl.New(*c.fishbowl)
		if err != nil {
			return nil, err
		}
		// Fishbowl sessions hold a licence seat: give it back at once.
		g.closers = append(g.closers, func() {
			ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
			defer cancel()
			if err := fb.Close(ctx); err != nil {
				g.log.Warn("fishbowl logout failed; the session holds its seat until Fishbowl expires it", "erp", e.Name, "err", err)
			}
		})
		return fb, nil
	}
	base := e.BaseURL
	if base == "" {
		sc := simConfig(e.Sandbox)
		if e.Sandbox != nil && e.Sandbox.Callback {
			sc.Callback = erpsim.Callback{URL: loopbackURL(self) + "/erp/" + e.Name + "/ack", Secret: e.CallbackSecrets[0]}
		}
		sim := erpsim.New(sc)
		url, closeSrv, err := serveLoopback(sim)
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, func() { sim.Close(); closeSrv() })
		base = url
		g.log.Info("sandbox erp running in process", "erp", e.Name, "url", base, "callbacks", sc.Callback.URL != "")
	}
	return sandbox.New(sandbox.Config{BaseURL: base, Timeout: e.Timeout})
}

// loopbackURL is the gateway's own address as a URL a process on this host
// can reach, even when it listens on every interface.
func loopbackURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// simConfig maps the config's sandbox block onto the simulator's.
func simConfig(s *config.Sandbox) erpsim.Config {
	if s == nil {
		return erpsim.Config{}
	}
	return erpsim.Config{
		Stock: s.Stock, DefaultStock: s.DefaultStock, UnknownSKUs: s.UnknownSKUs,
		Latency: erpsim.Latency{Min: s.Latency.Min, Median: s.Latency.Median, P99: s.Latency.P99},
		Faults: erpsim.Faults{ErrorRate: s.Faults.ErrorRate, TimeoutRate: s.Faults.TimeoutRate, InDoubtRate: s.Faults.InDoubtRate,
			ThrottleRate: s.Faults.ThrottleRate, RetryAfter: s.Faults.RetryAfter},
		AckDelay: s.AckDelay, Seed: s.Seed, Backorder: s.Backorder, PartialUnknown: s.PartialUnknown, ShipDays: s.ShipDays,
	}
}
