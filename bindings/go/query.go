package rolegate

/*
#include <stdlib.h>
#include <string.h>
#include "rolegate.h"

// The query struct holds the principal, action and resource, which are Go
// memory, so it is built here on the C side from separate arguments: cgo
// forbids passing Go memory that holds Go pointers. The context and group
// arrays are C memory (a Context's), so they pass as they are.
static void rg_query(rolegate_query* q, const char* p, size_t pl, const char* a, size_t al,
                     const char* r, size_t rl, const rolegate_string* g, size_t gl,
                     const rolegate_context_entry* c, size_t cl) {
  rolegate_query_init(q);
  q->principal = p;
  q->principal_len = pl;
  q->action = a;
  q->action_len = al;
  q->resource = r;
  q->resource_len = rl;
  q->groups = g;
  q->groups_len = gl;
  q->context = c;
  q->context_len = cl;
}

static int32_t rg_check_query(const rolegate_engine* e, const rolegate_snapshot* s, const char* p,
                              size_t pl, const char* a, size_t al, const char* r, size_t rl,
                              const rolegate_string* g, size_t gl, const rolegate_context_entry* c,
                              size_t cl, rolegate_decision* out) {
  rolegate_query q;
  rg_query(&q, p, pl, a, al, r, rl, g, gl, c, cl);
  return e ? rolegate_engine_check_query(e, &q, out) : rolegate_snapshot_check_query(s, &q, out);
}

static int32_t rg_explain_query(const rolegate_snapshot* s, const char* p, size_t pl, const char* a,
                                size_t al, const char* r, size_t rl, const rolegate_string* g,
                                size_t gl, const rolegate_context_entry* c, size_t cl,
                                rolegate_explanation* out) {
  rolegate_query q;
  rg_query(&q, p, pl, a, al, r, rl, g, gl, c, cl);
  return rolegate_snapshot_explain_query(s, &q, out);
}

// check_request with a query built here for the same reason as rg_check_query;
// the action and resource stay empty (the route supplies them).
static int32_t rg_check_request_query(const rolegate_snapshot* s, const char* p, size_t pl,
                                      const rolegate_string* g, size_t gl,
                                      const rolegate_context_entry* c, size_t cl, const char* m,
                                      size_t ml, const char* t, size_t tl, char* buf, size_t cap,
                                      rolegate_request_result* out) {
  rolegate_query q;
  rg_query(&q, p, pl, NULL, 0, NULL, 0, g, gl, c, cl);
  return rolegate_snapshot_check_request_query(s, &q, m, ml, t, tl, buf, cap, out);
}

// A Context's C memory: keys and values back to back in `arena`, and the
// three arrays the library reads, which point into it. One allocation owns
// the others so a cleanup can free them whatever they have grown to.
typedef struct {
  char* arena;
  size_t arena_len, arena_cap;
  rolegate_context_entry* entries;
  size_t entries_cap;
  rolegate_string* lists;
  size_t lists_cap;
  rolegate_string* groups;
  size_t groups_cap;
} rg_ctx_mem;

static rg_ctx_mem* rg_ctx_new(void) { return (rg_ctx_mem*)calloc(1, sizeof(rg_ctx_mem)); }

static void rg_ctx_free(rg_ctx_mem* m) {
  if (!m) return;
  free(m->arena);
  free(m->entries);
  free(m->lists);
  free(m->groups);
  free(m);
}

// Grows a C array to hold at least n elements of size sz (never shrinks).
// Returns 0 on failure, leaving *p as it was.
static int rg_grow(void** p, size_t* cap, size_t n, size_t sz) {
  if (n <= *cap) return 1;
  size_t want = *cap ? *cap : 8;
  while (want < n) want *= 2;
  void* q = realloc(*p, want * sz);
  if (!q) return 0;
  *p = q;
  *cap = want;
  return 1;
}
#cgo noescape rg_check_query
#cgo nocallback rg_check_query
#cgo noescape rg_explain_query
#cgo nocallback rg_explain_query
#cgo noescape rg_check_request_query
#cgo nocallback rg_check_request_query
#cgo nocallback rg_grow
#cgo nocallback rg_ctx_new
#cgo nocallback rg_ctx_free
*/
import "C"

import (
	"errors"
	"runtime"
	"unsafe"
)

// ---- Queries with a context and asserted groups (SPEC §10, §13) ---------------

