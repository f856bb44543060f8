// open_http_transport where the HTTP code is linked in (tests, tools built on the libraries):
// make_http_transport itself. The jira-mcp binary links src/net/loader.cpp instead.
#include "jira_mcp/jira/transport.hpp"

namespace jira_mcp::jira {

Result<std::unique_ptr<HttpTransport>> open_http_transport(const TransportOptions& options) {
  auto checked = check_transport_options(options);
  if (!checked) return unexpected(checked.error());
  warn_if_unverified(*checked, options);
  return make_http_transport(options);
}

}  // namespace jira_mcp::jira
