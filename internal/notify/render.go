package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"unicode"

	"github.com/ordergate/ordergate/internal/order"
)

// Rendered is a message ready for a sender: a one-line subject, a plain-text
// body and an HTML body that say the same thing.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// The text and HTML templates are parsed once. Each kind defines
// "<kind>.subject" and "<kind>.text" in its .txt.tmpl file and "<kind>.html"
// in its .html.tmpl file; the HTML ones share the frame in layout.html.tmpl.
var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))
)

// Render renders m as the shop called brand would send it. It fails for an
// unknown kind or an empty brand, never half-way: either all three parts are
// rendered or none.
func Render(m Message, brand string) (Rendered, error) {
	switch m.Kind {
	case Confirmation, Pending, Problem, Delay:
	default:
		return Rendered{}, fmt.Errorf("notify: render %q for %s: unknown kind", m.Kind, m.Order.Key)
	}
	if strings.TrimSpace(brand) == "" {
		return Rendered{}, fmt.Errorf("notify: render %s for %s: brand is empty", m.Kind, m.Order.Key)
	}
	v := newView(m.Order, brand)
	var r Rendered
	var err error
	var subject, text, html bytes.Buffer
	err = errors.Join(
		textTemplates.ExecuteTemplate(&subject, string(m.Kind)+".subject", v),
		textTemplates.ExecuteTemplate(&text, string(m.Kind)+".text", v),
		htmlTemplates.ExecuteTemplate(&html, string(m.Kind)+".html", v),
	)
	if err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s for %s: %w", m.Kind, m.Order.Key, err)
	}
	r.Subject = oneLine(subject.String())
	r.Text = text.String()
	r.HTML = html.String()
	return r, nil
}

// oneLine folds every run of white space and control characters into one
// space, so that nothing taken from the order (a name with a line break)
// can end the Subject header early.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// view is what the templates see: everything already formatted, so that the
// templates hold wording and layout only and the text and HTML versions
// cannot disagree on a number. Every string taken from the order is folded
// onto one line, so that a stray line break cannot reshape the text version.
type view struct {
	Brand     string
	Greeting  string // "Hello Ada Lovelace," or "Hello,"
	OrderName string // "#1001"
	Lines     []lineView
	Total     string // "USD 54.98"
	ShipBy    string // "Friday, 6 March 2026", empty when unknown
	Short     bool   // some line was confirmed for less than was ordered
}

// lineView is one order line as the templates show it.
type lineView struct {
	Title     string
	SKU       string
	Ordered   int
	Validated int
	Known     bool // the ERP stated a validated quantity for this line
	Short     bool // Validated < Ordered
	Missing   int  // Ordered - Validated, when Short
	// Backordered says the missing units ship later; otherwise the ERP
	// could not take them at all (a product it does not carry).
	Backordered bool
	UnitPrice   string
}

func newView(o order.Order, brand string) view {
	v := view{
		Brand:     oneLine(brand),
		Greeting:  "Hello,",
		OrderName: oneLine(o.Name),
		Total:     formatMoney(o.Total, o.Currency),
	}
	if name := oneLine(o.Customer.Name); name != "" {
		v.Greeting = "Hello " + name + ","
	}
	if v.OrderName == "" {
		v.OrderName = "#" + oneLine(o.Key.ID)
	}
	if !o.ShipBy.IsZero() {
		v.ShipBy = o.ShipBy.Format("Monday, 2 January 2006")
	}
	for _, l := range o.Lines {
		lv := lineView{
			Title:     oneLine(l.Title),
			SKU:       oneLine(l.SKU),
			Ordered:   l.Quantity,
			UnitPrice: formatMoney(l.Price, o.Currency),
		}
		if lv.Title == "" {
			lv.Title = lv.SKU
		}
		if l.Validated != nil {
			lv.Known = true
			lv.Validated = *l.Validated
			if lv.Validated < lv.Ordered {
				lv.Short = true
				lv.Missing = lv.Ordered - lv.Validated
				lv.Backordered = l.Short != order.ShortUnknownSKU
				v.Short = true
			}
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}
