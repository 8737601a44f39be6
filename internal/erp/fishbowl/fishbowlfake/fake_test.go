package fishbowlfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

// login returns a session token of a fake serving srv.
func login(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := http.Post(srv.URL+"/api/login", "application/json",
		strings.NewReader(`{"appName":"t","appDescription":"d","appId":1000,"username":"u","password":"p"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return lr.Token
}

func post(t *testing.T, srv *httptest.Server, tok, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

const (
	soHeader   = "Flag,SONum,Status,CustomerName,BillToName,BillToAddress,BillToCity,BillToState,BillToZip,BillToCountry,ShipToName,ShipToAddress,ShipToCity,ShipToState,ShipToZip,ShipToCountry\n"
	itemHeader = "Flag,SOItemTypeID,ProductNumber,ProductQuantity,ProductPrice\n"
	soRow      = "SO,SO-1,20,Ada,,,,,,,,,,,,\n"
)

func TestImport_RefusesFilesFishbowlWouldRefuse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, contentType, body string
		status                  int
		message                 string
	}{
		{"Accepted", "text/csv", soHeader + itemHeader + soRow + "Item,10,A,2,9.99\n", 200, ""},
		{"NotCSV", "application/json", `{}`, 400, "Imports are sent as text/csv"},
		{"UnreadableCSV", "text/csv", soHeader + `SO,"unterminated` + "\n", 400, "The CSV could not be read"},
		{"MissingColumn", "text/csv", "Flag,SONum,Status\n", 400, "lacks the required columns CustomerName"},
		{"RowBeforeHeader", "text/csv", soRow, 400, "before the SO header row"},
		{"ColumnCountDiffers", "text/csv", soHeader + itemHeader + "SO,SO-1,20,Ada\n", 400, "has 4 columns; its header has 16"},
		{"NumberTooLong", "text/csv", soHeader + itemHeader + "SO,SO-12345678901234567890123,20,Ada,,,,,,,,,,,,\nItem,10,A,1,1\n", 400, "longer than 25 characters"},
		{"StatusNotIssuable", "text/csv", soHeader + itemHeader + "SO,SO-1,60,Ada,,,,,,,,,,,,\nItem,10,A,1,1\n", 400, "Status must be 10 (Estimate) or 20 (Issued)"},
		{"NoItems", "text/csv", soHeader + itemHeader + soRow, 400, "has no items"},
		{"BadQuantity", "text/csv", soHeader + itemHeader + soRow + "Item,10,A,-1,1\n", 400, "is not a positive number"},
		{"UnknownProduct", "text/csv", soHeader + itemHeader + soRow + "Item,10,NOPE,1,1\n", 402, "Product 'NOPE' was not found."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := fishbowlfake.New(fishbowlfake.Config{Users: map[string]fishbowlfake.User{"u": {Password: "p"}}})
			f.SetStock("A", 5)
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)

			status, body := post(t, srv, login(t, srv), "/api/import/Sales-Order", c.contentType, c.body)
			if status != c.status {
				t.Fatalf("status %d %v, want %d", status, body, c.status)
			}
			if c.status == 200 {
				if n := len(f.Orders()); n != 1 {
					t.Errorf("orders = %d, want 1", n)
				}
				return
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, c.message) {
				t.Errorf("message %q lacks %q", msg, c.message)
			}
			if body["path"] != "/api/import/Sales-Order" || body["status"] != float64(c.status) || body["timeStamp"] == "" {
				t.Errorf("error body %v lacks Fishbowl's timeStamp, status and path", body)
			}
			if n := len(f.Orders()); n != 0 {
				t.Errorf("a refused import left %d orders", n)
			}
		})
	}
}

func TestSession_UnknownTokenGetsFishbowls401(t *testing.T) {
	t.Parallel()
	f := fishbowlfake.New(fishbowlfake.Config{Users: map[string]fishbowlfake.User{"u": {Password: "p"}}})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	for _, tok := range []string{"", "7dd6bcf7-5e92-4c25-86c9-54af4a831d54"} {
		status, body := post(t, srv, tok, "/api/import/Sales-Order", "text/csv", soHeader)
		if status != http.StatusUnauthorized || body["message"] != fishbowlfake.MsgInvalidToken {
			t.Errorf("token %q: %d %v, want 401 %q", tok, status, body, fishbowlfake.MsgInvalidToken)
		}
	}
	tok := login(t, srv)
	if status, _ := post(t, srv, tok, "/api/logout", "", ""); status != http.StatusOK {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := post(t, srv, tok, "/api/logout", "", ""); status != http.StatusUnauthorized {
		t.Errorf("token after logout: %d, want 401", status)
	}
	if n := f.SeatsInUse(); n != 0 {
		t.Errorf("seats in use = %d, want 0", n)
	}
}
