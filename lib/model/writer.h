// lib/model/writer.h — the public bundle model (rolegate/bundle.h) -> bundle
// JSON, the inverse of LoadBundle (model/loader.h).
#ifndef ROLEGATE_LIB_MODEL_WRITER_H_
#define ROLEGATE_LIB_MODEL_WRITER_H_

#include <string>
#include <string_view>

#include "rolegate/bundle.h"

namespace rolegate::internal {

// Writes `b` as a bundle (SPEC §2, §10–§12; schema/bundle.schema.json):
// `"version": 1`, then each list in the schema's order, one entry a line.
// Every field the model holds is written, and nothing else: an empty
// top-level list, an absent optional, a default (`data` false,
// `apply_to_children` true), an empty role `name` and an empty role or
// deny list are omitted; `effective_only_at` and `assignable_scopes` are
// written (even `[]`) exactly when their has_ flag is set; a role with
// has_permissions writes `permissions` and never the four lists; a
// statement writes `not_actions`/`not_resources` when its flag is set and
// always one of each pair (they are required). AWS condition values keep
// their kind: strings quoted, numbers as their token text, booleans bare.
//
// Deterministic: the same model gives the same bytes (model order is kept;
// nothing is sorted here). Offsets (`off`) and `valid` are not written.
// LoadBundle of the result gives back the model field for field, provided
// the model holds what the loader can produce (valid UTF-8 strings, number
// texts that are JSON numbers); the writer does not check that.
// Cost: O(size of the output); one string, grown as it goes.
std::string WriteBundleJson(const model::Bundle& b);

// Appends `s` to *out as a JSON string literal: `"` and `\` escaped, control
// characters as \n, \t, ... or \u00XX, DEL as \u007f; other bytes (UTF-8)
// unchanged.
void AppendJsonQuoted(std::string* out, std::string_view s);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_MODEL_WRITER_H_
