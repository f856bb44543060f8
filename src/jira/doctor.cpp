// doctor runs the checks a support engineer would, in dependency order, and stops at the first
// one that makes the rest meaningless (no options → no request; no connection → no auth).
#include "jira_mcp/jira/doctor.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

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

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The last 401/403 the client received: Jira says why in headers the client does not keep.
class AuthRefusalRecorder final : public HttpTransport {
 public:
  struct Refusal {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
  };

  explicit AuthRefusalRecorder(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}

  Result<HttpResponse, TransportError> send(const HttpRequest& request, const Deadline& deadline) override {
    auto r = inner_->send(request, deadline);
    if (r && (r->status == 401 || r->status == 403)) {
      Refusal refusal{r->status, {}};
      for (const auto& [k, v] : r->headers) refusal.headers[lower(k)] = v;
      std::lock_guard lock(mu_);
      last_ = std::move(refusal);
    }
    return r;
  }
  PoolStats pool_stats() const override { return inner_->pool_stats(); }
  TlsInfo tls_info() const override { return inner_->tls_info(); }

  std::optional<Refusal> last() const {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  mutable std::mutex mu_;
  std::optional<Refusal> last_;
};

bool cloud_host(const std::string& url) {
  auto base = parse_base_url(url);
  if (!base) return false;
  const auto host = lower(base->host);
  return host.ends_with(".atlassian.net") || host.ends_with(".jira.com") || host.ends_with(".jira-dev.com");
}

enum class Site { unknown, cloud, datacenter };

// serverInfo's word first (it is the server's), then the configured deployment, then the name.
Site guess_site(const ClientOptions& o, const std::string& deployment_type, const DoctorOptions& d) {
  if (deployment_type == "Cloud") return Site::cloud;
  if (!deployment_type.empty()) return Site::datacenter;
  if (o.deployment == DeploymentMode::cloud) return Site::cloud;
  if (o.deployment == DeploymentMode::datacenter) return Site::datacenter;
  const bool cloud = d.is_cloud_url ? d.is_cloud_url(o.url) : cloud_host(o.url);
  return cloud ? Site::cloud : Site::unknown;
}

enum class Auth { none, pat, cloud_token, dc_basic };

Auth auth_mode(const ClientOptions& o) {
  if (!o.pat.empty()) return Auth::pat;
  if (!o.email.empty() || !o.api_token.empty()) return Auth::cloud_token;
  if (!o.username.empty() || !o.password.empty()) return Auth::dc_basic;
  return Auth::none;
}

// Cloud API tokens made since 2023 start with this; a PAT never does.
bool looks_like_cloud_api_token(const std::string& token) { return token.starts_with("ATATT"); }

constexpr const char* kCloudTokenPage = "https://id.atlassian.com/manage-profile/security/api-tokens";

// The credential mix-up a refusal points to, with the variables to use; empty when it points
// to none in particular.
std::string credential_advice(const ClientOptions& o, Site site, const AuthRefusalRecorder::Refusal* refusal) {
  const Auth mode = auth_mode(o);
  if (refusal) {
    const auto seraph = refusal->headers.find("x-seraph-loginreason");
    const auto denied = refusal->headers.find("x-authentication-denied-reason");
    const bool captcha = denied != refusal->headers.end() ||
                         (seraph != refusal->headers.end() && lower(seraph->second).find("denied") != std::string::npos);
    if (captcha) {
      std::string reason = denied != refusal->headers.end() ? denied->second : seraph->second;
      reason = reason.substr(0, std::min(reason.find(';'), std::size_t{60}));
      return "Jira refused basic auth for this account (" + reason +
             "): after failed logins it asks for a CAPTCHA, which an API client cannot answer. Log in once in a "
             "browser to clear it; better, create a personal access token (Profile > Personal Access Tokens) and set "
             "JIRA_PAT instead of JIRA_USERNAME + JIRA_PASSWORD";
    }
  }
  switch (mode) {
    case Auth::pat:
      if (site == Site::cloud) {
        if (looks_like_cloud_api_token(o.pat)) {
          return "JIRA_PAT holds what looks like a Jira Cloud API token: Cloud takes it as JIRA_API_TOKEN together "
                 "with JIRA_EMAIL (your Atlassian account email); move it there and unset JIRA_PAT";
        }
        return std::string("this is Jira Cloud, which does not accept personal access tokens (JIRA_PAT is for Data "
                           "Center): use JIRA_EMAIL + JIRA_API_TOKEN (create a token at ") +
               kCloudTokenPage + ") and unset JIRA_PAT";
      }
      if (site == Site::datacenter) {
        if (looks_like_cloud_api_token(o.pat)) {
          return "JIRA_PAT holds what looks like a Jira Cloud API token, but this is Data Center: create a personal "
                 "access token in this Jira (Profile > Personal Access Tokens) and set JIRA_PAT to it";
        }
        return "Jira Data Center refused JIRA_PAT: it may be mistyped, expired or revoked (PATs need Jira 8.14 or "
               "later); create a new one under Profile > Personal Access Tokens";
      }
      return "";
    case Auth::cloud_token:
      if (site == Site::datacenter) {
        return "this is Jira Data Center, which does not accept Cloud API tokens (JIRA_EMAIL + JIRA_API_TOKEN): "
               "create a personal access token in this Jira (Profile > Personal Access Tokens) and set JIRA_PAT "
               "(or JIRA_USERNAME + JIRA_PASSWORD), and unset JIRA_EMAIL and JIRA_API_TOKEN";
      }
      if (site == Site::cloud) {
        return std::string("Jira Cloud refused JIRA_EMAIL + JIRA_API_TOKEN: JIRA_EMAIL must be the email of the "
                           "Atlassian account that created the token, and the token must not be expired or revoked "
                           "(create a new one at ") +
               kCloudTokenPage + ")";
      }
      return "";
    case Auth::dc_basic:
      if (site == Site::cloud) {
        return std::string("this is Jira Cloud, which does not accept account passwords (JIRA_USERNAME + "
                           "JIRA_PASSWORD are for Data Center): use JIRA_EMAIL + JIRA_API_TOKEN (create a token at ") +
               kCloudTokenPage + ")";
      }
      if (site == Site::datacenter) {
        return "Jira Data Center refused JIRA_USERNAME + JIRA_PASSWORD: check them; if this Jira signs in through "
               "SSO, basic auth may be off: use a personal access token as JIRA_PAT";
      }
      return "";
    case Auth::none:
      return "Jira requires authentication: set JIRA_EMAIL + JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT (Data Center)";
  }
  return "";
}

// Mix-ups visible without asking Jira: a PAT or a password for a Cloud site name.
std::string static_credential_advice(const ClientOptions& o, const DoctorOptions& d) {
  const Site site = guess_site(o, "", d);
  const Auth mode = auth_mode(o);
  if (mode == Auth::pat && (site == Site::cloud || looks_like_cloud_api_token(o.pat))) {
    return credential_advice(o, Site::cloud, nullptr);
  }
  if (mode == Auth::dc_basic && site == Site::cloud) return credential_advice(o, site, nullptr);
  return "";
}

DoctorCheck refused_check(std::string name, const JiraError& e, const ClientOptions& o, Site site,
                          const AuthRefusalRecorder& recorder) {
  const auto refusal = recorder.last();
  std::string advice = credential_advice(o, site, refusal ? &*refusal : nullptr);
  return {std::move(name), false, e.to_string(), advice.empty() ? fix_for(e) : advice};
}

bool is_refusal(const JiraError& e) {
  return e.kind == ErrorKind::auth || (e.kind == ErrorKind::permission && e.http_status == 403);
}

}  // namespace

