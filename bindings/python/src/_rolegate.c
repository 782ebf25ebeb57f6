/* _rolegate: the private CPython extension behind the `rolegate` package.
 *
 * A thin layer over capi/rolegate.h and nothing else: no policy logic lives
 * here. The pure-Python facade (rolegate/__init__.py) subclasses the two types
 * defined here and registers, through _init(), the Python classes this module
 * builds results and exceptions from.
 *
 * Hot path: Engine.check / Snapshot.check are METH_FASTCALL, borrow the UTF-8
 * bytes CPython caches in each str (no copy for str, none for bytes) and
 * return one of the 2 * ROLEGATE_REASON_COUNT immutable Decision objects
 * pre-built by the facade, so a check allocates nothing. The GIL is kept for
 * single checks (releasing it costs more than the check) and released for
 * check_many chunks and for compiling bundles.
 *
 * Lifetime: an operation that releases the GIL marks its object busy; close()
 * / release() on a busy object only marks it closed and the last operation to
 * finish frees the handle. Batches run on a pinned snapshot, so a publish in
 * another thread never changes the bundle in the middle of one check_many.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "rolegate.h"

/* ---- Registered by the facade through _init() ---------------------------- */
static PyObject* g_decisions;     /* tuple: [allowed * COUNT + reason] -> Decision */
static PyObject* g_error_type;    /* RolegateError(message, code) */
static PyObject* g_bundle_error;  /* BundleError(message, code, diagnostics) */
static PyObject* g_file_error;    /* FileError(message, code) */

static const char* const kStatusNames[] = {
    "ok", "invalid_argument", "bundle", "io", "not_found", "no_memory", "internal"};

/* Raises the Python exception for a non-OK status; consumes err. */
static PyObject* raise_status(int32_t status, rolegate_error* err) {
  PyObject* diagnostics = NULL;
  PyObject* type;
  const char* msg = err ? rolegate_error_message(err) : NULL;
  const char* name = (status <= 0 && status >= -6) ? kStatusNames[-status] : "unknown";
  PyObject* message;
  if (msg && msg[0]) {
    message = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
  } else {
    message = PyUnicode_FromFormat("rolegate: %s (status %d)", name, (int)status);
  }
  if (!message) goto fail;
  if (status == ROLEGATE_E_NO_MEMORY) {
    Py_DECREF(message);
    rolegate_error_free(err);
    return PyErr_NoMemory();
  }
  if (status == ROLEGATE_E_BUNDLE) {
    size_t n = err ? rolegate_error_diagnostic_count(err) : 0;
    diagnostics = PyList_New((Py_ssize_t)n);
    if (!diagnostics) goto fail_msg;
    for (size_t i = 0; i < n; i++) {
      const char* ptr = rolegate_error_diagnostic_pointer(err, i);
      const char* why = rolegate_error_diagnostic_message(err, i);
      PyObject* t = Py_BuildValue(
          "(NNIIi)", PyUnicode_DecodeUTF8(ptr ? ptr : "", ptr ? (Py_ssize_t)strlen(ptr) : 0, "replace"),
          PyUnicode_DecodeUTF8(why ? why : "", why ? (Py_ssize_t)strlen(why) : 0, "replace"),
          (unsigned int)rolegate_error_diagnostic_line(err, i),
          (unsigned int)rolegate_error_diagnostic_column(err, i),
          (int)rolegate_error_diagnostic_severity(err, i));
      if (!t) goto fail_msg;
      PyList_SET_ITEM(diagnostics, (Py_ssize_t)i, t);
    }
    type = g_bundle_error;
  } else if (status == ROLEGATE_E_IO) {
    type = g_file_error;
  } else {
    type = g_error_type;
  }
  {
    PyObject* exc = diagnostics
                        ? PyObject_CallFunction(type, "OiO", message, (int)status, diagnostics)
                        : PyObject_CallFunction(type, "Oi", message, (int)status);
    if (exc) {
      PyErr_SetObject((PyObject*)Py_TYPE(exc), exc);
      Py_DECREF(exc);
    }
  }
fail_msg:
  Py_XDECREF(diagnostics);
  Py_DECREF(message);
fail:
  rolegate_error_free(err);
  return NULL;
}

static int check_ready(void) {
  if (!g_decisions) {
    PyErr_SetString(PyExc_RuntimeError, "rolegate._rolegate used before rolegate._init()");
    return -1;
  }
  return 0;
}

/* A str (its cached UTF-8) or bytes, borrowed from `o`. */
static int get_text(PyObject* o, const char** p, Py_ssize_t* n, const char* what) {
  if (PyUnicode_Check(o)) {
    *p = PyUnicode_AsUTF8AndSize(o, n);
    return *p ? 0 : -1;
  }
  if (PyBytes_Check(o)) {
    *p = PyBytes_AS_STRING(o);
    *n = PyBytes_GET_SIZE(o);
    return 0;
  }
  PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what, Py_TYPE(o)->tp_name);
  return -1;
}

/* Like get_text, but None means "absent" (*p = NULL, *n = 0). */
static int get_opt_text(PyObject* o, const char** p, Py_ssize_t* n, const char* what) {
  if (o == Py_None) {
    *p = NULL;
    *n = 0;
    return 0;
  }
  return get_text(o, p, n, what);
}

static PyObject* str_or_none(const char* p, size_t n) {
  if (!p || n == 0) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
}

static PyObject* decision_object(const rolegate_decision* d) {
  if (d->reason >= ROLEGATE_REASON_COUNT || d->allowed > 1) {
    return raise_status(ROLEGATE_E_INTERNAL, NULL);
  }
  PyObject* r = PyTuple_GET_ITEM(g_decisions, (Py_ssize_t)d->allowed * ROLEGATE_REASON_COUNT + d->reason);
  Py_INCREF(r);
  return r;
}

/* ---- Handle guard shared by Engine and Snapshot ---------------------------- */
typedef struct {
  Py_ssize_t busy; /* operations running with the GIL released */
  int closed;      /* close()/release() called */
} Guard;

