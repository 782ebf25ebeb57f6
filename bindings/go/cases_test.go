package rolegate_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// The CLI's example cases (bindings/testdata, shared with the Python suite)
// answered through Go must equal the CLI's answers; when the CLI program is
// at hand it is run on the same lines too.

type query struct {
	Op                    string `json:"op"`
	Principal             string `json:"principal"`
	Action                string `json:"action"`
	Resource              string `json:"resource"`
	Cloud                 string `json:"cloud"`
	WorkloadType          string `json:"workload_type"`
	Project               string `json:"project"`
	User                  string `json:"user"`
	ComputeConfigIdentity string `json:"compute_config_identity"`
	NodeGroupIdentity     string `json:"node_group_identity"`
	Method                string `json:"method"`
	Path                  string `json:"path"`
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.ReadFile(filepath.Join(repoDir(t), "bindings", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(f))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func decision(allowed bool) string {
	if allowed {
		return "allow"
	}
	return "deny"
}

// answer answers one CLI query line through the Go API, in the CLI's form.
func answer(t *testing.T, e *rolegate.Engine, line string) map[string]any {
	var q query
	if err := json.Unmarshal([]byte(line), &q); err != nil {
		t.Fatal(err)
	}
	workload := func() rolegate.Workload {
		wt, err := rolegate.ParseWorkloadType(q.WorkloadType)
		if err != nil {
			t.Fatal(err)
		}
		return rolegate.Workload{Cloud: q.Cloud, Type: wt, Project: q.Project, User: q.User,
			ComputeConfigIdentity: q.ComputeConfigIdentity, NodeGroupIdentity: q.NodeGroupIdentity}
	}
	explained := func(x rolegate.Explanation) map[string]any {
		return map[string]any{"decision": decision(x.Allowed), "reason": x.Reason.String(), "rule": nullable(x.Rule)}
	}
	switch q.Op {
	case "check":
		x, err := e.Explain(q.Principal, q.Action, q.Resource)
		if err != nil {
			t.Fatal(err)
		}
		return explained(x)
	case "resolve":
		r, err := e.Resolve(workload())
		if err != nil {
			t.Fatal(err)
		}
		var errName any
		if r.Error != rolegate.IdentityOK {
			errName = r.Error.String()
		}
		return map[string]any{"identity": nullable(r.Identity), "source": nullable(r.Source), "error": errName}
	case "check_workload":
		d, err := e.CheckWorkload(workload(), q.Action, q.Resource)
		if err != nil {
			t.Fatal(err)
		}
		m := explained(d.Explanation)
		m["identity"], m["source"] = nullable(d.Identity), nullable(d.Source)
		return m
	case "check_request":
		d, err := e.CheckRequest(q.Principal, q.Method, q.Path)
		if err != nil {
			t.Fatal(err)
		}
		m := explained(d.Explanation)
		m["route"], m["action"], m["resource"] = nullable(d.Route), nullable(d.Action), nullable(d.Resource)
		return m
	}
	t.Fatalf("unknown op %q", q.Op)
	return nil
}

func decode(t *testing.T, line string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCLICasesThroughGo(t *testing.T) {
	cases, expected := readLines(t, "cli_cases.jsonl"), readLines(t, "cli_expected.jsonl")
	if len(cases) != len(expected) || len(cases) < 40 {
		t.Fatalf("%d cases, %d answers", len(cases), len(expected))
	}
	e := newExample(t)
	for i, line := range cases {
		if got, want := answer(t, e, line), decode(t, expected[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("case %d %s:\n got %v\nwant %v", i, line, got, want)
		}
	}
}

func TestCLIGivesTheSameAnswers(t *testing.T) {
	cli := findCLI(t)
	if cli == "" {
		t.Skip("the rolegate CLI is not built (run ./build.sh or set ROLEGATE_CLI)")
	}
	cases, expected := readLines(t, "cli_cases.jsonl"), readLines(t, "cli_expected.jsonl")
	for _, args := range [][]string{{"check", "--bundle", examplePath(t)}, {"check"}} {
		cmd := exec.Command(cli, args...)
		cmd.Stdin = strings.NewReader(strings.Join(cases, "\n") + "\n")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", cli, args, err, stderr.String())
		}
		got := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(got) != len(cases) {
			t.Fatalf("%d answers for %d queries", len(got), len(cases))
		}
		e := newExample(t)
		for i := range cases {
			g := decode(t, got[i])
			if want := decode(t, expected[i]); !reflect.DeepEqual(g, want) {
				t.Errorf("CLI case %d %s:\n got %v\nwant %v", i, cases[i], g, want)
			}
			if viaGo := answer(t, e, cases[i]); !reflect.DeepEqual(viaGo, g) {
				t.Errorf("Go and CLI differ on %s:\n  go %v\n cli %v", cases[i], viaGo, g)
			}
		}
	}
}
