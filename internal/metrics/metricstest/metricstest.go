// Package metricstest reads a Prometheus scrape into values a test can
// compare exactly.
package metricstest

import (
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one parsed /metrics page: Text as served, and Values keyed by
// series, `name{label="value",…}` with the labels sorted by name (just
// `name` without labels). A histogram gives name_count and name_sum.
type Scrape struct {
	Text   string
	Values map[string]float64
}

// Get scrapes url and fails the test unless it answers 200 in the
// Prometheus text format.
func Get(t testing.TB, client *http.Client, url string) Scrape {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape %s: %d %s\n%s", url, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return Parse(t, string(body))
}

// Parse reads a page in the Prometheus text format.
func Parse(t testing.TB, text string) Scrape {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse scrape: %v\n%s", err, text)
	}
	s := Scrape{Text: text, Values: map[string]float64{}}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := labelText(m.GetLabel())
			switch {
			case m.Counter != nil:
				s.Values[name+labels] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				s.Values[name+labels] = m.GetGauge().GetValue()
			case m.Untyped != nil:
				s.Values[name+labels] = m.GetUntyped().GetValue()
			case m.Histogram != nil:
				s.Values[name+"_count"+labels] = float64(m.GetHistogram().GetSampleCount())
				s.Values[name+"_sum"+labels] = m.GetHistogram().GetSampleSum()
			case m.Summary != nil:
				s.Values[name+"_count"+labels] = float64(m.GetSummary().GetSampleCount())
				s.Values[name+"_sum"+labels] = m.GetSummary().GetSampleSum()
			}
		}
	}
	return s
}

func labelText(pairs []*dto.LabelPair) string {
	if len(pairs) == 0 {
		return ""
	}
	parts := make([]string, 0, len(pairs))
	for _, p := range pairs {
		parts = append(parts, p.GetName()+"="+strconv.Quote(p.GetValue()))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// Has tells whether the series was served, whatever its value.
func (s Scrape) Has(series string) bool {
	_, ok := s.Values[series]
	return ok
}

// Series lists the served series whose name starts with prefix, sorted.
func (s Scrape) Series(prefix string) []string {
	var out []string
	for k := range s.Values {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