/* ---- Limits ----------------------------------------------------------------- */
/* None, or a 7-tuple of ints (see rolegate.Limits). */
static int parse_options(PyObject* limits, rolegate_options* opts, int* have) {
  rolegate_options_init(opts);
  *have = 0;
  if (limits == Py_None) return 0;
  if (!PyTuple_Check(limits) || PyTuple_GET_SIZE(limits) != 7) {
    PyErr_SetString(PyExc_TypeError, "limits must be a 7-tuple of ints or None");
    return -1;
  }
  unsigned long long v[7];
  for (int i = 0; i < 7; i++) {
    PyObject* x = PyTuple_GET_ITEM(limits, i);
    v[i] = PyLong_AsUnsignedLongLong(x);
    if (v[i] == (unsigned long long)-1 && PyErr_Occurred()) return -1;
  }
  if (v[0] > UINT32_MAX || v[3] > UINT32_MAX || v[4] > UINT32_MAX || v[5] > UINT32_MAX ||
      v[6] > INT64_MAX) {
    PyErr_SetString(PyExc_OverflowError, "a limit is out of range");
    return -1;
  }
  opts->max_string_bytes = (uint32_t)v[0];
  opts->max_bundle_bytes = (uint64_t)v[1];
  opts->max_list_entries = (uint64_t)v[2];
  opts->max_scope_segments = (uint32_t)v[3];
  opts->max_group_depth = (uint32_t)v[4];
  opts->max_routes = (uint32_t)v[5];
  opts->max_regex_program_bytes = (int64_t)v[6];
  *have = 1;
  return 0;
}

/* ---- Query bodies on a snapshot (shared by Engine and Snapshot) ------------- */

static PyObject* explain_on(const rolegate_snapshot* snap, PyObject* const* args) {
  const char *p, *a, *r;
  Py_ssize_t pn, an, rn;
  if (get_text(args[0], &p, &pn, "principal") || get_text(args[1], &a, &an, "action") ||
      get_text(args[2], &r, &rn, "resource"))
    return NULL;
  rolegate_explanation x;
  memset(&x, 0, sizeof x);
  int32_t st = rolegate_snapshot_explain(snap, p, (size_t)pn, a, (size_t)an, r, (size_t)rn, &x);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return Py_BuildValue("(iiNi)", (int)x.decision.allowed, (int)x.decision.reason,
                       str_or_none(x.rule, x.rule_len), (int)x.kind);
}

/* args: cloud, workload_type (int), project, user, compute_config_identity|None,
 * node_group_identity|None. */
static int workload_from(PyObject* const* args, rolegate_workload* w) {
  const char *c, *p, *u, *cc, *ng;
  Py_ssize_t cn, pn, un, ccn, ngn;
  rolegate_workload_init(w);
  if (get_text(args[0], &c, &cn, "cloud")) return -1;
  long t = PyLong_AsLong(args[1]);
  if (t == -1 && PyErr_Occurred()) return -1;
  if (get_text(args[2], &p, &pn, "project") || get_text(args[3], &u, &un, "user") ||
      get_opt_text(args[4], &cc, &ccn, "compute_config_identity") ||
      get_opt_text(args[5], &ng, &ngn, "node_group_identity"))
    return -1;
  w->workload_type = (int32_t)t;
  w->cloud = c;
  w->cloud_len = (size_t)cn;
  w->project = p;
  w->project_len = (size_t)pn;
  w->user = u;
  w->user_len = (size_t)un;
  w->compute_config_identity = cc;
  w->compute_config_identity_len = (size_t)ccn;
  w->node_group_identity = ng;
  w->node_group_identity_len = (size_t)ngn;
  return 0;
}

static PyObject* resolve_on(const rolegate_snapshot* snap, PyObject* const* args) {
  rolegate_workload w;
  if (workload_from(args, &w)) return NULL;
  rolegate_resolution res;
  memset(&res, 0, sizeof res);
  int32_t st = rolegate_snapshot_resolve(snap, &w, &res);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return Py_BuildValue("(iNN)", (int)res.error, str_or_none(res.identity, res.identity_len),
                       str_or_none(res.source, res.source_len));
}

static PyObject* check_workload_on(const rolegate_snapshot* snap, PyObject* const* args) {
  rolegate_workload w;
  const char *a, *r;
  Py_ssize_t an, rn;
  if (workload_from(args, &w) || get_text(args[6], &a, &an, "action") ||
      get_text(args[7], &r, &rn, "resource"))
    return NULL;
  rolegate_resolution res;
  rolegate_explanation x;
  memset(&res, 0, sizeof res);
  memset(&x, 0, sizeof x);
  int32_t st = rolegate_snapshot_check_workload(snap, &w, a, (size_t)an, r, (size_t)rn, &res, &x);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return Py_BuildValue("(iNNiiNi)", (int)res.error, str_or_none(res.identity, res.identity_len),
                       str_or_none(res.source, res.source_len), (int)x.decision.allowed,
                       (int)x.decision.reason, str_or_none(x.rule, x.rule_len), (int)x.kind);
}

#define RESOURCE_CAP 4100

static PyObject* check_request_on(const rolegate_snapshot* snap, PyObject* const* args) {
  const char *p, *m, *t;
  Py_ssize_t pn, mn, tn;
  if (get_text(args[0], &p, &pn, "principal") || get_text(args[1], &m, &mn, "method") ||
      get_text(args[2], &t, &tn, "path"))
    return NULL;
  char buf[RESOURCE_CAP];
  rolegate_request_result out;
  memset(&out, 0, sizeof out);
  int32_t st = rolegate_snapshot_check_request(snap, p, (size_t)pn, m, (size_t)mn, t, (size_t)tn, buf,
                                               sizeof buf, &out);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  size_t rlen = out.resource_len <= sizeof buf ? out.resource_len : 0;
  return Py_BuildValue("(iiNiNNN)", (int)out.check.decision.allowed, (int)out.check.decision.reason,
                       str_or_none(out.check.rule, out.check.rule_len), (int)out.check.kind,
                       str_or_none(out.route, out.route_len), str_or_none(out.action, out.action_len),
                       str_or_none(buf, rlen));
}

/* ---- check_many ---------------------------------------------------------------
 * Each of the three columns is a str/bytes (repeated for every query), a 1-D
 * buffer of fixed-width strings (NumPy 'U' = UCS-4 or 'S' = bytes), or a
 * sequence of str/bytes. Queries are packed chunk by chunk into one buffer
 * with 3n+1 offsets and checked with rolegate_snapshot_check_batch, the GIL
 * released, all on one pinned snapshot. */

enum { COL_SCALAR, COL_SEQ, COL_UCS4, COL_BYTES };

typedef struct {
  int kind;
  const char* what;
  PyObject* seq; /* COL_SEQ: PySequence_Fast result (owned) */
  const char* scalar;
  Py_ssize_t scalar_len;
  Py_buffer view; /* COL_UCS4 / COL_BYTES */
  int have_view;
  int swap; /* UCS-4 in the other byte order */
  Py_ssize_t n;
} Column;

static void column_clear(Column* c) {
  Py_CLEAR(c->seq);
  if (c->have_view) PyBuffer_Release(&c->view);
  c->have_view = 0;
}

