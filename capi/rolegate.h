/* rolegate.h — the stable C ABI of rolegate.
 *
 * Conventions (modelled on RocksDB's c.h and libgit2):
 *  - Every symbol starts with rolegate_ / ROLEGATE_; every object is an opaque
 *    struct with its own _free function; _free(NULL) is a no-op.
 *  - Strings are passed as (pointer, length) and need no NUL terminator. A
 *    NULL pointer with length 0 is an empty string; NULL with a non-zero
 *    length is ROLEGATE_E_INVALID_ARGUMENT.
 *  - Functions that can fail return an int32_t status: ROLEGATE_OK (0) or a
 *    negative ROLEGATE_E_* code. Where a message helps, an optional trailing
 *    `rolegate_error** err` receives an owned error object (free it with
 *    rolegate_error_free); pass NULL to ignore it. There is no thread-local
 *    "last error".
 *  - A deny is a result, not an error: a check that ran returns ROLEGATE_OK
 *    and fills a rolegate_decision. Any failure leaves the decision "deny".
 *  - Options structs start with `uint32_t struct_size`; fields are only ever
 *    appended. Initialise them with ROLEGATE_*_INIT or the _init() function.
 *  - No C++ exception ever crosses this boundary.
 *  - Thread safety: an engine may be queried from any number of threads while
 *    another thread publishes. A snapshot is immutable and may be shared by
 *    threads. An error object belongs to one thread.
 */
#ifndef ROLEGATE_C_H_
#define ROLEGATE_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define ROLEGATE_EXPORT __declspec(dllexport)
#else
#define ROLEGATE_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Versions ----------------------------------------------------------- */
#define ROLEGATE_VERSION_MAJOR 0
#define ROLEGATE_VERSION_MINOR 1
#define ROLEGATE_VERSION_PATCH 0
#define ROLEGATE_VERSION_NUMBER \
  (ROLEGATE_VERSION_MAJOR * 1000000 + ROLEGATE_VERSION_MINOR * 1000 + ROLEGATE_VERSION_PATCH)

/* The version the library was built as; bindings compare it with
 * ROLEGATE_VERSION_NUMBER at load and refuse a different major version. */
ROLEGATE_EXPORT int32_t rolegate_version_number(void);
/* "0.1.0"; static storage, never free it. */
ROLEGATE_EXPORT const char* rolegate_version_string(void);

/* ---- Status codes ------------------------------------------------------- */
#define ROLEGATE_OK 0
#define ROLEGATE_E_INVALID_ARGUMENT (-1) /* NULL handle, bad length, bad enum... */
#define ROLEGATE_E_BUNDLE (-2)           /* the bundle does not compile */
#define ROLEGATE_E_IO (-3)               /* a file could not be read */
#define ROLEGATE_E_NOT_FOUND (-4)        /* an id lookup found nothing */
#define ROLEGATE_E_NO_MEMORY (-5)        /* allocation failed */
#define ROLEGATE_E_INTERNAL (-6)         /* a bug: please report it */

/* ---- Reasons (values of rolegate_decision.reason) ------------------------ */
#define ROLEGATE_REASON_GRANT 0
#define ROLEGATE_REASON_STATEMENT 1
#define ROLEGATE_REASON_DENY_ASSIGNMENT 2
#define ROLEGATE_REASON_DENY_STATEMENT 3
#define ROLEGATE_REASON_NO_GRANT 4
#define ROLEGATE_REASON_NOT_EFFECTIVE_AT_SCOPE 5
#define ROLEGATE_REASON_UNKNOWN_ACTION 6
#define ROLEGATE_REASON_INVALID_INPUT 7
#define ROLEGATE_REASON_NO_ROUTE 8
#define ROLEGATE_REASON_BAD_PATH 9
#define ROLEGATE_REASON_UNKNOWN_CLOUD 10
#define ROLEGATE_REASON_NO_IDENTITY 11
#define ROLEGATE_REASON_COUNT 12

