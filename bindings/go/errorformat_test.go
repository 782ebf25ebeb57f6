package rolegate_test

// The one diagnostic format the CLI, Python and Go share, and its order.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// The unknown role stands before the unknown key in the file, though the
// library finds it later (semantic checks run after loading).
const orderedBundle = "{\"version\": 1,\n" +
	" \"assignments\": [{\"id\": \"a\", \"principal\": \"u\", \"role\": \"nope\", \"scope\": \"/x\"}],\n" +
	" \"actions\": [{\"name\": \"A/read\"}],\n" +
	" \"roles\": [{\"id\": \"r\", \"actions\": [\"B/*\"]}],\n" +
	" \"bogus\": 1}\n"

func TestDiagnosticFormat(t *testing.T) {
	w := rolegate.Diagnostic{Pointer: "/roles/0", Message: `role "r" is never assigned`, Line: 4, Column: 12,
		Severity: rolegate.SeverityWarning}
	if got, want := w.Format("b.json"), `b.json:4:12: warning: /roles/0: role "r" is never assigned`; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if got, want := w.String(), `4:12: warning: /roles/0: role "r" is never assigned`; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	e := rolegate.Diagnostic{Message: "too big"}
	if got, want := e.Format("b.json"), "b.json: (bundle): too big"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if got, want := e.String(), "(bundle): too big"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestControlCharactersAreEscaped(t *testing.T) {
	_, err := rolegate.NewEngine([]byte("{\"version\": 1, \"actions\": [], \"a\\nb\\u0007\": 1, \"\\u0085x\": 2}"))
	var be *rolegate.BundleError
	if !errors.As(err, &be) {
		t.Fatalf("NewEngine = %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[1], `/a\u000ab\u0007: unknown key "a\u000ab\u0007"`) ||
		!strings.Contains(lines[2], `/\u0085x: `) {
		t.Fatalf("message:\n%s", err)
	}
	if be.Errors()[0].Pointer != "/a\nb\a" {
		t.Errorf("the field lost its text: %q", be.Errors()[0].Pointer)
	}
}

func TestSortByPositionPutsPositionLessLast(t *testing.T) {
	in := []rolegate.Diagnostic{{Pointer: "/c"}, {Pointer: "/b", Line: 3, Column: 1},
		{Pointer: "/a", Line: 1, Column: 5}, {Pointer: "/d"}, {Pointer: "/a2", Line: 1, Column: 5}}
	var got []string
	for _, d := range rolegate.SortByPosition(in) {
		got = append(got, d.Pointer)
	}
	if want := []string{"/a", "/a2", "/b", "/c", "/d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
	if in[0].Pointer != "/c" {
		t.Fatal("SortByPosition changed its argument")
	}
}

func TestBundleErrorLinesAreSortedAndNameTheFile(t *testing.T) {
	_, err := rolegate.NewEngine([]byte(orderedBundle))
	var be *rolegate.BundleError
	if !errors.As(err, &be) {
		t.Fatalf("NewEngine = %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || lines[0] != "rolegate: bundle rejected: 2 errors" ||
		!strings.HasPrefix(lines[1], "2:") || !strings.Contains(lines[1], ": /assignments/0/role: ") ||
		!strings.HasPrefix(lines[2], "5:") || !strings.Contains(lines[2], ": /bogus: ") {
		t.Fatalf("message:\n%s", err)
	}
	path := filepath.Join(t.TempDir(), "ordered.json")
	if err := os.WriteFile(path, []byte(orderedBundle), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = rolegate.LoadFile(path)
	if !errors.As(err, &be) || be.File != path {
		t.Fatalf("LoadFile = %v", err)
	}
	for _, l := range strings.Split(err.Error(), "\n")[1:] {
		if !strings.HasPrefix(l, path+":") {
			t.Errorf("line %q does not start with the file", l)
		}
	}
	e := newExample(t)
	if err := e.PublishFile(path); !errors.As(err, &be) || be.File != path {
		t.Fatalf("PublishFile = %v", err)
	}
}

func TestBundleErrorLinesAreTheCLIs(t *testing.T) {
	cli := findCLI(t)
	if cli == "" {
		t.Skip("the rolegate CLI is not built (run ./build.sh or set ROLEGATE_CLI)")
	}
	path := filepath.Join(t.TempDir(), "ordered.json")
	if err := os.WriteFile(path, []byte(orderedBundle), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli, "validate", "--strict", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("validate accepted a bad bundle")
	}
	_, err := rolegate.LoadFile(path)
	var be *rolegate.BundleError
	if !errors.As(err, &be) {
		t.Fatalf("LoadFile = %v", err)
	}
	var want []string
	for _, d := range rolegate.SortByPosition(be.Diagnostics) {
		want = append(want, d.Format(path))
	}
	if got := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n"); !reflect.DeepEqual(got, want) {
		t.Fatalf("CLI printed\n%s\nGo formats\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