static int column_open(Column* c, PyObject* o, const char* what) {
  memset(c, 0, sizeof *c);
  c->what = what;
  if (PyUnicode_Check(o) || PyBytes_Check(o)) {
    c->kind = COL_SCALAR;
    c->n = -1;
    return get_text(o, &c->scalar, &c->scalar_len, what);
  }
  if (PyObject_CheckBuffer(o) && !PyByteArray_Check(o)) {
    if (PyObject_GetBuffer(o, &c->view, PyBUF_RECORDS_RO) == 0) {
      c->have_view = 1;
      const char* f = c->view.format ? c->view.format : "B";
      /* Byte order of UCS-4 items: '<' little, '>' / '!' big, else native. */
      const int host_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
      int swap = 0;
      if (*f == '<') {
        swap = !host_little;
        f++;
      } else if (*f == '>' || *f == '!') {
        swap = host_little;
        f++;
      } else if (*f == '=' || *f == '@') {
        f++;
      }
      while (*f >= '0' && *f <= '9') f++;
      if (c->view.ndim != 1) {
        PyErr_Format(PyExc_ValueError, "%s: expected a 1-D array, got %d dimensions", what,
                     c->view.ndim);
        return -1;
      }
      if (strcmp(f, "w") == 0 && c->view.itemsize % 4 == 0) {
        c->kind = COL_UCS4;
        c->swap = swap;
      } else if (strcmp(f, "s") == 0) {
        c->kind = COL_BYTES;
      } else {
        PyErr_Format(PyExc_TypeError,
                     "%s: a buffer must hold fixed-width strings (NumPy dtype 'U' or 'S'), "
                     "not format '%s'",
                     what, c->view.format ? c->view.format : "B");
        return -1;
      }
      c->n = c->view.shape[0];
      return 0;
    }
    PyErr_Clear();
  }
  c->seq = PySequence_Fast(o, "");
  if (!c->seq) {
    PyErr_Format(PyExc_TypeError, "%s must be a str, bytes or a sequence of them, not %.100s", what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  c->kind = COL_SEQ;
  c->n = PySequence_Fast_GET_SIZE(c->seq);
  return 0;
}

typedef struct {
  char* data;
  size_t len, cap;
} Buf;

static int buf_reserve(Buf* b, size_t more) {
  if (b->len + more <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  char* d = (char*)PyMem_Realloc(b->data, cap);
  if (!d) {
    PyErr_NoMemory();
    return -1;
  }
  b->data = d;
  b->cap = cap;
  return 0;
}

/* Length of a fixed-width item without its trailing NUL padding (NumPy's
 * rule; NULs inside the string are kept). Word-sized steps over the padding. */
static Py_ssize_t unpadded_len(const char* p, Py_ssize_t n) {
  uint64_t w;
  while (n >= 8) {
    memcpy(&w, p + n - 8, 8);
    if (w != 0) break;
    n -= 8;
  }
  while (n > 0 && p[n - 1] == '\0') n--;
  return n;
}

/* Appends a NumPy 'U' item (UCS-4 code points, `units` of them after the
 * padding is stripped) as UTF-8. */
static int append_ucs4(Buf* b, const unsigned char* item, Py_ssize_t itemsize, int swap,
                       const char* what, Py_ssize_t index) {
  Py_ssize_t units = (unpadded_len((const char*)item, itemsize) + 3) / 4;
  if (buf_reserve(b, (size_t)units * 4)) return -1;
  char* out = b->data + b->len;
  uint32_t cp = 0;
  Py_ssize_t k = 0;
  if (!swap && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    /* ASCII fast path: eight code points per step with SSE2, then two per
     * 8-byte load. */
#ifdef __SSE2__
    const __m128i high = _mm_set1_epi32((int)0xFFFFFF80);
    for (; k + 8 <= units; k += 8) {
      __m128i a = _mm_loadu_si128((const __m128i*)(item + k * 4));
      __m128i c = _mm_loadu_si128((const __m128i*)(item + k * 4 + 16));
      __m128i any = _mm_and_si128(_mm_or_si128(a, c), high);
      if (_mm_movemask_epi8(_mm_cmpeq_epi32(any, _mm_setzero_si128())) != 0xFFFF) break;
      __m128i words = _mm_packs_epi32(a, c); /* 8 x int16, each < 0x80 */
      _mm_storel_epi64((__m128i*)out, _mm_packus_epi16(words, words));
      out += 8;
    }
#endif
    uint64_t w;
    for (; k + 2 <= units; k += 2) {
      memcpy(&w, item + k * 4, 8);
      if (w & UINT64_C(0xFFFFFF80FFFFFF80)) break;
      out[0] = (char)w;
      out[1] = (char)(w >> 32);
      out += 2;
    }
  }
  for (; k < units; k++) {
    memcpy(&cp, item + k * 4, 4);
    if (swap) cp = __builtin_bswap32(cp);
    if (cp < 0x80) {
      *out++ = (char)cp;
    } else if (cp < 0x800) {
      *out++ = (char)(0xC0 | (cp >> 6));
      *out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      if (cp >= 0xD800 && cp <= 0xDFFF) goto bad;
      *out++ = (char)(0xE0 | (cp >> 12));
      *out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
      *out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp <= 0x10FFFF) {
      *out++ = (char)(0xF0 | (cp >> 18));
      *out++ = (char)(0x80 | ((cp >> 12) & 0x3F));
      *out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
      *out++ = (char)(0x80 | (cp & 0x3F));
    } else {
      goto bad;
    }
  }
  b->len = (size_t)(out - b->data);
  return 0;
bad:
  PyErr_Format(PyExc_ValueError, "%s[%zd]: code point U+%04X cannot be encoded as UTF-8", what, index,
               (unsigned int)cp);
  return -1;
}

static int column_append(Column* c, Py_ssize_t i, Buf* b) {
  const char* p;
  Py_ssize_t n;
  switch (c->kind) {
    case COL_SCALAR:
      p = c->scalar;
      n = c->scalar_len;
      break;
    case COL_SEQ: {
      /* The GIL is released between chunks: another thread may have shrunk
       * the list meanwhile. */
      if (i >= PySequence_Fast_GET_SIZE(c->seq)) {
        PyErr_Format(PyExc_RuntimeError, "%s changed size during check_many", c->what);
        return -1;
      }
      PyObject* o = PySequence_Fast_GET_ITEM(c->seq, i);
      if (PyUnicode_Check(o)) {
        p = PyUnicode_AsUTF8AndSize(o, &n);
        if (!p) return -1;
      } else if (PyBytes_Check(o)) {
        p = PyBytes_AS_STRING(o);
        n = PyBytes_GET_SIZE(o);
      } else {
        PyErr_Format(PyExc_TypeError, "%s[%zd] must be str or bytes, not %.100s", c->what, i,
                     Py_TYPE(o)->tp_name);
        return -1;
      }
      break;
    }
    case COL_UCS4:
      return append_ucs4(b, (const unsigned char*)c->view.buf + i * c->view.strides[0],
                         c->view.itemsize, c->swap, c->what, i);
    default: /* COL_BYTES */
      p = (const char*)c->view.buf + i * c->view.strides[0];
      n = unpadded_len(p, c->view.itemsize);
      break;
  }
  if (buf_reserve(b, (size_t)n)) return -1;
  memcpy(b->data + b->len, p, (size_t)n);
  b->len += (size_t)n;
  return 0;
}

#define CHUNK 8192

static PyObject* check_many_on(const rolegate_snapshot* snap, PyObject* const* args, Guard* guard) {
  Column cols[3];
  const char* names[3] = {"principals", "actions", "resources"};
  int opened = 0;
  PyObject* result = NULL;
  Buf b = {NULL, 0, 0};
  uint64_t* offsets = NULL;
  Py_ssize_t n = -1;

  for (; opened < 3; opened++) {
    if (column_open(&cols[opened], args[opened], names[opened])) {
      opened++;
      goto done;
    }
  }
  int first = -1;
  for (int k = 0; k < 3; k++) {
    if (cols[k].n < 0) continue;
    if (first < 0) {
      first = k;
      n = cols[k].n;
    } else if (cols[k].n != n) {
      PyErr_Format(PyExc_ValueError, "check_many: %s has %zd entries but %s has %zd", names[k],
                   cols[k].n, names[first], n);
      goto done;
    }
  }
  if (n < 0) n = 1; /* three scalars: one query */

  result = PyByteArray_FromStringAndSize(NULL, 2 * n);
  if (!result) goto done;
  if (n == 0) goto done;
  offsets = (uint64_t*)PyMem_Malloc(sizeof(uint64_t) * (3 * CHUNK + 1));
  if (!offsets) {
    PyErr_NoMemory();
    Py_CLEAR(result);
    goto done;
  }
  rolegate_decision* out = (rolegate_decision*)PyByteArray_AS_STRING(result);
  for (Py_ssize_t start = 0; start < n; start += CHUNK) {
    Py_ssize_t m = n - start < CHUNK ? n - start : CHUNK;
    b.len = 0;
    offsets[0] = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
      for (int k = 0; k < 3; k++) {
        if (column_append(&cols[k], start + i, &b)) {
          Py_CLEAR(result);
          goto done;
        }
        offsets[3 * i + k + 1] = b.len;
      }
    }
    int32_t st;
    guard->busy++;
    Py_BEGIN_ALLOW_THREADS
    st = rolegate_snapshot_check_batch(snap, b.data, b.len, offsets, (size_t)m, out + start);
    Py_END_ALLOW_THREADS
    guard->busy--;
    if (st != ROLEGATE_OK) {
      Py_CLEAR(result);
      raise_status(st, NULL);
      goto done;
    }
  }
done:
  for (int k = 0; k < opened; k++) column_clear(&cols[k]);
  PyMem_Free(b.data);
  PyMem_Free(offsets);
  return result;
}

/* ---- Snapshot type --------------------------------------------------------- */
typedef struct {
  PyObject_HEAD
  rolegate_snapshot* snap;
  Guard guard;
  uint64_t generation;
  PyObject* weakrefs;
} SnapshotObject;

static PyTypeObject SnapshotType;

static void snapshot_maybe_free(SnapshotObject* s) {
  if (s->guard.closed && s->guard.busy == 0 && s->snap) {
    rolegate_snapshot_release(s->snap);
    s->snap = NULL;
  }
}

static const rolegate_snapshot* snapshot_get(SnapshotObject* s) {
  if (check_ready()) return NULL;
  if (!s->snap || s->guard.closed) {
    PyErr_SetString(PyExc_ValueError, "snapshot is released");
    return NULL;
  }
  return s->snap;
}

static void Snapshot_dealloc(SnapshotObject* s) {
  if (s->weakrefs) PyObject_ClearWeakRefs((PyObject*)s);
  if (s->snap) rolegate_snapshot_release(s->snap);
  Py_TYPE(s)->tp_free((PyObject*)s);
}

static PyObject* Snapshot_new(PyTypeObject* type, PyObject* args, PyObject* kw) {
  PyErr_SetString(PyExc_TypeError, "snapshots come from Engine.snapshot()");
  return NULL;
}

static int nargs_ok(Py_ssize_t nargs, Py_ssize_t want, const char* name) {
  if (nargs == want) return 0;
  PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd arguments (%zd given)", name, want, nargs);
  return -1;
}

/* Binds the arguments of a METH_FASTCALL | METH_KEYWORDS method whose
 * parameters (all required, at most 3) are `names`, each given by position or
 * by keyword. Returns `args` itself when no keyword was used (the hot path:
 * one compare), else `buf` filled with borrowed references; NULL with a
 * TypeError set when the call does not fit the signature. */
static PyObject* const* bind_args(const char* fname, const char* const* names, Py_ssize_t n,
                                  PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                                  PyObject** buf) {
  Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  if (nkw == 0 && nargs == n) return args;
  if (nargs > n) {
    PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", fname, n, nargs + nkw);
    return NULL;
  }
  for (Py_ssize_t i = 0; i < n; i++) buf[i] = i < nargs ? args[i] : NULL;
  for (Py_ssize_t k = 0; k < nkw; k++) {
    PyObject* key = PyTuple_GET_ITEM(kwnames, k);
    Py_ssize_t j = 0;
    while (j < n && PyUnicode_CompareWithASCIIString(key, names[j]) != 0) j++;
    if (j == n) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname, key);
      return NULL;
    }
    if (buf[j]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, names[j]);
      return NULL;
    }
    buf[j] = args[nargs + k];
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    if (!buf[i]) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %zd)", fname, names[i],
                   i + 1);
      return NULL;
    }
  }
  return buf;
}