/* "grant", "no_grant", ...; static storage. NULL for an unknown value. */
ROLEGATE_EXPORT const char* rolegate_reason_name(int32_t reason);

/* ---- Errors ------------------------------------------------------------- */
typedef struct rolegate_error rolegate_error;

ROLEGATE_EXPORT int32_t rolegate_error_code(const rolegate_error* err);
/* The whole message, NUL-terminated, owned by err. For a bundle error, one
 * line per diagnostic ("L:C: /json/pointer: why"). */
ROLEGATE_EXPORT const char* rolegate_error_message(const rolegate_error* err);
/* Bundle errors: the number of diagnostics (errors and warnings) and each
 * one's parts. Strings are NUL-terminated and owned by err. Out-of-range
 * index: NULL / 0. severity: 0 error, 1 warning. */
ROLEGATE_EXPORT size_t rolegate_error_diagnostic_count(const rolegate_error* err);
ROLEGATE_EXPORT const char* rolegate_error_diagnostic_pointer(const rolegate_error* err, size_t i);
ROLEGATE_EXPORT const char* rolegate_error_diagnostic_message(const rolegate_error* err, size_t i);
ROLEGATE_EXPORT uint32_t rolegate_error_diagnostic_line(const rolegate_error* err, size_t i);
ROLEGATE_EXPORT uint32_t rolegate_error_diagnostic_column(const rolegate_error* err, size_t i);
ROLEGATE_EXPORT int32_t rolegate_error_diagnostic_severity(const rolegate_error* err, size_t i);
ROLEGATE_EXPORT void rolegate_error_free(rolegate_error* err);

/* ---- Options ------------------------------------------------------------ */
/* Compile limits (SPEC §6). Zero in a field means "the default". */
typedef struct rolegate_options {
  uint32_t struct_size; /* sizeof(rolegate_options) as the caller knows it */
  uint32_t max_string_bytes;
  uint64_t max_bundle_bytes;
  uint64_t max_list_entries;
  uint32_t max_scope_segments;
  uint32_t max_group_depth;
  uint32_t max_routes;
  uint32_t reserved0;
  int64_t max_regex_program_bytes;
} rolegate_options;

#define ROLEGATE_OPTIONS_INIT {sizeof(rolegate_options), 0, 0, 0, 0, 0, 0, 0, 0}
/* Zeroes the fields of the first (version 0) layout and sets struct_size to
 * its size; it never writes past them, whatever header the caller was built
 * with. Fields appended in later versions are reached through
 * ROLEGATE_OPTIONS_INIT, which records the caller's own sizeof. */
ROLEGATE_EXPORT void rolegate_options_init(rolegate_options* opts);

/* ---- Decisions ---------------------------------------------------------- */
typedef struct rolegate_decision {
  uint8_t allowed; /* 1 allow, 0 deny */
  uint8_t reason;  /* ROLEGATE_REASON_* */
} rolegate_decision;

/* A rule id returned by explain. `rule` points into the snapshot (or engine
 * call's copy, see below) and is NOT NUL-terminated; rule_len 0 = no rule.
 * kind: 0 none, 1 assignment, 2 deny assignment, 3 statement. */
typedef struct rolegate_explanation {
  rolegate_decision decision;
  uint8_t kind;
  const char* rule;
  size_t rule_len;
} rolegate_explanation;

/* ---- Engine ------------------------------------------------------------- */
typedef struct rolegate_engine rolegate_engine;
typedef struct rolegate_snapshot rolegate_snapshot;

/* Compiles a bundle and creates an engine serving it. opts may be NULL. On
 * failure *out is set to NULL and *err (if given) lists every diagnostic. */
ROLEGATE_EXPORT int32_t rolegate_engine_new(const rolegate_options* opts, const char* bundle,
                                            size_t bundle_len, rolegate_engine** out,
                                            rolegate_error** err);
ROLEGATE_EXPORT int32_t rolegate_engine_new_from_file(const rolegate_options* opts,
                                                      const char* path, size_t path_len,
                                                      rolegate_engine** out, rolegate_error** err);
