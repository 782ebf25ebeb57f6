/* tests/capi_import_test.c — rolegate_import and rolegate_buffer_free driven
 * from C against the shared library: an Azure import whose bundle compiles
 * and answers, and every error path (NULL out-pointers, unknown kinds, NULL
 * with a length, malformed input naming its file and pointer).
 * Prints "N passed, N failed" and exits non-zero on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate.h"

static int passed = 0, failed = 0;

#define EXPECT(cond)                                                              \
  do {                                                                            \
    if (cond) {                                                                   \
      ++passed;                                                                   \
    } else {                                                                      \
      ++failed;                                                                   \
      fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                             \
  } while (0)

#define S(lit) lit, sizeof(lit) - 1

static const char kRoles[] =
    "[{\"name\": \"ab000000-0000-4000-8000-000000000001\", \"roleName\": \"R\", \"assignableScopes\": [\"/\"],"
    " \"permissions\": [{\"actions\": [\"A.B/x/read\"], \"notActions\": [], \"dataActions\": [], "
    "\"notDataActions\": []}]}]";
static const char kAssignments[] =
    "[{\"name\": \"aa000000-0000-4000-8000-000000000001\", \"principalId\": "
    "\"11111111-0000-4000-8000-000000000001\", \"roleDefinitionId\": \"ab000000-0000-4000-8000-000000000001\","
    " \"scope\": \"/subscriptions/s1\"}]";
static const char kOps[] =
    "[{\"name\": \"A.B\", \"operations\": [{\"name\": \"A.B/x/read\", \"isDataAction\": false},"
    " {\"name\": \"A.B/x/write\", \"isDataAction\": false}]}]";

static void test_azure_import(void) {
  rolegate_import_input in[3] = {
      {S("roles"), S("roles.json"), S(kRoles)},
      {S("assignments"), S("assignments.json"), S(kAssignments)},
      {S("operations"), S("ops.json"), S(kOps)},
  };
  char *bundle = NULL, *report = NULL;
  size_t bundle_len = 0, report_len = 0;
  rolegate_error* err = NULL;
  int32_t rc = rolegate_import(S("azure"), in, 3, &bundle, &bundle_len, &report, &report_len, &err);
  EXPECT(rc == ROLEGATE_OK);
  EXPECT(err == NULL);
  EXPECT(bundle != NULL && bundle_len > 0 && bundle[bundle_len] == '\0');
  EXPECT(report != NULL && strncmp(report, "{\n  \"counts\"", 12) == 0);
  if (bundle) {
    rolegate_engine* e = NULL;
    /* the bundle is the one the C++ importer writes, and it compiles */
    EXPECT(rolegate_engine_new(NULL, bundle, bundle_len, &e, NULL) == ROLEGATE_OK);
    rolegate_decision d = {0, 0};
    EXPECT(rolegate_engine_check(e, S("11111111-0000-4000-8000-000000000001"), S("A.B/x/read"),
                                 S("/subscriptions/s1/resourceGroups/rg"), &d) == ROLEGATE_OK);
    EXPECT(d.allowed == 1 && d.reason == ROLEGATE_REASON_GRANT);
    EXPECT(rolegate_engine_check(e, S("11111111-0000-4000-8000-000000000001"), S("A.B/x/write"),
                                 S("/subscriptions/s1"), &d) == ROLEGATE_OK);
    EXPECT(d.allowed == 0);
    rolegate_engine_free(e);
  }
  rolegate_buffer_free(bundle);
  rolegate_buffer_free(report);
  rolegate_buffer_free(NULL);
}

static void test_errors(void) {
  rolegate_import_input good = {S("roles"), S("roles.json"), S(kRoles)};
  char *bundle = (char*)1, *report = (char*)1;
  size_t bl = 7, rl = 7;
  rolegate_error* err = NULL;

  /* malformed input: the message names the file and the pointer */
  rolegate_import_input bad = {S("roles"), S("my-roles.json"), S("[{\"name\": 5}]")};
  EXPECT(rolegate_import(S("azure"), &bad, 1, &bundle, &bl, &report, &rl, &err) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(bundle == NULL && report == NULL && bl == 0 && rl == 0);
  EXPECT(err != NULL && rolegate_error_code(err) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(err != NULL && strstr(rolegate_error_message(err), "my-roles.json: /0/name: ") != NULL);
  rolegate_error_free(err);
  err = NULL;

  EXPECT(rolegate_import(S("gcp"), &good, 1, &bundle, &bl, &report, &rl, &err) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_error_free(err);
  rolegate_import_input wrong_kind = {S("rolez"), S("x"), S(kRoles)};
  EXPECT(rolegate_import(S("azure"), &wrong_kind, 1, &bundle, &bl, &report, &rl, NULL) ==
         ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_import_input null_data = {S("roles"), S("x"), NULL, 5};
  EXPECT(rolegate_import(S("azure"), &null_data, 1, &bundle, &bl, &report, &rl, NULL) ==
         ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_import(S("azure"), NULL, 1, &bundle, &bl, &report, &rl, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_import(S("azure"), NULL, 0, &bundle, &bl, &report, &rl, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_import(S("azure"), &good, 1, NULL, &bl, &report, &rl, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_import(S("azure"), &good, 1, &bundle, &bl, NULL, &rl, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_import(NULL, 3, &good, 1, &bundle, &bl, &report, &rl, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(bundle == NULL && report == NULL);
}

int main(void) {
  test_azure_import();
  test_errors();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