static const char* const kCheckParams[] = {"principal", "action", "resource"};
static const char* const kCheckIdsParams[] = {"principal_id", "action_id", "resource"};
static const char* const kPrincipalParam[] = {"principal"};
static const char* const kActionParam[] = {"action"};

/* The docstrings start with a text signature ("name($self, /, params)\n--\n\n")
 * so inspect.signature() and help() show the parameters of these C methods. */
#define CHECK_DOC                                                                         \
  "check($self, /, principal, action, resource)\n--\n\n"                                  \
  "May `principal` perform `action` on `resource`? Returns a Decision: truthy when "    \
  "allowed, .reason says why. Arguments are str or bytes (anything else: TypeError); a " \
  "value the library rejects (not UTF-8, a control character, ...) is a deny with "      \
  "reason 'invalid_input'."

static PyObject* Snapshot_check(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs,
                                PyObject* kwnames) {
  PyObject* buf[3];
  args = bind_args("check", kCheckParams, 3, args, nargs, kwnames, buf);
  if (!args) return NULL;
  const rolegate_snapshot* snap = snapshot_get(s);
  if (!snap) return NULL;
  const char *p, *a, *r;
  Py_ssize_t pn, an, rn;
  if (get_text(args[0], &p, &pn, "principal") || get_text(args[1], &a, &an, "action") ||
      get_text(args[2], &r, &rn, "resource"))
    return NULL;
  rolegate_decision d = {0, ROLEGATE_REASON_INVALID_INPUT};
  int32_t st = rolegate_snapshot_check(snap, p, (size_t)pn, a, (size_t)an, r, (size_t)rn, &d);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return decision_object(&d);
}

