#pragma once
// The sandbox's custom fields beyond the agile ones (sprint, story points, epic link, severity,
// team in render.cpp): one of each schema type real sites have, so tools meet every shape:
// multi-select, cascading select, user and multi-user pickers, labels, URL, date picker,
// date-time, textarea (ADF on Cloud, wiki on Data Center), version, multi-version and group
// picker. Values are kept in Issue::custom in a flavour-neutral form (option ids, user indexes,
// version ids, strings) and shaped per flavour when rendered. Call with World::mu held.
#include "sandbox/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jira_mcp::sandbox::detail {

struct FieldDef;

// The field definitions of these custom fields (appended to field_defs()).
std::vector<FieldDef> extra_custom_field_defs();
bool is_extra_custom_field(std::string_view id);

// The value of field `id` of `is` as Jira renders it (null when unset).
Json extra_custom_value(const World& w, const Issue& is, const std::string& id);
// The allowedValues of field `id` on a create/edit screen of `project_key`, or null when the
// field has none.
Json extra_custom_allowed(const World& w, const std::string& id, const std::string& project_key);
// Sets field `id` of `is` from a request value, validating like Jira; the error message when the
// value is refused.
std::optional<std::string> set_extra_custom(const World& w, Issue& is, const std::string& id, const Json& value);

// Deterministic values for the seeded issues, from their own generator (so the rest of the
// dataset does not move); DEMO-1 gets a value in every custom field.
void seed_custom_values(Store& s, Flavor flavor, std::uint64_t seed, Millis now);

}  // namespace jira_mcp::sandbox::detail
