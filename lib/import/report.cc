// lib/import/report.cc — ImportReport and its JSON form.
#include "import/report.h"

#include "model/writer.h"

namespace rolegate::internal {

void ImportReport::Add(std::string kind, std::string source_file, std::string pointer, std::string what,
                       std::string why) {
  ++counts[kind];
  entries.push_back(Entry{std::move(kind), std::move(source_file), std::move(pointer), std::move(what),
                          std::move(why)});
}

namespace {

void WriteCounts(std::string* out, std::string_view key, const std::map<std::string, uint64_t>& m) {
  *out += "  ";
  AppendJsonQuoted(out, key);
  *out += ": {";
  bool first = true;
  for (const auto& [k, n] : m) {
    *out += first ? "" : ", ";
    first = false;
    AppendJsonQuoted(out, k);
    *out += ": " + std::to_string(n);
  }
  *out += "}";
}

}  // namespace

std::string WriteImportReportJson(const ImportReport& r) {
  std::string out = "{\n";
  WriteCounts(&out, "counts", r.counts);
  out += ",\n";
  WriteCounts(&out, "imported", r.imported);
  out += ",\n  \"entries\": [";
  for (size_t i = 0; i < r.entries.size(); ++i) {
    const ImportReport::Entry& e = r.entries[i];
    out += i ? ",\n    {\"kind\": " : "\n    {\"kind\": ";
    AppendJsonQuoted(&out, e.kind);
    out += ", \"source_file\": ";
    AppendJsonQuoted(&out, e.source_file);
    out += ", \"pointer\": ";
    AppendJsonQuoted(&out, e.pointer);
    out += ", \"what\": ";
    AppendJsonQuoted(&out, e.what);
    out += ", \"why\": ";
    AppendJsonQuoted(&out, e.why);
    out += "}";
  }
  out += r.entries.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace rolegate::internal