#define SNAPSHOT_FORWARD(NAME, NARGS, CALL)                                                  \
  static PyObject* Snapshot_##NAME(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs) { \
    if (nargs_ok(nargs, NARGS, #NAME)) return NULL;                                          \
    const rolegate_snapshot* snap = snapshot_get(s);                                         \
    if (!snap) return NULL;                                                                  \
    return CALL;                                                                             \
  }

SNAPSHOT_FORWARD(_explain, 3, explain_on(snap, args))
SNAPSHOT_FORWARD(_resolve, 6, resolve_on(snap, args))
SNAPSHOT_FORWARD(_check_workload, 8, check_workload_on(snap, args))
SNAPSHOT_FORWARD(_check_request, 3, check_request_on(snap, args))

static PyObject* Snapshot__check_many(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs_ok(nargs, 3, "_check_many")) return NULL;
  const rolegate_snapshot* snap = snapshot_get(s);
  if (!snap) return NULL;
  PyObject* r = check_many_on(snap, args, &s->guard);
  snapshot_maybe_free(s);
  return r;
}

static PyObject* Snapshot_principal_id(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs,
                                       PyObject* kwnames) {
  PyObject* buf[1];
  args = bind_args("principal_id", kPrincipalParam, 1, args, nargs, kwnames, buf);
  if (!args) return NULL;
  PyObject* arg = args[0];
  const rolegate_snapshot* snap = snapshot_get(s);
  const char* p;
  Py_ssize_t n;
  if (!snap || get_text(arg, &p, &n, "principal")) return NULL;
  uint32_t id = ROLEGATE_UNKNOWN_PRINCIPAL;
  int32_t st = rolegate_snapshot_principal_id(snap, p, (size_t)n, &id);
  if (st == ROLEGATE_E_INVALID_ARGUMENT) {
    PyErr_SetString(PyExc_ValueError, "principal must not be empty");
    return NULL;
  }
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return PyLong_FromUnsignedLong(id);
}

static PyObject* Snapshot_action_id(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs,
                                    PyObject* kwnames) {
  PyObject* buf[1];
  args = bind_args("action_id", kActionParam, 1, args, nargs, kwnames, buf);
  if (!args) return NULL;
  PyObject* arg = args[0];
  const rolegate_snapshot* snap = snapshot_get(s);
  const char* p;
  Py_ssize_t n;
  if (!snap || get_text(arg, &p, &n, "action")) return NULL;
  uint32_t id = ROLEGATE_UNKNOWN_ACTION;
  int32_t st = rolegate_snapshot_action_id(snap, p, (size_t)n, &id);
  if (st != ROLEGATE_OK && st != ROLEGATE_E_NOT_FOUND) return raise_status(st, NULL);
  return PyLong_FromUnsignedLong(id);
}

static PyObject* Snapshot_check_ids(SnapshotObject* s, PyObject* const* args, Py_ssize_t nargs,
                                    PyObject* kwnames) {
  PyObject* buf[3];
  args = bind_args("check_ids", kCheckIdsParams, 3, args, nargs, kwnames, buf);
  if (!args) return NULL;
  const rolegate_snapshot* snap = snapshot_get(s);
  if (!snap) return NULL;
  unsigned long pid = PyLong_AsUnsignedLong(args[0]);
  if (pid == (unsigned long)-1 && PyErr_Occurred()) return NULL;
  unsigned long aid = PyLong_AsUnsignedLong(args[1]);
  if (aid == (unsigned long)-1 && PyErr_Occurred()) return NULL;
  if (pid > UINT32_MAX || aid > UINT32_MAX) {
    PyErr_SetString(PyExc_OverflowError, "an id is out of range");
    return NULL;
  }
  const char* r;
  Py_ssize_t rn;
  if (get_text(args[2], &r, &rn, "resource")) return NULL;
  rolegate_decision d = {0, ROLEGATE_REASON_INVALID_INPUT};
  int32_t st = rolegate_snapshot_check_ids(snap, (uint32_t)pid, (uint32_t)aid, r, (size_t)rn, &d);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return decision_object(&d);
}

static PyObject* Snapshot_release(SnapshotObject* s, PyObject* unused) {
  s->guard.closed = 1;
  snapshot_maybe_free(s);
  Py_RETURN_NONE;
}

static PyObject* Snapshot_get_released(SnapshotObject* s, void* unused) {
  return PyBool_FromLong(s->snap == NULL || s->guard.closed);
}

static PyObject* Snapshot_get_generation(SnapshotObject* s, void* unused) {
  return PyLong_FromUnsignedLongLong(s->generation);
}

