// Command latency measures what raygate adds to a request: it sends the same
// GET to a Ray dashboard directly and through raygate, interleaved (so both
// see the same machine load), over keep-alive connections, and prints the
// median and p99 of each and of the per-pair difference, as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"
)

type stats struct {
	MedianUS float64 `json:"median_us"`
	P99US    float64 `json:"p99_us"`
	MeanUS   float64 `json:"mean_us"`
}

func summarize(xs []float64) stats {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	q := func(p float64) float64 { return s[int(p*float64(len(s)-1)+0.5)] }
	return stats{MedianUS: q(0.5), P99US: q(0.99), MeanUS: sum / float64(len(s))}
}

func main() {
	direct := flag.String("direct", "", "URL on the Ray dashboard")
	proxied := flag.String("proxy", "", "the same resource through raygate")
	token := flag.String("token", "", "bearer token for raygate")
	n := flag.Int("n", 1000, "measured requests per path")
	warmup := flag.Int("warmup", 100, "unmeasured requests per path first")
	flag.Parse()
	if *direct == "" || *proxied == "" {
		fmt.Fprintln(os.Stderr, "usage: latency -direct URL -proxy URL -token T [-n N]")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}, Timeout: 30 * time.Second}
	get := func(url string, auth bool) (float64, error) {
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+*token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		el := float64(time.Since(start).Nanoseconds()) / 1000
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("%s: status %d", url, resp.StatusCode)
		}
		return el, err
	}
	var d, p, diff []float64
	for i := 0; i < *warmup+*n; i++ {
		var td, tp float64
		var e1, e2 error
		if i%2 == 0 { // alternate which goes first
			td, e1 = get(*direct, false)
			tp, e2 = get(*proxied, true)
		} else {
			tp, e2 = get(*proxied, true)
			td, e1 = get(*direct, false)
		}
		if e1 != nil || e2 != nil {
			fmt.Fprintln(os.Stderr, "request failed:", e1, e2)
			os.Exit(1)
		}
		if i >= *warmup {
			d, p, diff = append(d, td), append(p, tp), append(diff, tp-td)
		}
	}
	out := map[string]any{"n": *n, "direct": summarize(d), "proxy": summarize(p), "added_per_pair": summarize(diff)}
	json.NewEncoder(os.Stdout).Encode(out)
}
