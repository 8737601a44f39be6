package netsuitefake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type customer struct {
	id, externalID      string
	isPerson            bool
	firstName, lastName string
	companyName         string
	email, phone        string
	subsidiary          string
	inactive            bool
}

func (c *customer) name() string {
	switch {
	case c == nil:
		return ""
	case c.isPerson:
		return strings.TrimSpace(c.firstName + " " + c.lastName)
	}
	return c.companyName
}

// Customer is a customer record as the fake holds it, for tests to inspect
// and for AddCustomer.
type Customer struct {
	ID, ExternalID      string
	IsPerson            bool
	FirstName, LastName string
	CompanyName         string
	Email, Phone        string
	Subsidiary          string
	Inactive            bool
}

// Customers returns every customer record, by internal id.
func (f *Fake) Customers() []Customer {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Customer
	for _, c := range f.customers {
		out = append(out, Customer{
			ID: c.id, ExternalID: c.externalID, IsPerson: c.isPerson, FirstName: c.firstName, LastName: c.lastName,
			CompanyName: c.companyName, Email: c.email, Phone: c.phone, Subsidiary: c.subsidiary, Inactive: c.inactive,
		})
	}
	slices.SortFunc(out, func(a, b Customer) int { return compareIDs(a.ID, b.ID) })
	return out
}

// AddCustomer makes a customer record as someone in NetSuite would (c.ID
// is ignored) and returns its internal id.
func (f *Fake) AddCustomer(c Customer) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	cu := f.newCustomer(c.ExternalID)
	cu.isPerson, cu.firstName, cu.lastName, cu.companyName = c.IsPerson, c.FirstName, c.LastName, c.CompanyName
	cu.email, cu.phone, cu.subsidiary, cu.inactive = c.Email, c.Phone, c.Subsidiary, c.Inactive
	return cu.id
}

// DeleteCustomer deletes a customer record, as someone deleting it, or
// merging it into another, in NetSuite would.
func (f *Fake) DeleteCustomer(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.customers, id)
}

// newCustomer makes an empty customer under the next free internal id.
// Call with f.mu held.
func (f *Fake) newCustomer(externalID string) *customer {
	for f.customers[strconv.Itoa(f.nextCust)] != nil {
		f.nextCust++
	}
	cu := &customer{id: strconv.Itoa(f.nextCust), externalID: externalID}
	f.nextCust++
	f.customers[cu.id] = cu
	return cu
}

// activeCustomer reports whether id is a customer a sales order can be
// entered for. Call with f.mu held.
func (f *Fake) activeCustomer(id string) bool {
	c := f.customers[id]
	return c != nil && !c.inactive
}

// customerByKey finds a customer by internal id or eid:<external id>.
// Call with f.mu held.
func (f *Fake) customerByKey(key string) *customer {
	eid, ok := strings.CutPrefix(key, "eid:")
	if !ok {
		return f.customers[key]
	}
	for _, c := range f.customers {
		if c.externalID != "" && c.externalID == eid {
			return c
		}
	}
	return nil
}

// customerWrite is a customer as written by PUT.
type customerWrite struct {
	IsPerson    *bool                         `json:"isPerson"`
	FirstName   *string                       `json:"firstName"`
	LastName    *string                       `json:"lastName"`
	CompanyName *string                       `json:"companyName"`
	Email       *string                       `json:"email"`
	Phone       *string                       `json:"phone"`
	Subsidiary  *struct{ ID json.RawMessage } `json:"subsidiary"`
	IsInactive  *bool                         `json:"isInactive"`
}