static PyMethodDef Snapshot_methods[] = {
    {"check", (PyCFunction)(void (*)(void))Snapshot_check, METH_FASTCALL | METH_KEYWORDS, CHECK_DOC},
    {"_explain", (PyCFunction)(void (*)(void))Snapshot__explain, METH_FASTCALL, NULL},
    {"_resolve", (PyCFunction)(void (*)(void))Snapshot__resolve, METH_FASTCALL, NULL},
    {"_check_workload", (PyCFunction)(void (*)(void))Snapshot__check_workload, METH_FASTCALL, NULL},
    {"_check_request", (PyCFunction)(void (*)(void))Snapshot__check_request, METH_FASTCALL, NULL},
    {"_check_many", (PyCFunction)(void (*)(void))Snapshot__check_many, METH_FASTCALL, NULL},
    {"principal_id", (PyCFunction)(void (*)(void))Snapshot_principal_id, METH_FASTCALL | METH_KEYWORDS,
     "principal_id($self, /, principal)\n--\n\n"
     "The id of `principal` in this snapshot, for check_ids (UNKNOWN_PRINCIPAL for one the "
     "bundle never names: it still meets deny-to-everyone rules). ValueError if empty."},
    {"action_id", (PyCFunction)(void (*)(void))Snapshot_action_id, METH_FASTCALL | METH_KEYWORDS,
     "action_id($self, /, action)\n--\n\n"
     "The id of catalog action `action` in this snapshot, for check_ids (UNKNOWN_ACTION when "
     "it is not in the catalog; checking with it answers 'unknown_action')."},
    {"check_ids", (PyCFunction)(void (*)(void))Snapshot_check_ids, METH_FASTCALL | METH_KEYWORDS,
     "check_ids($self, /, principal_id, action_id, resource)\n--\n\n"
     "check() with ids from principal_id() and action_id() of this same snapshot."},
    {"release", (PyCFunction)Snapshot_release, METH_NOARGS,
     "release($self, /)\n--\n\nUnpins the bundle; idempotent."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Snapshot_getset[] = {
    {"released", (getter)Snapshot_get_released, NULL, "True once release() was called", NULL},
    {"generation", (getter)Snapshot_get_generation, NULL,
     "the engine's generation when this snapshot was taken", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject SnapshotType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rolegate._rolegate.Snapshot",
    .tp_basicsize = sizeof(SnapshotObject),
    .tp_dealloc = (destructor)Snapshot_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A pinned bundle: every query through it sees the same policy.",
    .tp_weaklistoffset = offsetof(SnapshotObject, weakrefs),
    .tp_methods = Snapshot_methods,
    .tp_getset = Snapshot_getset,
    .tp_new = Snapshot_new,
};

/* ---- Engine type ------------------------------------------------------------- */
typedef struct {
  PyObject_HEAD
  rolegate_engine* engine;
  Guard guard;
  PyObject* weakrefs;
} EngineObject;

static void engine_maybe_free(EngineObject* e) {
  if (e->guard.closed && e->guard.busy == 0 && e->engine) {
    rolegate_engine_free(e->engine);
    e->engine = NULL;
  }
}

static rolegate_engine* engine_get(EngineObject* e) {
  if (check_ready()) return NULL;
  if (!e->engine || e->guard.closed) {
    PyErr_SetString(PyExc_ValueError, e->guard.closed ? "engine is closed" : "engine holds no bundle");
    return NULL;
  }
  return e->engine;
}

static PyObject* Engine_new(PyTypeObject* type, PyObject* args, PyObject* kw) {
  EngineObject* e = (EngineObject*)type->tp_alloc(type, 0);
  return (PyObject*)e;
}

static void Engine_dealloc(EngineObject* e) {
  if (e->weakrefs) PyObject_ClearWeakRefs((PyObject*)e);
  if (e->engine) rolegate_engine_free(e->engine);
  Py_TYPE(e)->tp_free((PyObject*)e);
}

/* _load(bundle: bytes-like | str, limits) / _load_file(path: bytes, limits).
 * Compiles with the GIL released. */
static PyObject* engine_load(EngineObject* e, PyObject* const* args, Py_ssize_t nargs, int from_file) {
  if (nargs_ok(nargs, 2, from_file ? "_load_file" : "_load")) return NULL;
  if (check_ready()) return NULL;
  if (e->engine || e->guard.closed || e->guard.busy) {
    PyErr_SetString(PyExc_RuntimeError, "engine is already initialised");
    return NULL;
  }
  rolegate_options opts;
  int have_opts;
  if (parse_options(args[1], &opts, &have_opts)) return NULL;
  Py_buffer view;
  const char* data;
  Py_ssize_t len;
  int have_view = 0;
  if (PyUnicode_Check(args[0])) {
    data = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (!data) return NULL;
  } else {
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE)) {
      PyErr_Format(PyExc_TypeError, "%s must be str or a bytes-like object, not %.100s",
                   from_file ? "path" : "bundle", Py_TYPE(args[0])->tp_name);
      return NULL;
    }
    have_view = 1;
    data = (const char*)view.buf;
    len = view.len;
  }
  rolegate_engine* out = NULL;
  rolegate_error* err = NULL;
  int32_t st;
  e->guard.busy++;
  Py_BEGIN_ALLOW_THREADS
  if (from_file) {
    st = rolegate_engine_new_from_file(have_opts ? &opts : NULL, data, (size_t)len, &out, &err);
  } else {
    st = rolegate_engine_new(have_opts ? &opts : NULL, data, (size_t)len, &out, &err);
  }
  Py_END_ALLOW_THREADS
  e->guard.busy--;
  if (have_view) PyBuffer_Release(&view);
  if (st != ROLEGATE_OK) {
    if (out) rolegate_engine_free(out);
    return raise_status(st, err);
  }
  rolegate_error_free(err);
  if (!out) return raise_status(ROLEGATE_E_INTERNAL, NULL);
  e->engine = out;
  Py_RETURN_NONE;
}

static PyObject* Engine__load(EngineObject* e, PyObject* const* args, Py_ssize_t nargs) {
  return engine_load(e, args, nargs, 0);
}

static PyObject* Engine__load_file(EngineObject* e, PyObject* const* args, Py_ssize_t nargs) {
  return engine_load(e, args, nargs, 1);
}

/* _publish(bundle) / _publish_file(path): GIL released while compiling. */
static PyObject* engine_publish(EngineObject* e, PyObject* arg, int from_file) {
  rolegate_engine* eng = engine_get(e);
  if (!eng) return NULL;
  Py_buffer view;
  const char* data;
  Py_ssize_t len;
  int have_view = 0;
  if (PyUnicode_Check(arg)) {
    data = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!data) return NULL;
  } else {
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE)) {
      PyErr_Format(PyExc_TypeError, "%s must be str or a bytes-like object, not %.100s",
                   from_file ? "path" : "bundle", Py_TYPE(arg)->tp_name);
      return NULL;
    }
    have_view = 1;
    data = (const char*)view.buf;
    len = view.len;
  }
  rolegate_error* err = NULL;
  int32_t st;
  e->guard.busy++;
  Py_BEGIN_ALLOW_THREADS
  st = from_file ? rolegate_engine_publish_file(eng, data, (size_t)len, &err)
                 : rolegate_engine_publish(eng, data, (size_t)len, &err);
  Py_END_ALLOW_THREADS
  e->guard.busy--;
  if (have_view) PyBuffer_Release(&view);
  engine_maybe_free(e);
  if (st != ROLEGATE_OK) return raise_status(st, err);
  rolegate_error_free(err);
  Py_RETURN_NONE;
}