/* The built-in example bundle (examples/anyscale.json); static storage. */
ROLEGATE_EXPORT const char* rolegate_example_bundle(size_t* len);
/* Frees the engine. No query on it may be running or start afterwards;
 * snapshots acquired from it stay valid until released. */
ROLEGATE_EXPORT void rolegate_engine_free(rolegate_engine* engine);

/* Compiles `bundle` and swaps it in atomically. On failure the bundle in
 * service stays in service and ROLEGATE_E_BUNDLE is returned. */
ROLEGATE_EXPORT int32_t rolegate_engine_publish(rolegate_engine* engine, const char* bundle,
                                                size_t bundle_len, rolegate_error** err);
ROLEGATE_EXPORT int32_t rolegate_engine_publish_file(rolegate_engine* engine, const char* path,
                                                     size_t path_len, rolegate_error** err);
/* Number of bundles published so far (1 after _new). */
ROLEGATE_EXPORT uint64_t rolegate_engine_generation(const rolegate_engine* engine);

/* check(principal, action, resource) on the bundle in service (SPEC §3). */
ROLEGATE_EXPORT int32_t rolegate_engine_check(const rolegate_engine* engine, const char* principal,
                                              size_t principal_len, const char* action,
                                              size_t action_len, const char* resource,
                                              size_t resource_len, rolegate_decision* out);

/* ---- Snapshots: pin one bundle for a request or a batch ----------------- */
/* Pins the bundle in service. Never NULL for a valid engine. */
ROLEGATE_EXPORT int32_t rolegate_engine_acquire(const rolegate_engine* engine,
                                                rolegate_snapshot** out);
ROLEGATE_EXPORT void rolegate_snapshot_release(rolegate_snapshot* snap);

ROLEGATE_EXPORT int32_t rolegate_snapshot_check(const rolegate_snapshot* snap, const char* principal,
                                                size_t principal_len, const char* action,
                                                size_t action_len, const char* resource,
                                                size_t resource_len, rolegate_decision* out);
/* Explain: the decision plus the deciding rule id, which points into the
 * snapshot and stays valid until the snapshot is released. */
ROLEGATE_EXPORT int32_t rolegate_snapshot_explain(const rolegate_snapshot* snap,
                                                  const char* principal, size_t principal_len,
                                                  const char* action, size_t action_len,
                                                  const char* resource, size_t resource_len,
                                                  rolegate_explanation* out);

/* Id fast path. An id is valid only with the snapshot that issued it.
 * principal_id: a principal the bundle never names gets
 * ROLEGATE_UNKNOWN_PRINCIPAL (status OK: it still meets deny-to-everyone);
 * an empty principal is ROLEGATE_E_INVALID_ARGUMENT.
 * action_id: an action outside the catalog is ROLEGATE_E_NOT_FOUND and
 * *out = ROLEGATE_UNKNOWN_ACTION (checking with it answers unknown_action). */
#define ROLEGATE_UNKNOWN_PRINCIPAL UINT32_C(0xFFFFFFFF)
#define ROLEGATE_UNKNOWN_ACTION UINT32_C(0xFFFFFFFF)
ROLEGATE_EXPORT int32_t rolegate_snapshot_principal_id(const rolegate_snapshot* snap,
                                                       const char* principal, size_t len,
                                                       uint32_t* out);
ROLEGATE_EXPORT int32_t rolegate_snapshot_action_id(const rolegate_snapshot* snap,
                                                    const char* action, size_t len,
                                                    uint32_t* out);
ROLEGATE_EXPORT int32_t rolegate_snapshot_check_ids(const rolegate_snapshot* snap,
                                                    uint32_t principal_id, uint32_t action_id,
                                                    const char* resource, size_t resource_len,
                                                    rolegate_decision* out);

