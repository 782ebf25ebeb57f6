// peer — the casbin and OPA side of the peer benchmark (issue 5), with the
// protocol of rolegate_peer (bench/peers/rolegate_peer.cc):
//
//	peer --engine casbin|casbin_flat|opa --dir DIR --queries queries.tsv --expected expected.txt
//	     [--min-time SEC] [--max-time SEC] [--batch N] [--out result.json]
//
// DIR is what translate.py wrote for the engine (DIR/casbin, DIR/opa, ...).
// Load: the engine's files are read into memory, then building the engine is
// timed (casbin: model + policy text to an enforcer with its role links; OPA:
// JSON decode of the data, the in-memory store, parse + compile + prepare of
// the query). Pass 0 checks every answer; a mismatch prints the query and
// exits 3. Timed passes follow until --min-time; a sample is a batch of
// --batch queries, ns per decision = (batch time - timer overhead) / batch.
// Peak RSS: getrusage(RUSAGE_SELF).ru_maxrss.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/casbin/casbin/v2/util"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	opautil "github.com/open-policy-agent/opa/v1/util"
)

type query struct{ principal, action, resource string }

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "peer: "+format+"\n", a...)
	os.Exit(2)
}

func readFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		die("%v", err)
	}
	return b
}

func readQueries(path string) []query {
	var qs []query
	for _, line := range strings.Split(string(readFile(path)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			die("bad query line %q", line)
		}
		qs = append(qs, query{f[0], f[1], f[2]})
	}
	return qs
}

// scopeMatch: the stored scope `pattern` is an ancestor-or-self of the request
// scope `req` (segment prefix). The domain matching function of casbin's g.
func scopeMatch(req, pattern string) bool {
	if req == pattern || pattern == "/" {
		return true
	}
	return len(req) > len(pattern) && req[len(pattern)] == '/' && req[:len(pattern)] == pattern
}

// checkPatterns: every policy line's action patterns (casbin globMatch, the
// builtin the matcher calls) select exactly the catalog actions rolegate's
// glob expansion selects. A translation bug fails here, before any timing.
func checkPatterns(dir string) {
	catalog := strings.Split(strings.TrimSpace(string(readFile(dir+"/../catalog.txt"))), "\n")
	for _, line := range strings.Split(strings.TrimSpace(string(readFile(dir+"/patterns.tsv"))), "\n") {
		f := strings.Split(line, "\t")
		want := map[int]bool{}
		if len(f) > 2 && f[2] != "" {
			for _, s := range strings.Split(f[2], ",") {
				i, _ := strconv.Atoi(s)
				want[i] = true
			}
		}
		for i, a := range catalog {
			yes, err := util.GlobMatch(a, f[0])
			if err != nil {
				die("globMatch %q: %v", f[0], err)
			}
			no, err := util.GlobMatch(a, f[1])
			if err != nil {
				die("globMatch %q: %v", f[1], err)
			}
			if (yes && !no) != want[i] {
				die("pattern %q minus %q on %q: casbin says %v, rolegate's expansion %v", f[0], f[1], a, yes && !no, want[i])
			}
		}
	}
}

type decider func(q *query) (bool, error)

func buildCasbin(dir string, domains bool) decider {
	modelText := string(readFile(dir + "/model.conf"))
	policyText := string(readFile(dir + "/policy.csv"))
	checkPatterns(dir)
	runtime.GC()
	t0 := time.Now()
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		die("casbin model: %v", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		die("casbin: %v", err)
	}
	if domains {
		// Before the policy loads, so links are added with the matcher in place.
		e.AddNamedDomainMatchingFunc("g", "scopeMatch", scopeMatch)
	}
	e.SetAdapter(stringadapter.NewAdapter(policyText))
	if err := e.LoadPolicy(); err != nil {
		die("casbin load: %v", err)
	}
	loadMs = float64(time.Since(t0).Nanoseconds()) / 1e6
	return func(q *query) (bool, error) { return e.Enforce(q.principal, q.resource, q.action) }
}

func buildOPA(dir string, qs []query) decider {
	policy := string(readFile(dir + "/policy.rego"))
	raw := readFile(dir + "/data.json")
	ctx := context.Background()
	runtime.GC()
	t0 := time.Now()
	var data map[string]any
	if err := opautil.UnmarshalJSON(raw, &data); err != nil {
		die("opa data: %v", err)
	}
	store := inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	pq, err := rego.New(
		rego.Query("data.rolegate.allow"),
		rego.Module("policy.rego", policy),
		rego.Store(store),
	).PrepareForEval(ctx)
	if err != nil {
		die("opa prepare: %v", err)
	}
	loadMs = float64(time.Since(t0).Nanoseconds()) / 1e6
	data = nil
	// Inputs as parsed AST values, built before timing (the caller's request
	// parsing is not the engine's work; EvalParsedInput skips a conversion).
	inputs := make(map[*query]ast.Value, len(qs))
	for i := range qs {
		q := &qs[i]
		inputs[q] = ast.NewObject(
			[2]*ast.Term{ast.StringTerm("principal"), ast.StringTerm(q.principal)},
			[2]*ast.Term{ast.StringTerm("action"), ast.StringTerm(q.action)},
			[2]*ast.Term{ast.StringTerm("resource"), ast.StringTerm(q.resource)},
		)
	}
	return func(q *query) (bool, error) {
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(inputs[q]))
		if err != nil {
			return false, err
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return false, fmt.Errorf("unexpected result %v", rs)
		}
		b, ok := rs[0].Expressions[0].Value.(bool)
		if !ok {
			return false, fmt.Errorf("non-boolean result %v", rs[0].Expressions[0].Value)
		}
		return b, nil
	}
}

