// Package rolegate is the Go binding of rolegate, an embeddable access-decision
// library: "may this principal do this action on this resource?", "which cloud
// identity does this workload run as?" and "may this HTTP request through?".
//
// The package is a thin layer over the library's C ABI (capi/rolegate.h): it
// adds no policy logic, so every answer is the library's. An [Engine] holds a
// compiled bundle; [Engine.Publish] swaps a new one in atomically while other
// goroutines keep checking. A [Snapshot] pins one bundle for a whole request
// or batch.
//
// The hot path allocates nothing: [Engine.Check] passes Go string data and
// lengths straight to C, and [Engine.CheckBatch] checks a reusable [Batch] into
// a caller-owned result slice in one cgo call.
//
// Lifetimes: call [Engine.Close] (and [Snapshot.Release]) when done; both are
// idempotent, and a cleanup frees what a program forgets. Close may overlap
// calls from other goroutines: it waits for the calls in flight, and calls
// after it return ErrClosed. Snapshots already acquired stay valid after Close.
package rolegate

/*
#include <stdint.h>
#include <stdlib.h>
#include "rolegate.h"

// Calls that take pointers to Go memory and never keep them nor call back into
// Go: so the compiler need not move the pointed-to values to the heap.
#cgo noescape rolegate_engine_check
#cgo nocallback rolegate_engine_check
#cgo noescape rolegate_snapshot_check
#cgo nocallback rolegate_snapshot_check
#cgo noescape rolegate_snapshot_check_ids
#cgo nocallback rolegate_snapshot_check_ids
#cgo noescape rolegate_snapshot_check_batch
#cgo nocallback rolegate_snapshot_check_batch
#cgo noescape rolegate_snapshot_explain
#cgo nocallback rolegate_snapshot_explain
#cgo noescape rolegate_snapshot_principal_id
#cgo nocallback rolegate_snapshot_principal_id
#cgo noescape rolegate_snapshot_action_id
#cgo nocallback rolegate_snapshot_action_id
#cgo noescape rolegate_engine_acquire
#cgo nocallback rolegate_engine_acquire
#cgo nocallback rolegate_snapshot_release
#cgo noescape rolegate_snapshot_check_request
#cgo nocallback rolegate_snapshot_check_request
#cgo noescape rg_resolve
#cgo nocallback rg_resolve
#cgo noescape rg_check_workload
#cgo nocallback rg_check_workload

// A string the library returned for a workload query: library memory (p), or,
// when it points into one of the query's own strings (which are Go memory and
// must not be stored in Go memory by C), which one (arg 1..5) and where.
typedef struct {
  const char* p;
  size_t len;
  int32_t arg;
  size_t off;
} rg_text;

typedef struct {
  int32_t error;
  rg_text identity;
  rg_text source;
} rg_resolution;

static void rg_classify(const rolegate_workload* w, const char* p, size_t len, rg_text* out) {
  const char* base[5] = {w->cloud, w->project, w->user, w->compute_config_identity,
                         w->node_group_identity};
  size_t blen[5] = {w->cloud_len, w->project_len, w->user_len, w->compute_config_identity_len,
                    w->node_group_identity_len};
  out->p = p;
  out->len = p ? len : 0;
  out->arg = 0;
  out->off = 0;
  if (!p) return;
  for (int i = 0; i < 5; i++) {
    uintptr_t b = (uintptr_t)base[i], q = (uintptr_t)p;
    if (base[i] && q >= b && q + len <= b + blen[i]) {
      out->p = NULL;
      out->arg = i + 1;
      out->off = (size_t)(q - b);
      return;
    }
  }
}

static void rg_workload(rolegate_workload* w, int32_t type, const char* cloud, size_t cloud_len,
                        const char* project, size_t project_len, const char* user, size_t user_len,
                        const char* cc, size_t cc_len, const char* ng, size_t ng_len) {
  rolegate_workload_init(w);
  w->workload_type = type;
  w->cloud = cloud;
  w->cloud_len = cloud_len;
  w->project = project;
  w->project_len = project_len;
  w->user = user;
  w->user_len = user_len;
  w->compute_config_identity = cc;
  w->compute_config_identity_len = cc_len;
  w->node_group_identity = ng;
  w->node_group_identity_len = ng_len;
}

static int32_t rg_resolve(const rolegate_snapshot* s, int32_t type, const char* cloud,
                          size_t cloud_len, const char* project, size_t project_len,
                          const char* user, size_t user_len, const char* cc, size_t cc_len,
                          const char* ng, size_t ng_len, rg_resolution* out) {
  rolegate_workload w;
  rolegate_resolution r = {0, NULL, 0, NULL, 0};
  rg_workload(&w, type, cloud, cloud_len, project, project_len, user, user_len, cc, cc_len, ng,
              ng_len);
  int32_t st = rolegate_snapshot_resolve(s, &w, &r);
  out->error = r.error;
  rg_classify(&w, r.identity, r.identity_len, &out->identity);
  rg_classify(&w, r.source, r.source_len, &out->source);
  return st;
}

static int32_t rg_check_workload(const rolegate_snapshot* s, int32_t type, const char* cloud,
                                 size_t cloud_len, const char* project, size_t project_len,
                                 const char* user, size_t user_len, const char* cc, size_t cc_len,
                                 const char* ng, size_t ng_len, const char* action,
                                 size_t action_len, const char* resource, size_t resource_len,
                                 rg_resolution* out, rolegate_explanation* x) {
  rolegate_workload w;
  rolegate_resolution r = {0, NULL, 0, NULL, 0};
  rg_workload(&w, type, cloud, cloud_len, project, project_len, user, user_len, cc, cc_len, ng,
              ng_len);
  int32_t st = rolegate_snapshot_check_workload(s, &w, action, action_len, resource, resource_len,
                                                &r, x);
  out->error = r.error;
  rg_classify(&w, r.identity, r.identity_len, &out->identity);
  rg_classify(&w, r.source, r.source_len, &out->source);
  return st;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"
)

func init() {
	lib := int32(C.rolegate_version_number())
	if lib/1000000 != int32(C.ROLEGATE_VERSION_MAJOR) {
		panic(fmt.Sprintf("rolegate: librolegate is version %d, this package was built against %d",
			lib, int32(C.ROLEGATE_VERSION_NUMBER)))
	}
	for i := range reasonNames {
		if p := C.rolegate_reason_name(C.int32_t(i)); p != nil {
			reasonNames[i] = C.GoString(p)
		}
	}
}

// HeaderVersion is the version number of the C header this package was built
// against (major*1000000 + minor*1000 + patch).
const HeaderVersion = int32(C.ROLEGATE_VERSION_NUMBER)

// LibraryVersion is the version number of the linked librolegate.
func LibraryVersion() int32 { return int32(C.rolegate_version_number()) }

// LibraryVersionString is the linked librolegate's version, such as "0.1.0".
func LibraryVersionString() string { return C.GoString(C.rolegate_version_string()) }

// ExampleBundle returns a copy of the built-in example bundle
// (examples/anyscale.json in the rolegate repository).
func ExampleBundle() []byte {
	var n C.size_t
	p := C.rolegate_example_bundle(&n)
	if p == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

// ---- Results -----------------------------------------------------------------

// Reason says why a decision came out as it did (SPEC §3, §7).
type Reason uint8

// The reasons, with the values of the C ABI's ROLEGATE_REASON_*.
const (
	ReasonGrant               Reason = 0
	ReasonStatement           Reason = 1
	ReasonDenyAssignment      Reason = 2
	ReasonDenyStatement       Reason = 3
	ReasonNoGrant             Reason = 4
	ReasonNotEffectiveAtScope Reason = 5
	ReasonUnknownAction       Reason = 6
	ReasonInvalidInput        Reason = 7
	ReasonNoRoute             Reason = 8
	ReasonBadPath             Reason = 9
	ReasonUnknownCloud        Reason = 10
	ReasonNoIdentity          Reason = 11
	// ReasonConditionNotMet: a grant or Allow statement matched only with a
	// condition that does not hold for the query's context.
	ReasonConditionNotMet Reason = 12
	// NumReasons is the number of reasons.
	NumReasons = 13
)

var reasonNames [NumReasons]string

// String returns the reason's name as the library spells it ("grant",
// "no_grant", ...).
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Decision is the answer to a check. Its layout is the C ABI's
// rolegate_decision, so a []Decision is filled by the library in place.
type Decision struct {
	Allowed bool
	Reason  Reason
}

// The layouts must agree exactly (a negative constant here fails to compile).
const (
	_ = uint(unsafe.Sizeof(Decision{}) - C.sizeof_rolegate_decision)
	_ = uint(C.sizeof_rolegate_decision - unsafe.Sizeof(Decision{}))
	_ = uint(unsafe.Offsetof(Decision{}.Reason) - 1)
	_ = uint(1 - unsafe.Offsetof(Decision{}.Reason))
)

// deny is the answer given alongside an error: any failure denies.
var deny = Decision{Allowed: false, Reason: ReasonInvalidInput}

func (d Decision) String() string {
	if d.Allowed {
		return "allow (" + d.Reason.String() + ")"
	}
	return "deny (" + d.Reason.String() + ")"
}

// RuleKind says what kind of rule decided (Explain).
type RuleKind uint8

// The rule kinds of the C ABI's rolegate_explanation.kind.
const (
	RuleNone           RuleKind = 0
	RuleAssignment     RuleKind = 1
	RuleDenyAssignment RuleKind = 2
	RuleStatement      RuleKind = 3
)

func (k RuleKind) String() string {
	switch k {
	case RuleNone:
		return "none"
	case RuleAssignment:
		return "assignment"
	case RuleDenyAssignment:
		return "deny_assignment"
	case RuleStatement:
		return "statement"
	}
	return fmt.Sprintf("RuleKind(%d)", uint8(k))
}

// Explanation is a Decision plus the id of the rule that decided it ("" when
// no single rule did, as for no_grant).
type Explanation struct {
	Decision
	Rule     string
	RuleKind RuleKind
}

func (x Explanation) String() string {
	if x.Rule == "" {
		return x.Decision.String()
	}
	return x.Decision.String() + " by " + x.Rule
}

// WorkloadType is the kind of workload a cloud identity is resolved for.
type WorkloadType int32

// The workload types of SPEC §4.
const (
	WorkloadJob       WorkloadType = 0
	WorkloadService   WorkloadType = 1
	WorkloadWorkspace WorkloadType = 2
)

func (t WorkloadType) String() string {
	switch t {
	case WorkloadJob:
		return "job"
	case WorkloadService:
		return "service"
	case WorkloadWorkspace:
		return "workspace"
	}
	return fmt.Sprintf("WorkloadType(%d)", int32(t))
}

// ParseWorkloadType maps "job", "service" and "workspace" to their type.
func ParseWorkloadType(s string) (WorkloadType, error) {
	switch s {
	case "job":
		return WorkloadJob, nil
	case "service":
		return WorkloadService, nil
	case "workspace":
		return WorkloadWorkspace, nil
	}
	return 0, &Error{Code: CodeInvalidArgument,
		Message: fmt.Sprintf("workload type must be job, service or workspace, not %q", s)}
}

// Workload describes a workload whose cloud identity is to be resolved. An
// empty override means none was given.
type Workload struct {
	Cloud                 string
	Type                  WorkloadType
	Project               string
	User                  string
	ComputeConfigIdentity string // compute-config identity override, "" for none
	NodeGroupIdentity     string // node-group identity override, "" for none
}

// IdentityError says why no identity resolved.
type IdentityError int32

// The outcomes of a resolution.
const (
	IdentityOK           IdentityError = 0
	IdentityUnknownCloud IdentityError = 1
	IdentityNoIdentity   IdentityError = 2
)

func (e IdentityError) String() string {
	switch e {
	case IdentityOK:
		return "ok"
	case IdentityUnknownCloud:
		return "unknown_cloud"
	case IdentityNoIdentity:
		return "no_identity"
	}
	return fmt.Sprintf("IdentityError(%d)", int32(e))
}

// Resolution is the identity a workload runs as and where it came from
// ("node_group", "compute_config", a mapping rule id, or "cloud_default"),
// or, when none resolves, Error says why and Identity and Source are "".
type Resolution struct {
	Identity string
	Source   string
	Error    IdentityError
}

// WorkloadDecision is CheckWorkload's answer: the check made for the
// resolved identity, and the resolution itself.
type WorkloadDecision struct {
	Explanation
	Resolution
}

func (d WorkloadDecision) String() string {
	if d.Resolution.Error != IdentityOK {
		return d.Explanation.String()
	}
	return d.Explanation.String() + " as " + d.Identity + " (" + d.Source + ")"
}

// RequestDecision is CheckRequest's answer: the check made for the route's
// action and scope, the route id, action and scope ("" where the request did
// not get that far).
type RequestDecision struct {
	Explanation
	Route    string
	Action   string
	Resource string
}

func (d RequestDecision) String() string {
	if d.Route == "" {
		return d.Explanation.String()
	}
	return d.Explanation.String() + " via route " + d.Route
}

// ---- Errors ------------------------------------------------------------------

// Code is a C ABI status code (ROLEGATE_E_*).
type Code int32

// The status codes.
const (
	CodeOK              Code = 0
	CodeInvalidArgument Code = -1
	CodeBundle          Code = -2
	CodeIO              Code = -3
	CodeNotFound        Code = -4
	CodeNoMemory        Code = -5
	CodeInternal        Code = -6
)

func (c Code) String() string {
	switch c {
	case CodeOK:
		return "ok"
	case CodeInvalidArgument:
		return "invalid argument"
	case CodeBundle:
		return "bundle does not compile"
	case CodeIO:
		return "i/o error"
	case CodeNotFound:
		return "not found"
	case CodeNoMemory:
		return "out of memory"
	case CodeInternal:
		return "internal error"
	}
	return fmt.Sprintf("Code(%d)", int32(c))
}

// Error is a failed call into the library.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "rolegate: " + e.Code.String()
	}
	return "rolegate: " + e.Message
}

// Is reports whether target is an *Error with the same code, so
// errors.Is(err, &rolegate.Error{Code: rolegate.CodeIO}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// ErrClosed is returned by calls on a closed Engine.
var ErrClosed = &Error{Code: CodeInvalidArgument, Message: "engine is closed"}

// ErrReleased is returned by calls on a released Snapshot.
var ErrReleased = &Error{Code: CodeInvalidArgument, Message: "snapshot is released"}

// Severity of a compile diagnostic.
type Severity int32

// The severities.
const (
	SeverityError   Severity = 0
	SeverityWarning Severity = 1
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one compile error or warning: where (a JSON pointer such as
// "/roles/3/id", "" for the whole bundle; line and column, 1-based, when the
// parser knows them, else 0) and why.
type Diagnostic struct {
	Pointer  string
	Message  string
	Line     uint32
	Column   uint32
	Severity Severity
}

// Format renders d as one line, in the format `rolegate validate` and the
// Python binding print too:
//
//	FILE:LINE:COL: POINTER: MESSAGE
//	FILE:LINE:COL: warning: POINTER: MESSAGE
//
// "FILE:" is left out when file is "", "LINE:COL:" when the position is
// unknown; the whole bundle's pointer is shown as "(bundle)", and control
// characters as \u00XX.
func (d Diagnostic) Format(file string) string {
	var b strings.Builder
	if file != "" {
		writePrintable(&b, file)
		b.WriteByte(':')
	}
	if d.Line != 0 {
		fmt.Fprintf(&b, "%d:%d:", d.Line, d.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if d.Pointer == "" {
		b.WriteString("(bundle)")
	} else {
		writePrintable(&b, d.Pointer)
	}
	b.WriteString(": ")
	writePrintable(&b, d.Message)
	return b.String()
}

// writePrintable writes s with each control character (U+0000-U+001F,
// U+007F-U+009F) as \u00XX: a bundle's keys reach pointers and messages
// verbatim, and a newline in one would split a diagnostic line in two. The
// CLI and the Python binding escape the same way.
// Bytes, not runes, so bytes that are not UTF-8 pass through as the CLI's do.
func writePrintable(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0xC2 && i+1 < len(s) && s[i+1]&0xE0 == 0x80 { // U+0080-U+009F
			i++
			c = s[i]
		} else if c >= 0x20 && c != 0x7F {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(b, "\\u%04x", c)
	}
}

// String is Format with no file: "LINE:COL: POINTER: MESSAGE".
func (d Diagnostic) String() string { return d.Format("") }

// SortByPosition returns the diagnostics sorted by (line, column), those
// without a position last; stable, so equal positions keep the library's
// order. This is the order of BundleError's message and of the CLI.
func SortByPosition(ds []Diagnostic) []Diagnostic {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		if a.Line != b.Line {
			return int(a.Line) - int(b.Line)
		}
		return int(a.Column) - int(b.Column)
	})
	return out
}

// BundleError is returned when a bundle does not compile. Error() is a line
// "rolegate: bundle rejected: N errors", then one line per error in
// Diagnostic.Format form with File, sorted by position (SortByPosition).
// Diagnostics holds every diagnostic (errors and any warnings) in the
// library's order. The bundle in service, if any, stays in service.
type BundleError struct {
	Message     string // the library's own message
	File        string // the bundle file, when it came from one (LoadFile, PublishFile)
	Diagnostics []Diagnostic
}

// Errors returns the diagnostics of severity error.
func (e *BundleError) Errors() []Diagnostic { return e.filter(SeverityError) }

// Warnings returns the diagnostics of severity warning.
func (e *BundleError) Warnings() []Diagnostic { return e.filter(SeverityWarning) }

func (e *BundleError) filter(s Severity) []Diagnostic {
	var out []Diagnostic
	for _, d := range e.Diagnostics {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

func (e *BundleError) Error() string {
	errs := e.Errors()
	if len(errs) == 0 {
		return "rolegate: bundle rejected: " + e.Message
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rolegate: bundle rejected: %d error", len(errs))
	if len(errs) != 1 {
		b.WriteString("s")
	}
	// No indent: each line stands as the CLI prints it, FILE:LINE:COL: first,
	// which editors and grep understand.
	for _, d := range SortByPosition(errs) {
		b.WriteString("\n")
		b.WriteString(d.Format(e.File))
	}
	return b.String()
}

// withFile names the bundle file in a *BundleError; other errors pass through.
func withFile(err error, path string) error {
	if be, ok := err.(*BundleError); ok {
		be.File = path
	}
	return err
}

// Is makes errors.Is(err, &rolegate.Error{Code: rolegate.CodeBundle}) true.
func (e *BundleError) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == CodeBundle && t.Message == ""
}

// errorFrom turns a non-OK status into an error, consuming err.
func errorFrom(st C.int32_t, err *C.rolegate_error) error {
	defer C.rolegate_error_free(err)
	msg := ""
	if err != nil {
		msg = C.GoString(C.rolegate_error_message(err))
	}
	if Code(st) != CodeBundle {
		return &Error{Code: Code(st), Message: msg}
	}
	be := &BundleError{Message: msg}
	if err != nil {
		n := int(C.rolegate_error_diagnostic_count(err))
		be.Diagnostics = make([]Diagnostic, n)
		for i := 0; i < n; i++ {
			ci := C.size_t(i)
			be.Diagnostics[i] = Diagnostic{
				Pointer:  cString(C.rolegate_error_diagnostic_pointer(err, ci)),
				Message:  cString(C.rolegate_error_diagnostic_message(err, ci)),
				Line:     uint32(C.rolegate_error_diagnostic_line(err, ci)),
				Column:   uint32(C.rolegate_error_diagnostic_column(err, ci)),
				Severity: Severity(C.rolegate_error_diagnostic_severity(err, ci)),
			}
		}
	}
	return be
}

func statusError(st C.int32_t) error { return errorFrom(st, nil) }

func cString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// ---- Passing strings ---------------------------------------------------------

// cstr passes a Go string's bytes to C without copying (the C ABI takes a
// pointer and a length and never keeps either).
func cstr(s string) *C.char { return (*C.char)(unsafe.Pointer(unsafe.StringData(s))) }

func cbytes(b []byte) *C.char { return (*C.char)(unsafe.Pointer(unsafe.SliceData(b))) }

func goString(p *C.char, n C.size_t) string {
	if p == nil || n == 0 {
		return ""
	}
	return C.GoStringN(p, C.int(n))
}

// Every constant above equals its C ABI counterpart: each index below is 0
// exactly when they agree, and anything else fails to compile.
var (
	_ = [1]struct{}{}[ReasonGrant-C.ROLEGATE_REASON_GRANT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_GRANT-ReasonGrant]
	_ = [1]struct{}{}[ReasonStatement-C.ROLEGATE_REASON_STATEMENT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_STATEMENT-ReasonStatement]
	_ = [1]struct{}{}[ReasonDenyAssignment-C.ROLEGATE_REASON_DENY_ASSIGNMENT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_DENY_ASSIGNMENT-ReasonDenyAssignment]
	_ = [1]struct{}{}[ReasonDenyStatement-C.ROLEGATE_REASON_DENY_STATEMENT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_DENY_STATEMENT-ReasonDenyStatement]
	_ = [1]struct{}{}[ReasonNoGrant-C.ROLEGATE_REASON_NO_GRANT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_NO_GRANT-ReasonNoGrant]
	_ = [1]struct{}{}[ReasonNotEffectiveAtScope-C.ROLEGATE_REASON_NOT_EFFECTIVE_AT_SCOPE]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_NOT_EFFECTIVE_AT_SCOPE-ReasonNotEffectiveAtScope]
	_ = [1]struct{}{}[ReasonUnknownAction-C.ROLEGATE_REASON_UNKNOWN_ACTION]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_UNKNOWN_ACTION-ReasonUnknownAction]
	_ = [1]struct{}{}[ReasonInvalidInput-C.ROLEGATE_REASON_INVALID_INPUT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_INVALID_INPUT-ReasonInvalidInput]
	_ = [1]struct{}{}[ReasonNoRoute-C.ROLEGATE_REASON_NO_ROUTE]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_NO_ROUTE-ReasonNoRoute]
	_ = [1]struct{}{}[ReasonBadPath-C.ROLEGATE_REASON_BAD_PATH]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_BAD_PATH-ReasonBadPath]
	_ = [1]struct{}{}[ReasonUnknownCloud-C.ROLEGATE_REASON_UNKNOWN_CLOUD]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_UNKNOWN_CLOUD-ReasonUnknownCloud]
	_ = [1]struct{}{}[ReasonNoIdentity-C.ROLEGATE_REASON_NO_IDENTITY]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_NO_IDENTITY-ReasonNoIdentity]
	_ = [1]struct{}{}[ReasonConditionNotMet-C.ROLEGATE_REASON_CONDITION_NOT_MET]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_CONDITION_NOT_MET-ReasonConditionNotMet]
	_ = [1]struct{}{}[NumReasons-C.ROLEGATE_REASON_COUNT]
	_ = [1]struct{}{}[C.ROLEGATE_REASON_COUNT-NumReasons]
	_ = [1]struct{}{}[WorkloadJob-C.ROLEGATE_WORKLOAD_JOB]
	_ = [1]struct{}{}[C.ROLEGATE_WORKLOAD_JOB-WorkloadJob]
	_ = [1]struct{}{}[WorkloadService-C.ROLEGATE_WORKLOAD_SERVICE]
	_ = [1]struct{}{}[C.ROLEGATE_WORKLOAD_SERVICE-WorkloadService]
	_ = [1]struct{}{}[WorkloadWorkspace-C.ROLEGATE_WORKLOAD_WORKSPACE]
	_ = [1]struct{}{}[C.ROLEGATE_WORKLOAD_WORKSPACE-WorkloadWorkspace]
	_ = [1]struct{}{}[IdentityOK-C.ROLEGATE_IDENTITY_OK]
	_ = [1]struct{}{}[C.ROLEGATE_IDENTITY_OK-IdentityOK]
	_ = [1]struct{}{}[IdentityUnknownCloud-C.ROLEGATE_IDENTITY_UNKNOWN_CLOUD]
	_ = [1]struct{}{}[C.ROLEGATE_IDENTITY_UNKNOWN_CLOUD-IdentityUnknownCloud]
	_ = [1]struct{}{}[IdentityNoIdentity-C.ROLEGATE_IDENTITY_NO_IDENTITY]
	_ = [1]struct{}{}[C.ROLEGATE_IDENTITY_NO_IDENTITY-IdentityNoIdentity]
	_ = [1]struct{}{}[CodeOK-C.ROLEGATE_OK]
	_ = [1]struct{}{}[C.ROLEGATE_OK-CodeOK]
	_ = [1]struct{}{}[CodeInvalidArgument-C.ROLEGATE_E_INVALID_ARGUMENT]
	_ = [1]struct{}{}[C.ROLEGATE_E_INVALID_ARGUMENT-CodeInvalidArgument]
	_ = [1]struct{}{}[CodeBundle-C.ROLEGATE_E_BUNDLE]
	_ = [1]struct{}{}[C.ROLEGATE_E_BUNDLE-CodeBundle]
	_ = [1]struct{}{}[CodeIO-C.ROLEGATE_E_IO]
	_ = [1]struct{}{}[C.ROLEGATE_E_IO-CodeIO]
	_ = [1]struct{}{}[CodeNotFound-C.ROLEGATE_E_NOT_FOUND]
	_ = [1]struct{}{}[C.ROLEGATE_E_NOT_FOUND-CodeNotFound]
	_ = [1]struct{}{}[CodeNoMemory-C.ROLEGATE_E_NO_MEMORY]
	_ = [1]struct{}{}[C.ROLEGATE_E_NO_MEMORY-CodeNoMemory]
	_ = [1]struct{}{}[CodeInternal-C.ROLEGATE_E_INTERNAL]
	_ = [1]struct{}{}[C.ROLEGATE_E_INTERNAL-CodeInternal]
	_ = [1]struct{}{}[UnknownPrincipal-C.ROLEGATE_UNKNOWN_PRINCIPAL]
	_ = [1]struct{}{}[C.ROLEGATE_UNKNOWN_PRINCIPAL-UnknownPrincipal]
	_ = [1]struct{}{}[UnknownAction-C.ROLEGATE_UNKNOWN_ACTION]
	_ = [1]struct{}{}[C.ROLEGATE_UNKNOWN_ACTION-UnknownAction]
)

// ---- Options -----------------------------------------------------------------

// Limits are the compile limits of SPEC §6; a zero field means the library's
// default.
type Limits struct {
	MaxStringBytes       uint32
	MaxBundleBytes       uint64
	MaxListEntries       uint64
	MaxScopeSegments     uint32
	MaxGroupDepth        uint32
	MaxRoutes            uint32
	MaxRegexProgramBytes int64
}

// Option configures NewEngine and LoadFile.
type Option func(*config)

type config struct {
	limits *Limits
}

// WithLimits sets compile limits.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = &l } }

// options returns the C options for opts, or nil for the defaults.
func options(opts []Option) *C.rolegate_options {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.limits == nil {
		return nil
	}
	o := new(C.rolegate_options)
	C.rolegate_options_init(o)
	l := c.limits
	o.max_string_bytes = C.uint32_t(l.MaxStringBytes)
	o.max_bundle_bytes = C.uint64_t(l.MaxBundleBytes)
	o.max_list_entries = C.uint64_t(l.MaxListEntries)
	o.max_scope_segments = C.uint32_t(l.MaxScopeSegments)
	o.max_group_depth = C.uint32_t(l.MaxGroupDepth)
	o.max_routes = C.uint32_t(l.MaxRoutes)
	o.max_regex_program_bytes = C.int64_t(l.MaxRegexProgramBytes)
	return o
}

// ---- Engine ------------------------------------------------------------------

// Engine holds the bundle in service. Its methods may be called from any
// number of goroutines at once, Publish and Close included. An Engine must not
// be copied after first use (go vet's copylocks check flags copies).
type Engine struct {
	_ noCopy
	// state is the in-flight call count (low bits) plus engineClosed. Every
	// call enters (one atomic add: no lock, no allocation) and leaves; Close
	// sets engineClosed and frees the handle once the count drains to zero, so
	// no call can run on freed memory. The cost is one shared cache line per
	// call, a few ns under contention: cheaper than the cgo call it guards.
	state   atomic.Int64
	drained chan struct{} // a token when the count reaches zero after Close
	h       *C.rolegate_engine
	cleanup runtime.Cleanup
}

const engineClosed = int64(1) << 62

// noCopy makes go vet's copylocks check flag copies of the struct holding it.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// enter starts a call; the handle it returns stays valid until leave. It
// returns nil (and needs no leave) once Close has begun.
func (e *Engine) enter() *C.rolegate_engine {
	if e.state.Add(1)&engineClosed != 0 {
		e.leave()
		return nil
	}
	return e.h
}

// leave ends a call begun by a successful or failed enter.
func (e *Engine) leave() {
	if e.state.Add(-1) == engineClosed {
		select { // the last call out after Close wakes it; one token is enough
		case e.drained <- struct{}{}:
		default:
		}
	}
}

func newEngine(h *C.rolegate_engine) *Engine {
	e := &Engine{h: h, drained: make(chan struct{}, 1)}
	e.cleanup = runtime.AddCleanup(e, func(h *C.rolegate_engine) { C.rolegate_engine_free(h) }, h)
	return e
}

// NewEngine compiles bundle (JSON, SPEC §2) and returns an engine serving it.
// A bundle that does not compile returns a *BundleError listing every error.
func NewEngine(bundle []byte, opts ...Option) (*Engine, error) {
	o := options(opts)
	var h *C.rolegate_engine
	var err *C.rolegate_error
	st := C.rolegate_engine_new(o, cbytes(bundle), C.size_t(len(bundle)), &h, &err)
	runtime.KeepAlive(bundle)
	if st != C.ROLEGATE_OK {
		if h != nil {
			C.rolegate_engine_free(h)
		}
		return nil, errorFrom(st, err)
	}
	C.rolegate_error_free(err)
	if h == nil {
		return nil, statusError(C.ROLEGATE_E_INTERNAL)
	}
	return newEngine(h), nil
}

// LoadFile compiles the bundle in the file at path. A file that cannot be
// read returns an *Error with Code CodeIO.
func LoadFile(path string, opts ...Option) (*Engine, error) {
	o := options(opts)
	var h *C.rolegate_engine
	var err *C.rolegate_error
	st := C.rolegate_engine_new_from_file(o, cstr(path), C.size_t(len(path)), &h, &err)
	runtime.KeepAlive(path)
	if st != C.ROLEGATE_OK {
		if h != nil {
			C.rolegate_engine_free(h)
		}
		return nil, withFile(errorFrom(st, err), path)
	}
	C.rolegate_error_free(err)
	if h == nil {
		return nil, statusError(C.ROLEGATE_E_INTERNAL)
	}
	return newEngine(h), nil
}

// Close frees the engine. It waits for calls in flight on other goroutines to
// return (it must not be called from inside one); calls that start after it
// return ErrClosed. It is idempotent: a second Close returns at once, possibly
// before the first has finished waiting. Snapshots already acquired stay valid
// until released.
func (e *Engine) Close() error {
	for {
		s := e.state.Load()
		if s&engineClosed != 0 {
			return nil
		}
		if e.state.CompareAndSwap(s, s|engineClosed) {
			break
		}
	}
	for e.state.Load() != engineClosed {
		<-e.drained
	}
	e.cleanup.Stop()
	C.rolegate_engine_free(e.h)
	return nil
}

// Publish compiles bundle and puts it in service atomically: checks running
// meanwhile finish on the bundle they started with. On error (a
// *BundleError) the bundle in service stays in service.
func (e *Engine) Publish(bundle []byte) error {
	h := e.enter()
	if h == nil {
		return ErrClosed
	}
	defer e.leave()
	var err *C.rolegate_error
	st := C.rolegate_engine_publish(h, cbytes(bundle), C.size_t(len(bundle)), &err)
	runtime.KeepAlive(bundle)
	if st != C.ROLEGATE_OK {
		return errorFrom(st, err)
	}
	C.rolegate_error_free(err)
	return nil
}

// PublishFile is Publish with the bundle read from a file.
func (e *Engine) PublishFile(path string) error {
	h := e.enter()
	if h == nil {
		return ErrClosed
	}
	defer e.leave()
	var err *C.rolegate_error
	st := C.rolegate_engine_publish_file(h, cstr(path), C.size_t(len(path)), &err)
	runtime.KeepAlive(path)
	if st != C.ROLEGATE_OK {
		return withFile(errorFrom(st, err), path)
	}
	C.rolegate_error_free(err)
	return nil
}

// Generation is the number of bundles published so far (1 after NewEngine);
// 0 for a closed engine.
func (e *Engine) Generation() uint64 {
	h := e.enter()
	if h == nil {
		return 0
	}
	defer e.leave()
	g := uint64(C.rolegate_engine_generation(h))
	return g
}

// Check answers "may principal do action on resource?" on the bundle in
// service (SPEC §3). A deny is a Decision, not an error; an error (only for a
// closed engine or a library failure) comes with a deny.
func (e *Engine) Check(principal, action, resource string) (Decision, error) {
	h := e.enter()
	if h == nil {
		return deny, ErrClosed
	}
	defer e.leave()
	var d Decision
	st := C.rolegate_engine_check(h, cstr(principal), C.size_t(len(principal)), cstr(action),
		C.size_t(len(action)), cstr(resource), C.size_t(len(resource)),
		(*C.rolegate_decision)(unsafe.Pointer(&d)))
	if st != C.ROLEGATE_OK {
		return deny, statusError(st)
	}
	return d, nil
}

// acquire pins the bundle in service for one engine-level call.
func (e *Engine) acquire() (*C.rolegate_snapshot, error) {
	h := e.enter()
	if h == nil {
		return nil, ErrClosed
	}
	defer e.leave()
	var s *C.rolegate_snapshot
	st := C.rolegate_engine_acquire(h, &s)
	if st != C.ROLEGATE_OK || s == nil {
		if st == C.ROLEGATE_OK {
			st = C.ROLEGATE_E_INTERNAL
		}
		return nil, statusError(st)
	}
	return s, nil
}

// Explain is Check plus the id of the deciding rule (SPEC §3, Explain).
func (e *Engine) Explain(principal, action, resource string) (Explanation, error) {
	s, err := e.acquire()
	if err != nil {
		return Explanation{Decision: deny}, err
	}
	defer C.rolegate_snapshot_release(s)
	return explainOn(s, principal, action, resource)
}

// Resolve returns the cloud identity a workload runs as (SPEC §4).
func (e *Engine) Resolve(w Workload) (Resolution, error) {
	s, err := e.acquire()
	if err != nil {
		return Resolution{}, err
	}
	defer C.rolegate_snapshot_release(s)
	return resolveOn(s, &w)
}

// CheckWorkload resolves the workload's identity and checks it (SPEC §4).
func (e *Engine) CheckWorkload(w Workload, action, resource string) (WorkloadDecision, error) {
	s, err := e.acquire()
	if err != nil {
		return WorkloadDecision{Explanation: Explanation{Decision: deny}}, err
	}
	defer C.rolegate_snapshot_release(s)
	return checkWorkloadOn(s, &w, action, resource)
}

// CheckRequest answers "may principal send this HTTP request through the
// gateway?" (SPEC §5). target is the request target; anything from the first
// '?' or '#' on is ignored.
func (e *Engine) CheckRequest(principal, method, target string) (RequestDecision, error) {
	s, err := e.acquire()
	if err != nil {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, err
	}
	defer C.rolegate_snapshot_release(s)
	return checkRequestOn(s, principal, method, target)
}

// CheckBatch checks every query of b, all on one bundle, in one cgo call, and
// returns the decisions in order in out[:b.Len()]. When out is too small a
// new slice is allocated; pass a reused slice to allocate nothing.
func (e *Engine) CheckBatch(b *Batch, out []Decision) ([]Decision, error) {
	s, err := e.acquire()
	if err != nil {
		return out[:0], err
	}
	out, err = checkBatchOn(s, b, out)
	C.rolegate_snapshot_release(s)
	return out, err
}

// Acquire pins the bundle in service: every query through the Snapshot sees
// it, whatever is published meanwhile. Release the Snapshot when done.
func (e *Engine) Acquire() (*Snapshot, error) {
	h := e.enter()
	if h == nil {
		return nil, ErrClosed
	}
	defer e.leave()
	gen := uint64(C.rolegate_engine_generation(h))
	var s *C.rolegate_snapshot
	if st := C.rolegate_engine_acquire(h, &s); st != C.ROLEGATE_OK || s == nil {
		if st == C.ROLEGATE_OK {
			st = C.ROLEGATE_E_INTERNAL
		}
		return nil, statusError(st)
	}
	snap := &Snapshot{h: unsafe.Pointer(s), generation: gen}
	snap.cleanup = runtime.AddCleanup(snap, func(s *C.rolegate_snapshot) { C.rolegate_snapshot_release(s) }, s)
	return snap, nil
}

// ---- Snapshot ----------------------------------------------------------------

// Snapshot is one bundle pinned. It is immutable and may be shared by
// goroutines; Release must not overlap other calls on it.
type Snapshot struct {
	h          unsafe.Pointer // *C.rolegate_snapshot, nil once released; accessed atomically
	cleanup    runtime.Cleanup
	generation uint64
}

func (s *Snapshot) handle() *C.rolegate_snapshot {
	return (*C.rolegate_snapshot)(atomic.LoadPointer(&s.h))
}

// Release unpins the bundle. It is idempotent; later calls return ErrReleased.
func (s *Snapshot) Release() {
	h := atomic.SwapPointer(&s.h, nil)
	if h == nil {
		return
	}
	s.cleanup.Stop()
	C.rolegate_snapshot_release((*C.rolegate_snapshot)(h))
}

// Generation is the engine's generation when the snapshot was acquired (a
// publish racing with Acquire may make the snapshot newer than this).
func (s *Snapshot) Generation() uint64 { return s.generation }

// Check is Engine.Check on the pinned bundle.
func (s *Snapshot) Check(principal, action, resource string) (Decision, error) {
	h := s.handle()
	if h == nil {
		return deny, ErrReleased
	}
	var d Decision
	st := C.rolegate_snapshot_check(h, cstr(principal), C.size_t(len(principal)), cstr(action),
		C.size_t(len(action)), cstr(resource), C.size_t(len(resource)),
		(*C.rolegate_decision)(unsafe.Pointer(&d)))
	runtime.KeepAlive(s)
	if st != C.ROLEGATE_OK {
		return deny, statusError(st)
	}
	return d, nil
}

// Explain is Engine.Explain on the pinned bundle.
func (s *Snapshot) Explain(principal, action, resource string) (Explanation, error) {
	h := s.handle()
	if h == nil {
		return Explanation{Decision: deny}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return explainOn(h, principal, action, resource)
}

// Resolve is Engine.Resolve on the pinned bundle.
func (s *Snapshot) Resolve(w Workload) (Resolution, error) {
	h := s.handle()
	if h == nil {
		return Resolution{}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return resolveOn(h, &w)
}

// CheckWorkload is Engine.CheckWorkload on the pinned bundle.
func (s *Snapshot) CheckWorkload(w Workload, action, resource string) (WorkloadDecision, error) {
	h := s.handle()
	if h == nil {
		return WorkloadDecision{Explanation: Explanation{Decision: deny}}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return checkWorkloadOn(h, &w, action, resource)
}

// CheckRequest is Engine.CheckRequest on the pinned bundle.
func (s *Snapshot) CheckRequest(principal, method, target string) (RequestDecision, error) {
	h := s.handle()
	if h == nil {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return checkRequestOn(h, principal, method, target)
}

// CheckBatch is Engine.CheckBatch on the pinned bundle.
func (s *Snapshot) CheckBatch(b *Batch, out []Decision) ([]Decision, error) {
	h := s.handle()
	if h == nil {
		return out[:0], ErrReleased
	}
	out, err := checkBatchOn(h, b, out)
	runtime.KeepAlive(s)
	return out, err
}

// UnknownPrincipal is the id of a principal the bundle never names: it holds
// nothing, yet still meets deny assignments to everyone.
const UnknownPrincipal uint32 = 0xFFFFFFFF

// UnknownAction is the id of an action outside the catalog: checks with it
// answer unknown_action.
const UnknownAction uint32 = 0xFFFFFFFF

// PrincipalID resolves a principal to its id in this snapshot, for CheckIDs.
// A principal the bundle never names gets UnknownPrincipal; an empty one is
// an error.
func (s *Snapshot) PrincipalID(principal string) (uint32, error) {
	h := s.handle()
	if h == nil {
		return UnknownPrincipal, ErrReleased
	}
	var id C.uint32_t
	st := C.rolegate_snapshot_principal_id(h, cstr(principal), C.size_t(len(principal)), &id)
	runtime.KeepAlive(s)
	if st != C.ROLEGATE_OK {
		return UnknownPrincipal, statusError(st)
	}
	return uint32(id), nil
}

// ActionID resolves a catalog action to its id in this snapshot. An action
// outside the catalog returns UnknownAction and an *Error with CodeNotFound.
func (s *Snapshot) ActionID(action string) (uint32, error) {
	h := s.handle()
	if h == nil {
		return UnknownAction, ErrReleased
	}
	id := C.uint32_t(C.ROLEGATE_UNKNOWN_ACTION)
	st := C.rolegate_snapshot_action_id(h, cstr(action), C.size_t(len(action)), &id)
	runtime.KeepAlive(s)
	if st != C.ROLEGATE_OK {
		return UnknownAction, statusError(st)
	}
	return uint32(id), nil
}

// CheckIDs is Check with the principal and action given by their ids in this
// snapshot (the fast path for hot loops over few principals and actions).
func (s *Snapshot) CheckIDs(principalID, actionID uint32, resource string) (Decision, error) {
	h := s.handle()
	if h == nil {
		return deny, ErrReleased
	}
	var d Decision
	st := C.rolegate_snapshot_check_ids(h, C.uint32_t(principalID), C.uint32_t(actionID),
		cstr(resource), C.size_t(len(resource)), (*C.rolegate_decision)(unsafe.Pointer(&d)))
	runtime.KeepAlive(s)
	if st != C.ROLEGATE_OK {
		return deny, statusError(st)
	}
	return d, nil
}

// ---- Query bodies shared by Engine and Snapshot ----------------------------------

func explanationFrom(x *C.rolegate_explanation) Explanation {
	return Explanation{
		Decision: Decision{Allowed: x.decision.allowed != 0, Reason: Reason(x.decision.reason)},
		Rule:     goString(x.rule, x.rule_len),
		RuleKind: RuleKind(x.kind),
	}
}

func explainOn(s *C.rolegate_snapshot, principal, action, resource string) (Explanation, error) {
	var x C.rolegate_explanation
	st := C.rolegate_snapshot_explain(s, cstr(principal), C.size_t(len(principal)), cstr(action),
		C.size_t(len(action)), cstr(resource), C.size_t(len(resource)), &x)
	if st != C.ROLEGATE_OK {
		return Explanation{Decision: deny}, statusError(st)
	}
	return explanationFrom(&x), nil
}

// text turns a string the library returned for a workload query into a Go
// string (a slice of the query's own string when it points into one).
func (w *Workload) text(t *C.rg_text) string {
	var src string
	switch t.arg {
	case 0:
		return goString(t.p, t.len)
	case 1:
		src = w.Cloud
	case 2:
		src = w.Project
	case 3:
		src = w.User
	case 4:
		src = w.ComputeConfigIdentity
	case 5:
		src = w.NodeGroupIdentity
	}
	off, n := int(t.off), int(t.len)
	if off < 0 || n < 0 || off+n > len(src) {
		return ""
	}
	return src[off : off+n]
}

func resolutionFrom(w *Workload, r *C.rg_resolution) Resolution {
	return Resolution{Identity: w.text(&r.identity), Source: w.text(&r.source), Error: IdentityError(r.error)}
}

func resolveOn(s *C.rolegate_snapshot, w *Workload) (Resolution, error) {
	var r C.rg_resolution
	st := C.rg_resolve(s, C.int32_t(w.Type), cstr(w.Cloud), C.size_t(len(w.Cloud)), cstr(w.Project),
		C.size_t(len(w.Project)), cstr(w.User), C.size_t(len(w.User)), cstr(w.ComputeConfigIdentity),
		C.size_t(len(w.ComputeConfigIdentity)), cstr(w.NodeGroupIdentity),
		C.size_t(len(w.NodeGroupIdentity)), &r)
	if st != C.ROLEGATE_OK {
		return Resolution{}, statusError(st)
	}
	return resolutionFrom(w, &r), nil
}

func checkWorkloadOn(s *C.rolegate_snapshot, w *Workload, action, resource string) (WorkloadDecision, error) {
	var r C.rg_resolution
	var x C.rolegate_explanation
	st := C.rg_check_workload(s, C.int32_t(w.Type), cstr(w.Cloud), C.size_t(len(w.Cloud)),
		cstr(w.Project), C.size_t(len(w.Project)), cstr(w.User), C.size_t(len(w.User)),
		cstr(w.ComputeConfigIdentity), C.size_t(len(w.ComputeConfigIdentity)),
		cstr(w.NodeGroupIdentity), C.size_t(len(w.NodeGroupIdentity)), cstr(action),
		C.size_t(len(action)), cstr(resource), C.size_t(len(resource)), &r, &x)
	if st != C.ROLEGATE_OK {
		return WorkloadDecision{Explanation: Explanation{Decision: deny}}, statusError(st)
	}
	return WorkloadDecision{Explanation: explanationFrom(&x), Resolution: resolutionFrom(w, &r)}, nil
}

// resourceCap is the scope buffer for CheckRequest ("4096 always suffices").
const resourceCap = 4096 + 8

func checkRequestOn(s *C.rolegate_snapshot, principal, method, target string) (RequestDecision, error) {
	var buf [resourceCap]byte
	var out C.rolegate_request_result
	st := C.rolegate_snapshot_check_request(s, cstr(principal), C.size_t(len(principal)), cstr(method),
		C.size_t(len(method)), cstr(target), C.size_t(len(target)), (*C.char)(unsafe.Pointer(&buf[0])),
		C.size_t(len(buf)), &out)
	if st != C.ROLEGATE_OK {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, statusError(st)
	}
	n := int(out.resource_len)
	if n > len(buf) {
		n = 0
	}
	return RequestDecision{
		Explanation: explanationFrom(&out.check),
		Route:       goString(out.route, out.route_len),
		Action:      goString(out.action, out.action_len),
		Resource:    string(buf[:n]),
	}, nil
}

func checkBatchOn(s *C.rolegate_snapshot, b *Batch, out []Decision) ([]Decision, error) {
	n := b.Len()
	if n == 0 {
		return out[:0], nil
	}
	if cap(out) < n {
		out = make([]Decision, n)
	}
	out = out[:n]
	st := C.rolegate_snapshot_check_batch(s, cbytes(b.buf), C.size_t(len(b.buf)),
		(*C.uint64_t)(unsafe.Pointer(&b.offsets[0])), C.size_t(n),
		(*C.rolegate_decision)(unsafe.Pointer(&out[0])))
	runtime.KeepAlive(b)
	if st != C.ROLEGATE_OK {
		for i := range out {
			out[i] = deny
		}
		return out, statusError(st)
	}
	return out, nil
}

// ---- Batch -------------------------------------------------------------------

// Batch is a reusable list of check queries packed into one buffer, the form
// the library's batch call takes. The zero Batch is empty and ready to use;
// Reset keeps its memory, so refilling it allocates nothing. Like a slice, a
// Batch must not be changed while another goroutine uses it; checking one
// Batch from several goroutines at once is fine.
type Batch struct {
	buf     []byte
	offsets []uint64 // 3n+1 entries once non-empty
}

// NewBatch returns a Batch with room for n queries of about bytesPerQuery
// bytes each.
func NewBatch(n, bytesPerQuery int) *Batch {
	return &Batch{buf: make([]byte, 0, n*bytesPerQuery), offsets: make([]uint64, 0, 3*n+1)}
}

// Add appends the query (principal, action, resource).
func (b *Batch) Add(principal, action, resource string) {
	if len(b.offsets) == 0 {
		b.offsets = append(b.offsets, 0)
	}
	b.buf = append(b.buf, principal...)
	b.offsets = append(b.offsets, uint64(len(b.buf)))
	b.buf = append(b.buf, action...)
	b.offsets = append(b.offsets, uint64(len(b.buf)))
	b.buf = append(b.buf, resource...)
	b.offsets = append(b.offsets, uint64(len(b.buf)))
}

// Len is the number of queries in the batch.
func (b *Batch) Len() int {
	if len(b.offsets) == 0 {
		return 0
	}
	return (len(b.offsets) - 1) / 3
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.offsets = b.offsets[:0]
}

// Query returns query i's strings (copies).
func (b *Batch) Query(i int) (principal, action, resource string) {
	o := b.offsets[3*i : 3*i+4]
	return string(b.buf[o[0]:o[1]]), string(b.buf[o[1]:o[2]]), string(b.buf[o[2]:o[3]])
}