// Context is a query's request context (the attributes conditions read) and
// its asserted groups (ids the caller has verified the principal belongs to,
// e.g. a token's groups claim). Build it once with the Add methods, check
// with it any number of times, Reset and refill it for the next request:
// once its buffers have grown to size, neither building nor checking
// allocates. Its data lives in C memory that it owns; call Close to free it
// early (a cleanup frees it otherwise). The zero value is an empty Context
// ready to use.
//
// Keys compare case-insensitively (ASCII); a key added twice (in any case)
// makes the query invalid_input, as do more than 1024 keys, more than 256
// values for one key, a string over 4096 bytes, more than 1024 groups or an
// empty group id. Add methods never fail: a failed allocation is reported by
// the next check (an *Error with CodeNoMemory, and a deny).
//
// Adding is not safe for concurrent use; once built, a Context may be read
// by any number of concurrent checks (checks only read it).
type Context struct {
	mem     *C.rg_ctx_mem
	entries []ctxEntry // what the C arrays hold, as offsets: rebuilt there after a move
	lists   []span     // every list's values
	groups  []span
	err     error // the first allocation failure since Reset
	cleanup runtime.Cleanup
}

type span struct{ off, n int }

type ctxEntry struct {
	key, str    span
	typ         uint32
	number      float64
	boolean     bool
	first, size int // the entry's values in lists
}

// The value types of the C ABI (ROLEGATE_VALUE_*).
const (
	valueString     = C.ROLEGATE_VALUE_STRING
	valueNumber     = C.ROLEGATE_VALUE_NUMBER
	valueBool       = C.ROLEGATE_VALUE_BOOL
	valueStringList = C.ROLEGATE_VALUE_STRING_LIST
)

var errContextMemory = &Error{Code: CodeNoMemory, Message: "context: out of memory"}

// Reset empties the Context, keeping its buffers for reuse.
func (c *Context) Reset() {
	c.entries = c.entries[:0]
	c.lists = c.lists[:0]
	c.groups = c.groups[:0]
	c.err = nil
	if c.mem != nil {
		c.mem.arena_len = 0
	}
}

// Close frees the Context's C memory now. It is idempotent; a Context used
// after Close starts empty and allocates again.
func (c *Context) Close() {
	if c.mem == nil {
		return
	}
	c.cleanup.Stop()
	C.rg_ctx_free(c.mem)
	c.mem = nil
	c.Reset()
}

// Len is the number of context entries.
func (c *Context) Len() int { return len(c.entries) }

// AddString adds a single-valued string attribute.
func (c *Context) AddString(key, value string) {
	c.add(ctxEntry{key: c.bytes(key), str: c.bytes(value), typ: valueString})
}

// AddNumber adds a number attribute (Numeric operators read it as is).
func (c *Context) AddNumber(key string, value float64) {
	c.add(ctxEntry{key: c.bytes(key), typ: valueNumber, number: value})
}

// AddBool adds a boolean attribute.
func (c *Context) AddBool(key string, value bool) {
	c.add(ctxEntry{key: c.bytes(key), typ: valueBool, boolean: value})
}

// AddStrings adds a multi-valued attribute (for the ForAnyValue: and
// ForAllValues: operators); no values is an empty list, not an absent key.
func (c *Context) AddStrings(key string, values ...string) {
	e := ctxEntry{key: c.bytes(key), typ: valueStringList, first: len(c.lists), size: len(values)}
	for _, v := range values {
		c.lists = append(c.lists, c.bytes(v))
	}
	c.add(e)
}

// AddGroup adds an asserted group id.
func (c *Context) AddGroup(id string) {
	c.groups = append(c.groups, c.bytes(id))
	c.sync()
}

// init allocates the C header once and registers the cleanup that frees it.
func (c *Context) init() bool {
	if c.mem != nil {
		return true
	}
	c.mem = C.rg_ctx_new()
	if c.mem == nil {
		c.err = errContextMemory
		return false
	}
	c.cleanup = runtime.AddCleanup(c, func(m *C.rg_ctx_mem) { C.rg_ctx_free(m) }, c.mem)
	return true
}

