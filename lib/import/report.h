// lib/import/report.h — what an importer (`rolegate import azure|aws`) could
// not map 1:1 from the native policy data into the bundle, and where each
// such element came from (SPEC §16).
#ifndef ROLEGATE_LIB_IMPORT_REPORT_H_
#define ROLEGATE_LIB_IMPORT_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rolegate::internal {

// The import report: one entry per element not mapped 1:1, plus counts.
// Plain values; an importer fills it in a deterministic order (input order),
// so the same inputs give the same report.
struct ImportReport {
  struct Entry {
    std::string kind;         // short category, e.g. "unknown_action", "both_kinds"
    std::string source_file;  // the input file as the caller named it
    std::string pointer;      // RFC 6901 JSON pointer into that file ("" = the whole file)
    std::string what;         // the element, e.g. "action Microsoft.Foo/bar/read"
    std::string why;          // what was done with it and why
  };
  std::vector<Entry> entries;
  // Entries per kind (kept up to date by Add).
  std::map<std::string, uint64_t> counts;
  // What was imported, by the importer's own names ("roles", "actions",
  // "assignments", ...), set with Imported().
  std::map<std::string, uint64_t> imported;

  // Appends one entry and counts it under `kind`.
  void Add(std::string kind, std::string source_file, std::string pointer, std::string what, std::string why);
  // Adds n to imported[name].
  void Imported(std::string_view name, uint64_t n = 1) { imported[std::string(name)] += n; }
};

// The report as JSON: {"counts": {...}, "imported": {...}, "entries": [...]}
// with counts first (sorted by kind), one entry a line, each
// {"kind", "source_file", "pointer", "what", "why"}. Deterministic.
// Cost: O(size of the output).
std::string WriteImportReportJson(const ImportReport& r);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_IMPORT_REPORT_H_