static PyObject* Engine__publish(EngineObject* e, PyObject* arg) { return engine_publish(e, arg, 0); }
static PyObject* Engine__publish_file(EngineObject* e, PyObject* arg) {
  return engine_publish(e, arg, 1);
}

static PyObject* Engine_check(EngineObject* e, PyObject* const* args, Py_ssize_t nargs,
                              PyObject* kwnames) {
  PyObject* buf[3];
  args = bind_args("check", kCheckParams, 3, args, nargs, kwnames, buf);
  if (!args) return NULL;
  rolegate_engine* eng = engine_get(e);
  if (!eng) return NULL;
  const char *p, *a, *r;
  Py_ssize_t pn, an, rn;
  if (get_text(args[0], &p, &pn, "principal") || get_text(args[1], &a, &an, "action") ||
      get_text(args[2], &r, &rn, "resource"))
    return NULL;
  rolegate_decision d = {0, ROLEGATE_REASON_INVALID_INPUT};
  int32_t st = rolegate_engine_check(eng, p, (size_t)pn, a, (size_t)an, r, (size_t)rn, &d);
  if (st != ROLEGATE_OK) return raise_status(st, NULL);
  return decision_object(&d);
}

/* Engine-level queries other than check run on a snapshot pinned for the call. */
#define ENGINE_FORWARD(NAME, NARGS, BODY)                                                    \
  static PyObject* Engine_##NAME(EngineObject* e, PyObject* const* args, Py_ssize_t nargs) { \
    if (nargs_ok(nargs, NARGS, #NAME)) return NULL;                                          \
    rolegate_engine* eng = engine_get(e);                                                    \
    if (!eng) return NULL;                                                                   \
    rolegate_snapshot* snap = NULL;                                                          \
    int32_t st = rolegate_engine_acquire(eng, &snap);                                        \
    if (st != ROLEGATE_OK || !snap) return raise_status(st ? st : ROLEGATE_E_INTERNAL, NULL); \
    PyObject* r = BODY;                                                                      \
    rolegate_snapshot_release(snap);                                                         \
    engine_maybe_free(e);                                                                    \
    return r;                                                                                \
  }

ENGINE_FORWARD(_explain, 3, explain_on(snap, args))
ENGINE_FORWARD(_resolve, 6, resolve_on(snap, args))
ENGINE_FORWARD(_check_workload, 8, check_workload_on(snap, args))
ENGINE_FORWARD(_check_request, 3, check_request_on(snap, args))
ENGINE_FORWARD(_check_many, 3, check_many_on(snap, args, &e->guard))

static PyObject* Engine__snapshot(EngineObject* e, PyObject* cls) {
  rolegate_engine* eng = engine_get(e);
  if (!eng) return NULL;
  if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject*)cls, &SnapshotType)) {
    PyErr_SetString(PyExc_TypeError, "_snapshot() needs a Snapshot subclass");
    return NULL;
  }
  uint64_t gen = rolegate_engine_generation(eng);
  rolegate_snapshot* snap = NULL;
  int32_t st = rolegate_engine_acquire(eng, &snap);
  if (st != ROLEGATE_OK || !snap) return raise_status(st ? st : ROLEGATE_E_INTERNAL, NULL);
  SnapshotObject* s = (SnapshotObject*)((PyTypeObject*)cls)->tp_alloc((PyTypeObject*)cls, 0);
  if (!s) {
    rolegate_snapshot_release(snap);
    return NULL;
  }
  s->snap = snap;
  s->generation = gen;
  return (PyObject*)s;
}

static PyObject* Engine_close(EngineObject* e, PyObject* unused) {
  e->guard.closed = 1;
  engine_maybe_free(e);
  Py_RETURN_NONE;
}

static PyObject* Engine_get_closed(EngineObject* e, void* unused) {
  return PyBool_FromLong(e->guard.closed);
}

static PyObject* Engine_get_generation(EngineObject* e, void* unused) {
  rolegate_engine* eng = engine_get(e);
  if (!eng) return NULL;
  return PyLong_FromUnsignedLongLong(rolegate_engine_generation(eng));
}