// bytes copies s into the arena and returns where it is. The arena may move
// (realloc): sync re-points the C arrays after every add.
func (c *Context) bytes(s string) span {
	if !c.init() {
		return span{}
	}
	m := c.mem
	at := int(m.arena_len)
	need := C.size_t(at + len(s))
	if need > m.arena_cap && C.rg_grow((*unsafe.Pointer)(unsafe.Pointer(&m.arena)), &m.arena_cap, need, 1) == 0 {
		c.err = errContextMemory
		return span{}
	}
	if len(s) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(m.arena)), int(m.arena_cap))[at:], s)
	}
	m.arena_len = need
	return span{at, len(s)}
}

func (c *Context) add(e ctxEntry) {
	c.entries = append(c.entries, e)
	c.sync()
}

// sync makes the C arrays describe entries, lists and groups at the arena's
// current address. It rewrites every element (a realloc may have moved any
// buffer): O(size) per add, for contexts that are small by nature (at most
// 1024 keys before the library refuses them).
func (c *Context) sync() {
	if !c.init() || c.err != nil {
		return
	}
	m := c.mem
	// grow calls into C only when a buffer is full (a cgo call costs more
	// than the whole rewrite below).
	grow := func(p *unsafe.Pointer, capacity *C.size_t, n int, size C.size_t) bool {
		return C.size_t(n) <= *capacity || C.rg_grow(p, capacity, C.size_t(n), size) != 0
	}
	if !grow((*unsafe.Pointer)(unsafe.Pointer(&m.entries)), &m.entries_cap, len(c.entries),
		C.sizeof_rolegate_context_entry) ||
		!grow((*unsafe.Pointer)(unsafe.Pointer(&m.lists)), &m.lists_cap, len(c.lists), C.sizeof_rolegate_string) ||
		!grow((*unsafe.Pointer)(unsafe.Pointer(&m.groups)), &m.groups_cap, len(c.groups), C.sizeof_rolegate_string) {
		c.err = errContextMemory
		return
	}
	str := func(s span) (*C.char, C.size_t) {
		if s.n == 0 {
			return nil, 0
		}
		return (*C.char)(unsafe.Add(unsafe.Pointer(m.arena), s.off)), C.size_t(s.n)
	}
	lists := unsafe.Slice(m.lists, int(m.lists_cap))
	for i, s := range c.lists {
		lists[i].data, lists[i].len = str(s)
	}
	groups := unsafe.Slice(m.groups, int(m.groups_cap))
	for i, s := range c.groups {
		groups[i].data, groups[i].len = str(s)
	}
	entries := unsafe.Slice(m.entries, int(m.entries_cap))
	for i := range c.entries {
		e := &c.entries[i]
		out := &entries[i]
		*out = C.rolegate_context_entry{}
		out.key, out.key_len = str(e.key)
		out._type = C.uint32_t(e.typ)
		out.str, out.str_len = str(e.str)
		out.number = C.double(e.number)
		if e.boolean {
			out.boolean = 1
		}
		if e.typ == valueStringList && e.size > 0 {
			out.list = &lists[e.first]
			out.list_len = C.size_t(e.size)
		}
	}
}

// cArgs returns the C arrays for a check (nil Context: none).
func (c *Context) cArgs() (g *C.rolegate_string, gl C.size_t, e *C.rolegate_context_entry, el C.size_t, err error) {
	if c == nil {
		return nil, 0, nil, 0, nil
	}
	if c.err != nil {
		return nil, 0, nil, 0, c.err
	}
	if c.mem == nil { // empty
		return nil, 0, nil, 0, nil
	}
	return c.mem.groups, C.size_t(len(c.groups)), c.mem.entries, C.size_t(len(c.entries)), nil
}

// Query is check(principal, action, resource) with an optional Context
// (nil: no context and no asserted groups, the same as Check). The strings
// and the Context are read during the call only.
type Query struct {
	Principal, Action, Resource string
	Context                     *Context
}

var errNilQuery = errors.New("rolegate: nil *Query")

func checkQuery(e *C.rolegate_engine, s *C.rolegate_snapshot, q *Query) (Decision, error) {
	g, gl, ce, cl, err := q.Context.cArgs()
	if err != nil {
		return deny, err
	}
	var d Decision
	st := C.rg_check_query(e, s, cstr(q.Principal), C.size_t(len(q.Principal)), cstr(q.Action),
		C.size_t(len(q.Action)), cstr(q.Resource), C.size_t(len(q.Resource)), g, gl, ce, cl,
		(*C.rolegate_decision)(unsafe.Pointer(&d)))
	runtime.KeepAlive(q.Context)
	if st != C.ROLEGATE_OK {
		return deny, statusError(st)
	}
	return d, nil
}