bool DoctorReport::ok() const {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const DoctorCheck& c) { return c.ok; });
}

bool jira_unconfigured(const ClientOptions& o) {
  return o.url.empty() && auth_mode(o) == Auth::none;
}

DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport, int pings) {
  DoctorOptions d;
  d.pings = pings;
  return run_doctor(options, std::move(transport), d);
}

DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport,
                        const DoctorOptions& doctor) {
  DoctorReport report;
  report.tls.verify = !options.insecure;
  report.tls.ca_bundle = options.ca_bundle;
  const int pings = doctor.pings;

  if (jira_unconfigured(options)) {
    DoctorCheck sandbox{"jira", true,
                        "no Jira is configured, so jira-mcp serves its built-in sandbox: a throw-away emulator "
                        "with made-up data, not your Jira",
                        "to use your Jira set JIRA_URL and JIRA_EMAIL + JIRA_API_TOKEN (Jira Cloud; token from " +
                            std::string(kCloudTokenPage) +
                            ") or JIRA_PAT (Data Center; Profile > Personal Access Tokens)"};
    sandbox.info = true;
    report.checks.push_back(std::move(sandbox));
    return report;
  }

  auto valid = validate(options);
  if (!valid) {
    report.checks.push_back({"options", false, valid.error().detail, fix_for(valid.error())});
    return report;
  }
  report.checks.push_back({"options", true, "URL and credentials are set", ""});
  if (auto advice = static_credential_advice(options, doctor); !advice.empty()) {
    // Refused by every such site: a failure even before asking.
    report.checks.push_back({"credentials", false, "these credentials do not fit this Jira", advice});
  }
  if (doctor.offline) {
    report.checks.push_back({"network", true, "not checked (--offline): Jira was not contacted", "", false, true});
    return report;
  }

  ClientOptions probe = options;
  probe.retry_attempts = std::min(options.retry_attempts, 2);
  probe.request_timeout = std::min(options.request_timeout, std::chrono::milliseconds(15000));
  probe.rate_rps = 0;
  probe.executor_threads = 1;
  if (!transport) {
    auto built = make_transport(probe);
    if (!built) {
      report.checks.push_back({"options", false, built.error().detail, fix_for(built.error())});
      return report;
    }
    transport = std::move(*built);
  }
  auto recorder = std::make_shared<AuthRefusalRecorder>(std::move(transport));
  auto client = Client::create(probe, recorder);
  if (!client) {
    report.checks.push_back({"options", false, client.error().detail, fix_for(client.error())});
    return report;
  }
  Client& c = **client;

  auto info = c.get("/rest/api/2/serverInfo");
  report.tls = c.tls_info();
  if (!info) {
    if (is_refusal(info.error())) {
      report.checks.push_back(refused_check("reachability", info.error(), options, guess_site(options, "", doctor), *recorder));
    } else {
      report.checks.push_back({"reachability", false, info.error().to_string(), fix_for(info.error())});
    }
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
    if (is_refusal(me.error())) {
      report.checks.push_back(refused_check("authentication", me.error(), options, guess_site(options, type, doctor), *recorder));
    } else {
      report.checks.push_back({"authentication", false, me.error().to_string(), fix_for(me.error())});
    }
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
    out += !c.ok ? "[FAIL] " : c.warning ? "[warn] " : c.info ? "[info] " : "[ok]   ";
    out += c.name + ": " + c.detail + "\n";
    if (!c.fix.empty()) out += std::string(c.info ? "       how: " : "       fix: ") + c.fix + "\n";
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