static PyMethodDef Engine_methods[] = {
    {"check", (PyCFunction)(void (*)(void))Engine_check, METH_FASTCALL | METH_KEYWORDS, CHECK_DOC},
    {"_load", (PyCFunction)(void (*)(void))Engine__load, METH_FASTCALL, NULL},
    {"_load_file", (PyCFunction)(void (*)(void))Engine__load_file, METH_FASTCALL, NULL},
    {"_publish", (PyCFunction)Engine__publish, METH_O, NULL},
    {"_publish_file", (PyCFunction)Engine__publish_file, METH_O, NULL},
    {"_explain", (PyCFunction)(void (*)(void))Engine__explain, METH_FASTCALL, NULL},
    {"_resolve", (PyCFunction)(void (*)(void))Engine__resolve, METH_FASTCALL, NULL},
    {"_check_workload", (PyCFunction)(void (*)(void))Engine__check_workload, METH_FASTCALL, NULL},
    {"_check_request", (PyCFunction)(void (*)(void))Engine__check_request, METH_FASTCALL, NULL},
    {"_check_many", (PyCFunction)(void (*)(void))Engine__check_many, METH_FASTCALL, NULL},
    {"_snapshot", (PyCFunction)Engine__snapshot, METH_O, NULL},
    {"close", (PyCFunction)Engine_close, METH_NOARGS,
     "close($self, /)\n--\n\nFrees the engine; idempotent. Snapshots taken stay valid."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Engine_getset[] = {
    {"closed", (getter)Engine_get_closed, NULL, "True once close() was called", NULL},
    {"generation", (getter)Engine_get_generation, NULL,
     "number of bundles published so far (1 after construction)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject EngineType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rolegate._rolegate.Engine",
    .tp_basicsize = sizeof(EngineObject),
    .tp_dealloc = (destructor)Engine_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A compiled bundle in service (low-level; use rolegate.Engine).",
    .tp_weaklistoffset = offsetof(EngineObject, weakrefs),
    .tp_methods = Engine_methods,
    .tp_getset = Engine_getset,
    .tp_new = Engine_new,
};

/* ---- Module functions --------------------------------------------------------- */
static PyObject* mod_init(PyObject* self, PyObject* args) {
  PyObject *decisions, *error_type, *bundle_error, *file_error;
  if (!PyArg_ParseTuple(args, "O!OOO:_init", &PyTuple_Type, &decisions, &error_type, &bundle_error,
                        &file_error))
    return NULL;
  if (PyTuple_GET_SIZE(decisions) != 2 * ROLEGATE_REASON_COUNT) {
    PyErr_SetString(PyExc_ValueError, "_init: decisions must have 2 * REASON_COUNT entries");
    return NULL;
  }
  Py_INCREF(decisions);
  Py_INCREF(error_type);
  Py_INCREF(bundle_error);
  Py_INCREF(file_error);
  Py_XSETREF(g_decisions, decisions);
  Py_XSETREF(g_error_type, error_type);
  Py_XSETREF(g_bundle_error, bundle_error);
  Py_XSETREF(g_file_error, file_error);
  Py_RETURN_NONE;
}

static PyObject* mod_reason_name(PyObject* self, PyObject* arg) {
  long r = PyLong_AsLong(arg);
  if (r == -1 && PyErr_Occurred()) return NULL;
  const char* s = (r >= INT32_MIN && r <= INT32_MAX) ? rolegate_reason_name((int32_t)r) : NULL;
  if (!s) {
    PyErr_Format(PyExc_ValueError, "unknown reason code %ld", r);
    return NULL;
  }
  return PyUnicode_FromString(s);
}

static PyObject* mod_example_bundle(PyObject* self, PyObject* unused) {
  size_t len = 0;
  const char* s = rolegate_example_bundle(&len);
  if (!s) return raise_status(ROLEGATE_E_INTERNAL, NULL);
  return PyBytes_FromStringAndSize(s, (Py_ssize_t)len);
}

/* _import(kind, inputs) -> (bundle bytes, report bytes): rolegate_import.
 * inputs: a sequence of (kind str, name str, data bytes). The sequence is
 * copied into a tuple first and the bytes are immutable, so nothing the C
 * call reads can change while the GIL is released around it. */
static PyObject* mod__import(PyObject* self, PyObject* args) {
  const char* kind;
  Py_ssize_t kind_len;
  PyObject* seq;
  if (!PyArg_ParseTuple(args, "s#O:_import", &kind, &kind_len, &seq)) return NULL;
  PyObject* items = PySequence_Tuple(seq);
  if (!items) return NULL;
  Py_ssize_t n = PyTuple_GET_SIZE(items);
  rolegate_import_input* in = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(rolegate_import_input));
  if (!in) {
    Py_DECREF(items);
    return PyErr_NoMemory();
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject* t = PyTuple_GET_ITEM(items, i);
    char* data;
    Py_ssize_t k_len, name_len, data_len;
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 || !PyBytes_Check(PyTuple_GET_ITEM(t, 2))) {
      PyErr_SetString(PyExc_TypeError, "_import: each input is (kind: str, name: str, data: bytes)");
      goto fail;
    }
    in[i].kind = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(t, 0), &k_len);
    in[i].name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(t, 1), &name_len);
    if (!in[i].kind || !in[i].name || PyBytes_AsStringAndSize(PyTuple_GET_ITEM(t, 2), &data, &data_len) < 0)
      goto fail;
    in[i].kind_len = (size_t)k_len;
    in[i].name_len = (size_t)name_len;
    in[i].data = data;
    in[i].data_len = (size_t)data_len;
  }
  char *bundle = NULL, *report = NULL;
  size_t bundle_len = 0, report_len = 0;
  rolegate_error* err = NULL;
  int32_t rc;
  Py_BEGIN_ALLOW_THREADS
  rc = rolegate_import(kind, (size_t)kind_len, in, (size_t)n, &bundle, &bundle_len, &report, &report_len, &err);
  Py_END_ALLOW_THREADS
  PyMem_Free(in);
  Py_DECREF(items);
  if (rc != ROLEGATE_OK) return raise_status(rc, err);
  PyObject* result = Py_BuildValue("(y#y#)", bundle, (Py_ssize_t)bundle_len, report, (Py_ssize_t)report_len);
  rolegate_buffer_free(bundle);
  rolegate_buffer_free(report);
  return result;
fail:
  PyMem_Free(in);
  Py_DECREF(items);
  return NULL;
}

static PyMethodDef module_methods[] = {
    {"_init", mod_init, METH_VARARGS, NULL},
    {"_import", mod__import, METH_VARARGS, NULL},
    {"reason_name", mod_reason_name, METH_O,
     "reason_name($module, code, /)\n--\n\nThe name of a reason code ('grant', 'no_grant', ...)."},
    {"example_bundle", mod_example_bundle, METH_NOARGS,
     "example_bundle($module, /)\n--\n\n"
     "The built-in example bundle (examples/anyscale.json) as JSON bytes."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "rolegate._rolegate",
    "Private CPython extension over the rolegate C ABI (use the rolegate package).", -1,
    module_methods};

PyMODINIT_FUNC PyInit__rolegate(void) {
  int32_t lib = rolegate_version_number();
  if (lib / 1000000 != ROLEGATE_VERSION_MAJOR) {
    PyErr_Format(PyExc_ImportError,
                 "rolegate: the library is version %d but this module was built against %d",
                 (int)lib, (int)ROLEGATE_VERSION_NUMBER);
    return NULL;
  }
  if (PyType_Ready(&EngineType) < 0 || PyType_Ready(&SnapshotType) < 0) return NULL;
  PyObject* m = PyModule_Create(&module_def);
  if (!m) return NULL;
  const char* vs = rolegate_version_string();
  if (PyModule_AddObjectRef(m, "Engine", (PyObject*)&EngineType) < 0 ||
      PyModule_AddObjectRef(m, "Snapshot", (PyObject*)&SnapshotType) < 0 ||
      PyModule_AddIntConstant(m, "HEADER_VERSION_NUMBER", ROLEGATE_VERSION_NUMBER) < 0 ||
      PyModule_AddIntConstant(m, "LIBRARY_VERSION_NUMBER", lib) < 0 ||
      PyModule_AddStringConstant(m, "LIBRARY_VERSION", vs ? vs : "") < 0 ||
      PyModule_AddIntConstant(m, "REASON_COUNT", ROLEGATE_REASON_COUNT) < 0 ||
      PyModule_AddIntConstant(m, "UNKNOWN_PRINCIPAL", (long)ROLEGATE_UNKNOWN_PRINCIPAL) < 0 ||
      PyModule_AddIntConstant(m, "UNKNOWN_ACTION", (long)ROLEGATE_UNKNOWN_ACTION) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
