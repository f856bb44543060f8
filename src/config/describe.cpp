#include "config/text.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/config/keys.hpp"

namespace jira_mcp::config {

std::string describe(const Config& config) {
  std::string out = "# config file: " +
                    (config.config_path.empty() ? std::string("(none)")
                                                : detail::printable(config.config_path)) +
                    "\n";
  std::string section;
  for (const auto& spec : keys()) {
    const auto dot = spec.key.rfind('.');
    const auto this_section = std::string(spec.key.substr(0, dot));
    if (this_section != section) {
      section = this_section;
      out += "[" + section + "]\n";
    }
    out += std::string(spec.key.substr(dot + 1)) + " = " + toml_value(spec, config);
    if (const auto it = config.origins.find(std::string(spec.key)); it != config.origins.end()) {
      out += "  # from " + it->second;
    }
    out += "\n";
  }
  return out;
}

}  // namespace jira_mcp::config