func explainQuery(s *C.rolegate_snapshot, q *Query) (Explanation, error) {
	g, gl, ce, cl, err := q.Context.cArgs()
	if err != nil {
		return Explanation{Decision: deny}, err
	}
	var x C.rolegate_explanation
	st := C.rg_explain_query(s, cstr(q.Principal), C.size_t(len(q.Principal)), cstr(q.Action),
		C.size_t(len(q.Action)), cstr(q.Resource), C.size_t(len(q.Resource)), g, gl, ce, cl, &x)
	runtime.KeepAlive(q.Context)
	if st != C.ROLEGATE_OK {
		return Explanation{Decision: deny}, statusError(st)
	}
	return explanationFrom(&x), nil
}

// CheckQuery is Check with the query's context and asserted groups. A query
// the library finds invalid (see Context) is a deny with ReasonInvalidInput
// and no error. It allocates nothing.
func (e *Engine) CheckQuery(q *Query) (Decision, error) {
	if q == nil {
		return deny, errNilQuery
	}
	h := e.enter()
	if h == nil {
		return deny, ErrClosed
	}
	defer e.leave()
	return checkQuery(h, nil, q)
}

// ExplainQuery is Explain with the query's context and asserted groups.
func (e *Engine) ExplainQuery(q *Query) (Explanation, error) {
	if q == nil {
		return Explanation{Decision: deny}, errNilQuery
	}
	s, err := e.acquire()
	if err != nil {
		return Explanation{Decision: deny}, err
	}
	defer C.rolegate_snapshot_release(s)
	return explainQuery(s, q)
}

// CheckQuery is Engine.CheckQuery on the pinned bundle.
func (s *Snapshot) CheckQuery(q *Query) (Decision, error) {
	if q == nil {
		return deny, errNilQuery
	}
	h := s.handle()
	if h == nil {
		return deny, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return checkQuery(nil, h, q)
}

// ExplainQuery is Engine.ExplainQuery on the pinned bundle.
func (s *Snapshot) ExplainQuery(q *Query) (Explanation, error) {
	if q == nil {
		return Explanation{Decision: deny}, errNilQuery
	}
	h := s.handle()
	if h == nil {
		return Explanation{Decision: deny}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return explainQuery(h, q)
}

// CheckRequestQuery is CheckRequest with a Context: its asserted groups join
// the principal (P is the closure of the principal and of every group, SPEC
// §13) and conditions read its attributes. The route supplies the action and
// scope. ctx may be nil (then it is CheckRequest). A group list or context
// the library finds invalid (see Context) is a deny with ReasonInvalidInput
// and no error, decided before routing (Route, Action and Resource empty).
// The Context is only read, so concurrent checks may share a built one. Cost:
// CheckRequest's; the Context adds no allocation (the result's strings are
// the only ones, as with CheckRequest).
func (e *Engine) CheckRequestQuery(principal, method, target string, ctx *Context) (RequestDecision, error) {
	s, err := e.acquire()
	if err != nil {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, err
	}
	defer C.rolegate_snapshot_release(s)
	return checkRequestQueryOn(s, principal, method, target, ctx)
}

// CheckRequestQuery is Engine.CheckRequestQuery on the pinned bundle.
func (s *Snapshot) CheckRequestQuery(principal, method, target string, ctx *Context) (RequestDecision, error) {
	h := s.handle()
	if h == nil {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, ErrReleased
	}
	defer runtime.KeepAlive(s)
	return checkRequestQueryOn(h, principal, method, target, ctx)
}

func checkRequestQueryOn(s *C.rolegate_snapshot, principal, method, target string, ctx *Context) (RequestDecision, error) {
	g, gl, ce, cl, err := ctx.cArgs()
	if err != nil {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, err
	}
	var buf [resourceCap]byte
	var out C.rolegate_request_result
	st := C.rg_check_request_query(s, cstr(principal), C.size_t(len(principal)), g, gl, ce, cl,
		cstr(method), C.size_t(len(method)), cstr(target), C.size_t(len(target)),
		(*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &out)
	runtime.KeepAlive(ctx)
	if st != C.ROLEGATE_OK {
		return RequestDecision{Explanation: Explanation{Decision: deny}}, statusError(st)
	}
	return requestDecisionFrom(&out, buf[:]), nil
}
