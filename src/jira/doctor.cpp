// doctor runs the checks a support engineer would, in dependency order, and stops at the first
// one that makes the rest meaningless (no options → no request; no connection → no auth).
#include "jira_mcp/jira/doctor.hpp"

#include <algorithm>
#include <cctype>

#include "jira_mcp/jira/client.hpp"

namespace jira_mcp::jira {

namespace {

std::string fix_for(const JiraError& e) {
  switch (e.kind) {
    case ErrorKind::config: return "fix the setting named above: " + e.detail;
    case ErrorKind::auth:
      return "check JIRA_API_TOKEN/JIRA_EMAIL (Cloud) or JIRA_PAT (Data Center); create a new token if it "
             "expired or was revoked";
    case ErrorKind::permission: return "use an account allowed to browse Jira, or ask an administrator";
    case ErrorKind::not_found:
    case ErrorKind::protocol:
      return "JIRA_URL does not lead to the Jira REST API; check the host and the context path (e.g. "
             "https://host/jira)";
    case ErrorKind::tls:
      return e.detail.find("verif") != std::string::npos
                 ? "set ca_bundle to the PEM file of the CA that signed the Jira certificate (insecure=true "
                   "only for testing)"
                 : "check that JIRA_URL uses https on a TLS port, and the proxy settings";
    case ErrorKind::connect:
      return "check JIRA_URL (host, port), DNS, firewall, and proxy / no_proxy";
    case ErrorKind::timeout:
      return "Jira is slow or unreachable: check the network and proxy, or raise read_timeout";
    case ErrorKind::rate_limited: return "Jira is rate limiting this user: wait, or lower rate_rps";
    default: return "retry later; if it persists check Jira's status";
  }
}

void collect_rate_headers(const HttpHeaders& headers, std::map<std::string, std::string>& out) {
  for (const auto& [k, v] : headers) {
    std::string lk(k);
    std::transform(lk.begin(), lk.end(), lk.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lk.starts_with("x-ratelimit") || lk == "retry-after" || lk == "beta-retry-after") out[k] = v;
  }
}

}  // namespace

bool DoctorReport::ok() const {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const DoctorCheck& c) { return c.ok; });
}

DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport, int pings) {
  DoctorReport report;
  report.tls.verify = !options.insecure;
  report.tls.ca_bundle = options.ca_bundle;

  auto valid = validate(options);
  if (!valid) {
    report.checks.push_back({"options", false, valid.error().detail, fix_for(valid.error())});
    return report;
  }
  report.checks.push_back({"options", true, "URL and credentials are set", ""});

  ClientOptions probe = options;
  probe.retry_attempts = std::min(options.retry_attempts, 2);
  probe.request_timeout = std::min(options.request_timeout, std::chrono::milliseconds(15000));
  probe.rate_rps = 0;
  probe.executor_threads = 1;
  auto client = transport ? Client::create(probe, std::move(transport)) : Client::create(probe);
  if (!client) {
    report.checks.push_back({"options", false, client.error().detail, fix_for(client.error())});
    return report;
  }
  Client& c = **client;

  auto info = c.get("/rest/api/2/serverInfo");
  report.tls = c.tls_info();
  if (!info) {
    report.checks.push_back({"reachability", false, info.error().to_string(), fix_for(info.error())});
    return report;
  }
  collect_rate_headers(info->headers, report.rate_limit_headers);
  auto info_json = info->json();
  if (!info_json || !info_json->is_object()) {
    JiraError e;
    e.kind = ErrorKind::protocol;
    report.checks.push_back({"reachability", false, "serverInfo did not return JSON", fix_for(e)});
    return report;
  }
  const std::string type = string_or(*info_json, "deploymentType");
  report.version = string_or(*info_json, "version");
  report.checks.push_back({"reachability", true,
                           "reached " + string_or(*info_json, "baseUrl", options.url) + " (Jira " + report.version + ")", ""});

  auto deployment = c.deployment();
  if (deployment) {
    report.deployment = to_string(*deployment);
    const bool detected_cloud = type == "Cloud";
    const bool mismatch = !type.empty() && options.deployment != DeploymentMode::auto_detect &&
                          (*deployment == Deployment::cloud) != detected_cloud;
    if (mismatch) {
      report.checks.push_back({"deployment", false,
                               "configured as " + report.deployment + " but the server says '" + type + "'",
                               "set the deployment option to auto (or to match the server)"});
    } else {
      report.checks.push_back({"deployment", true, report.deployment + " (deploymentType '" + type + "')", ""});
    }
  }

  auto me = c.myself();
  if (!me) {
    report.checks.push_back({"authentication", false, me.error().to_string(), fix_for(me.error())});
  } else {
    std::string who = string_or(*me, "displayName", "?");
    std::string id = string_or(*me, "accountId", string_or(*me, "name", string_or(*me, "key")));
    report.user = id.empty() ? who : who + " (" + id + ")";
    report.checks.push_back({"authentication", true, "authenticated as " + report.user, ""});
  }

  std::vector<std::chrono::milliseconds> samples;
  for (int i = 0; i < pings; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.get("/rest/api/2/serverInfo");
    auto dt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    if (!r) continue;
    collect_rate_headers(r->headers, report.rate_limit_headers);
    samples.push_back(dt);
  }
  if (!samples.empty()) {
    std::sort(samples.begin(), samples.end());
    report.latency_median = samples[samples.size() / 2];
    report.checks.push_back({"latency", true,
                             "median " + std::to_string(report.latency_median->count()) + " ms over " +
                                 std::to_string(samples.size()) + " pings", ""});
  } else if (pings > 0) {
    report.checks.push_back({"latency", false, "no ping succeeded", "check the network between here and Jira"});
  }

  report.tls = c.tls_info();
  if (report.tls.enabled) {
    DoctorCheck tls{"tls", true, "", "", false};
    tls.detail = (report.tls.protocol.empty() ? "TLS" : report.tls.protocol) +
                 (report.tls.verify ? ", certificate verified" : ", certificate NOT verified") +
                 (report.tls.ca_bundle.empty() ? " (system CA store)" : " (CA bundle " + report.tls.ca_bundle + ")");
    if (!report.tls.verify) {
      tls.warning = true;
      tls.fix = "turn insecure off and set ca_bundle to your CA's PEM file";
    }
    report.checks.push_back(tls);
  } else if (options.url.rfind("http://", 0) == 0) {
    report.checks.push_back({"tls", true, "plain HTTP: credentials travel unencrypted", "use https in JIRA_URL", true});
  }
  return report;
}

std::string render(const DoctorReport& report) {
  std::string out;
  for (const auto& c : report.checks) {
    out += c.ok ? (c.warning ? "[warn] " : "[ok]   ") : "[FAIL] ";
    out += c.name + ": " + c.detail + "\n";
    if (!c.fix.empty()) out += "       fix: " + c.fix + "\n";
  }
  if (!report.deployment.empty()) out += "deployment: " + report.deployment + "\n";
  if (!report.version.empty()) out += "version: " + report.version + "\n";
  if (!report.user.empty()) out += "user: " + report.user + "\n";
  if (report.latency_median) out += "latency (median): " + std::to_string(report.latency_median->count()) + " ms\n";
  for (const auto& [k, v] : report.rate_limit_headers) out += "rate limit header: " + k + ": " + v + "\n";
  out += report.ok() ? "result: OK\n" : "result: PROBLEMS FOUND\n";
  return out;
}

}  // namespace jira_mcp::jira
