#pragma once
// What the doctor tests read from a report.
#include <string>

#include "jira_mcp/jira/doctor.hpp"

namespace jira_mcp::jira::testing {

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The check of that name in the report, or null.
inline const DoctorCheck* find(const DoctorReport& r, const std::string& name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace jira_mcp::jira::testing