/* Batch by strings: n queries packed into one buffer. Query i's principal is
 * buf[offsets[3i], offsets[3i+1]), its action buf[offsets[3i+1],
 * offsets[3i+2]), its resource buf[offsets[3i+2], offsets[3i+3]); offsets has
 * 3n+1 non-decreasing entries, the last <= buf_len. out has n entries. */
ROLEGATE_EXPORT int32_t rolegate_snapshot_check_batch(const rolegate_snapshot* snap,
                                                      const char* buf, size_t buf_len,
                                                      const uint64_t* offsets, size_t n,
                                                      rolegate_decision* out);
/* Batch by ids: principal_ids[i], action_ids[i], and resource i at
 * buf[offsets[i], offsets[i+1]) (offsets has n+1 entries). */
ROLEGATE_EXPORT int32_t rolegate_snapshot_check_ids_batch(const rolegate_snapshot* snap,
                                                          const uint32_t* principal_ids,
                                                          const uint32_t* action_ids,
                                                          const char* buf, size_t buf_len,
                                                          const uint64_t* offsets, size_t n,
                                                          rolegate_decision* out);

/* ---- Workload identity (SPEC §4) ----------------------------------------- */
#define ROLEGATE_WORKLOAD_JOB 0
#define ROLEGATE_WORKLOAD_SERVICE 1
#define ROLEGATE_WORKLOAD_WORKSPACE 2

#define ROLEGATE_IDENTITY_OK 0
#define ROLEGATE_IDENTITY_UNKNOWN_CLOUD 1
#define ROLEGATE_IDENTITY_NO_IDENTITY 2

typedef struct rolegate_workload {
  uint32_t struct_size; /* sizeof(rolegate_workload) */
  int32_t workload_type; /* ROLEGATE_WORKLOAD_* */
  const char* cloud;
  size_t cloud_len;
  const char* project;
  size_t project_len;
  const char* user;
  size_t user_len;
  /* Overrides: NULL (or length 0) means none given. */
  const char* compute_config_identity;
  size_t compute_config_identity_len;
  const char* node_group_identity;
  size_t node_group_identity_len;
} rolegate_workload;
#define ROLEGATE_WORKLOAD_INIT {sizeof(rolegate_workload), 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0}
/* As rolegate_options_init: the version-0 fields only. */
ROLEGATE_EXPORT void rolegate_workload_init(rolegate_workload* w);

/* identity/source point into the snapshot or into the query's override
 * strings; not NUL-terminated. */
typedef struct rolegate_resolution {
  int32_t error; /* ROLEGATE_IDENTITY_* */
  const char* identity;
  size_t identity_len;
  const char* source;
  size_t source_len;
} rolegate_resolution;

ROLEGATE_EXPORT int32_t rolegate_snapshot_resolve(const rolegate_snapshot* snap,
                                                  const rolegate_workload* w,
                                                  rolegate_resolution* out);
ROLEGATE_EXPORT int32_t rolegate_snapshot_check_workload(const rolegate_snapshot* snap,
                                                         const rolegate_workload* w,
                                                         const char* action, size_t action_len,
                                                         const char* resource, size_t resource_len,
                                                         rolegate_resolution* resolution,
                                                         rolegate_explanation* out);

/* ---- Gateway requests (SPEC §5) ------------------------------------------ */
/* route/action point into the snapshot; resource is copied into the caller's
 * buffer resource_buf (capacity resource_cap; 4096 always suffices) and its
 * length written to *resource_len (0 when not reached). */
typedef struct rolegate_request_result {
  rolegate_explanation check;
  const char* route;
  size_t route_len;
  const char* action;
  size_t action_len;
  size_t resource_len;
} rolegate_request_result;

ROLEGATE_EXPORT int32_t rolegate_snapshot_check_request(const rolegate_snapshot* snap,
                                                        const char* principal, size_t principal_len,
                                                        const char* method, size_t method_len,
                                                        const char* target, size_t target_len,
                                                        char* resource_buf, size_t resource_cap,
                                                        rolegate_request_result* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ROLEGATE_C_H_ */