var loadMs float64

func timerOverhead() float64 {
	v := make([]float64, 20001)
	for i := range v {
		a := time.Now()
		b := time.Now()
		v[i] = float64(b.Sub(a).Nanoseconds())
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func peakRSSKb() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

func main() {
	engine := flag.String("engine", "", "casbin | casbin_flat | opa")
	dir := flag.String("dir", "", "the translated size directory")
	queriesPath := flag.String("queries", "", "queries.tsv")
	expectedPath := flag.String("expected", "", "expected answers (one 0/1 a line)")
	minTime := flag.Float64("min-time", 2, "seconds of timed passes after pass 0")
	maxTime := flag.Float64("max-time", 600, "budget in seconds for all passes")
	batch := flag.Int("batch", 8, "queries per timed sample")
	out := flag.String("out", "", "result JSON (default: stdout)")
	flag.Parse()
	if *engine == "" || *dir == "" || *queriesPath == "" || *expectedPath == "" {
		die("--engine, --dir, --queries and --expected are required")
	}
	qs := readQueries(*queriesPath)
	expected := strings.Fields(string(readFile(*expectedPath)))
	if len(expected) != len(qs) {
		die("expected file has %d answers for %d queries", len(expected), len(qs))
	}
	var decide decider
	switch *engine {
	case "casbin":
		decide = buildCasbin(*dir+"/casbin", true)
	case "casbin_flat":
		decide = buildCasbin(*dir+"/casbin_flat", false)
	case "opa":
		decide = buildOPA(*dir+"/opa", qs)
	default:
		die("unknown engine %q", *engine)
	}
	fmt.Fprintf(os.Stderr, "peer %s: loaded in %.1f ms\n", *engine, loadMs)
	debug.FreeOSMemory()

	overhead := timerOverhead()
	B := *batch
	// Pass 0: every answer, timed per batch.
	var samples0 []float64
	allowed := 0
	start0 := time.Now()
	for i := 0; i < len(qs); i += B {
		end := min(i+B, len(qs))
		got := make([]bool, end-i)
		a := time.Now()
		for j := i; j < end; j++ {
			d, err := decide(&qs[j])
			if err != nil {
				die("query %d: %v", j, err)
			}
			got[j-i] = d
		}
		el := float64(time.Since(a).Nanoseconds())
		if end-i == B {
			samples0 = append(samples0, (el-overhead)/float64(B))
		}
		for j := i; j < end; j++ {
			if got[j-i] {
				allowed++
			}
			if got[j-i] != (expected[j] == "1") {
				fmt.Fprintf(os.Stderr, "MISMATCH query %d: %s %s %s: %s says %v, rolegate %v\n", j,
					qs[j].principal, qs[j].action, qs[j].resource, *engine, got[j-i], expected[j] == "1")
				os.Exit(3)
			}
		}
		if s := time.Since(start0).Seconds(); s > *maxTime {
			res := map[string]any{"engine": *engine, "load_ms": loadMs, "queries": len(qs), "answers": "timeout",
				"answered": end, "seconds": s, "median_ns": median(samples0), "peak_rss_kb": peakRSSKb()}
			writeOut(*out, res)
			fmt.Fprintf(os.Stderr, "peer %s: pass 0 over budget after %d of %d queries\n", *engine, end, len(qs))
			os.Exit(4)
		}
	}
	pass0 := time.Since(start0).Seconds()

	samples := samples0
	passes := 0
	if pass0*2 <= *maxTime {
		samples = nil
		start := time.Now()
		for {
			for i := 0; i+B <= len(qs); i += B {
				a := time.Now()
				for j := i; j < i+B; j++ {
					if _, err := decide(&qs[j]); err != nil {
						die("query %d: %v", j, err)
					}
				}
				samples = append(samples, (float64(time.Since(a).Nanoseconds())-overhead)/float64(B))
			}
			passes++
			el := time.Since(start).Seconds()
			if el >= *minTime || el+pass0 >= *maxTime {
				break
			}
		}
	}
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, x := range sorted {
		sum += x
	}
	mean := 0.0
	if len(sorted) > 0 {
		mean = sum / float64(len(sorted))
	}
	res := map[string]any{
		"engine": *engine, "load_ms": loadMs, "queries": len(qs), "allowed": allowed, "passes": passes,
		"batch": B, "samples": len(sorted), "median_ns": quantile(sorted, 0.5), "p99_ns": quantile(sorted, 0.99),
		"mean_ns": mean, "timer_overhead_ns": overhead, "pass0_s": pass0, "first_pass_median_ns": median(samples0), "peak_rss_kb": peakRSSKb(),
		"answers": "match",
	}
	writeOut(*out, res)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return quantile(s, 0.5)
}

func writeOut(path string, res map[string]any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(res); err != nil {
		die("%v", err)
	}
	if path == "" {
		w := bufio.NewWriter(os.Stdout)
		w.Write(buf.Bytes())
		w.Flush()
		return
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		die("%v", err)
	}
}
