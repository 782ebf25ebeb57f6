package rolegate_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

const (
	c1   = "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1"
	jobs = "Anyscale.Platform/clouds/projects/jobs/"
	pj   = "arn:aws:iam::123456789012:role/prod-jobs"
	def  = "arn:aws:iam::123456789012:role/anyscale-default"
	sec  = "arn:aws:secretsmanager:us-west-2:123456789012:secret:"
)

// repoDir is the repository root: ROLEGATE_SOURCE_DIR, or two levels up.
func repoDir(t testing.TB) string {
	if d := os.Getenv("ROLEGATE_SOURCE_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func examplePath(t testing.TB) string { return filepath.Join(repoDir(t), "examples", "anyscale.json") }

func exampleBytes(t testing.TB) []byte {
	b, err := os.ReadFile(examplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newExample(t testing.TB) *rolegate.Engine {
	t.Helper()
	e, err := rolegate.LoadFile(examplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// withoutAliceContrib is the example bundle minus alice's Contributor
// assignment on projects/prod: alice may then read jobs there but not write.
func withoutAliceContrib(t testing.TB) []byte {
	var b map[string]any
	if err := json.Unmarshal(exampleBytes(t), &b); err != nil {
		t.Fatal(err)
	}
	var keep []any
	for _, a := range b["assignments"].([]any) {
		if a.(map[string]any)["id"] != "a-contrib-alice" {
			keep = append(keep, a)
		}
	}
	b["assignments"] = keep
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// editedExample returns the example bundle after edit has changed it.
func editedExample(t testing.TB, edit func(b map[string]any)) []byte {
	var b map[string]any
	if err := json.Unmarshal(exampleBytes(t), &b); err != nil {
		t.Fatal(err)
	}
	edit(b)
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// findCLI is the rolegate program: ROLEGATE_CLI, or one in a usual build dir.
func findCLI(t testing.TB) string {
	if p := os.Getenv("ROLEGATE_CLI"); p != "" {
		return p
	}
	for _, d := range []string{"bindings/go/_build", "build", "build-bind", "build-go"} {
		p := filepath.Join(repoDir(t), d, "rolegate")
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath("rolegate"); err == nil {
		return p
	}
	return ""
}