// upsertCustomer is PUT …/customer/eid:{id}: create the customer, or
// update the one with that external id; 204 with the record's url in
// Location, as for any write.
func (f *Fake) upsertCustomer(w http.ResponseWriter, r *http.Request, key string) {
	eid, ok := strings.CutPrefix(key, "eid:")
	if !ok {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "The upsert operation needs an external ID in the request URL.", Code: "INVALID_REQUEST"})
		return
	}
	if !externalIDPattern.MatchString(eid) {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid external ID " + eid + ".", Code: "INVALID_ID"})
		return
	}
	var body customerWrite
	if err := json.Unmarshal(mustBody(r), &body); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid JSON: " + err.Error(), Code: "INVALID_CONTENT"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.customerByKey(key)
	next := customer{externalID: eid}
	if old != nil {
		next = *old
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if body.IsPerson != nil {
		next.isPerson = *body.IsPerson
	}
	set(&next.firstName, body.FirstName)
	set(&next.lastName, body.LastName)
	set(&next.companyName, body.CompanyName)
	set(&next.email, body.Email)
	set(&next.phone, body.Phone)
	if body.Subsidiary != nil {
		next.subsidiary = rawID(body.Subsidiary.ID)
	}
	if body.IsInactive != nil {
		next.inactive = *body.IsInactive
	}
	if ds := f.validateCustomer(next); len(ds) > 0 {
		writeError(w, http.StatusBadRequest, "Bad Request", ds...)
		return
	}
	cu := old
	if cu == nil {
		cu = f.newCustomer(eid)
	}
	next.id = cu.id
	*cu = next
	w.Header().Set("Location", link(r, customerPath+cu.id))
	w.WriteHeader(http.StatusNoContent)
}

// validateCustomer checks a customer as it would be after a write, the way
// NetSuite refuses one. The words for a missing subsidiary are those
// NetSuite gives through SOAP ("Please enter value(s) for: Primary
// Subsidiary", USER_ERROR) [unverified for REST: no published REST reply;
// the path is the field's, as for the other missing values the fake
// reports].
func (f *Fake) validateCustomer(c customer) []detail {
	var ds []detail
	missing := func(label, path string) {
		ds = append(ds, detail{Detail: "Error while accessing resource: Please enter value(s) for: " + label, Code: "USER_ERROR", Path: path})
	}
	switch {
	case c.subsidiary == "" && f.cfg.RequireSubsidiary:
		missing("Primary Subsidiary", "subsidiary")
	case c.subsidiary != "" && !slices.Contains(f.cfg.Subsidiaries, c.subsidiary):
		ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value " + c.subsidiary + " for the following field: subsidiary", Code: "INVALID_CONTENT", Path: "subsidiary"})
	}
	if c.isPerson {
		if c.firstName == "" {
			missing("First Name", "firstName")
		}
		if c.lastName == "" {
			missing("Last Name", "lastName")
		}
	} else if c.companyName == "" {
		missing("Company Name", "companyName")
	}
	if c.phone != "" {
		digits := 0
		for _, r := range c.phone {
			if '0' <= r && r <= '9' {
				digits++
			}
		}
		if digits < 7 {
			ds = append(ds, detail{Detail: "Error while accessing resource: Phone numbers should have seven digits or more.", Code: "INVALID_FLD_VALUE", Path: "phone"})
		}
	}
	return ds
}

// getCustomer is GET …/customer/{id or eid:…}.
func (f *Fake) getCustomer(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.customerByKey(key)
	if c == nil {
		writeNotFound(w)
		return
	}
	rec := map[string]any{
		"links":      []map[string]string{{"rel": "self", "href": link(r, customerPath+c.id)}},
		"id":         c.id,
		"entityId":   c.name(),
		"isPerson":   c.isPerson,
		"isInactive": c.inactive,
	}
	for k, v := range map[string]string{"externalId": c.externalID, "firstName": c.firstName, "lastName": c.lastName,
		"companyName": c.companyName, "email": c.email, "phone": c.phone} {
		if v != "" {
			rec[k] = v
		}
	}
	if c.subsidiary != "" {
		rec["subsidiary"] = map[string]any{"links": []any{}, "id": c.subsidiary}
	}
	writeJSON(w, http.StatusOK, rec)
}

// compareIDs orders internal ids as numbers.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
