// The uncached read path of the issue tools (Options::fast_parse): a response body is parsed
// with simdjson into a pooled parser and read in place.
//
// Where the time went before (perf of jira_get_issue on a 38 KB Cloud issue, cache off): a
// third in nlohmann's parser and the tree it builds (a malloc per value, a std::map per object)
// for the issue and for /field, a fifth in rendering its ADF, twice per comment. Now the rich
// text (description, comment bodies: nearly all of an issue's bytes) is rendered straight from
// the simdjson DOM by the one ADF renderer (content::adf_to_markdown over a JsonRef); the rest of
// the issue, small, becomes a nlohmann "skeleton" with the rich text left out, so the issue
// renderers (issue_markdown, issue_summary_json, custom fields) are the same code on both paths
// and the results are byte-identical (tests/tools/fast_read_test.cpp renders every fixture both
// ways). Cached reads keep the shared nlohmann document (every tool reading the cache needs it).
#include <algorithm>
#include <span>

#include "jira_mcp/content/convert.hpp"
#include "tools/common.hpp"
#include "tools/custom_fields.hpp"

namespace jira_mcp::tools {

std::shared_ptr<JsonParserPool> make_json_parser_pool() {
  JsonParserPool::Options o;
  o.max_idle = 16;
  // A parser keeps buffers the size of the largest body it read; one that read a huge page is
  // not kept.
  o.recycle = [](JsonParser& p) { return p.capacity() <= (std::size_t{8} << 20); };
  o.footprint = [](const JsonParser& p) { return p.capacity() * 3; };
  return std::make_shared<JsonParserPool>(std::move(o));
}

namespace detail {

Result<jira::Client::Read, jira::JiraError> Jira::get_read(const std::string& path, const jira::Query& query,
                                                           std::optional<JsonParserPool::Lease>& parser) {
  JsonParser* p = nullptr;
  if (services_->options.fast_parse && services_->json_parsers) {
    parser.emplace(services_->json_parsers->acquire());
    p = &**parser;
  }
  auto read = client().get_read(path, query, call_, p);
  if (!read) return unexpected(std::move(read).error());
  // As get_doc: a null body reads as an empty object.
  if (read->view && read->view->is_null()) return jira::Client::Read{std::make_shared<const Json>(Json::object()), std::nullopt};
  if (!read->view && (!read->doc || read->doc->is_null())) read->doc = std::make_shared<const Json>(Json::object());
  return read;
}

std::string Jira::markdown(JsonRef rich) const {
  if (const Json* j = rich.nlohmann()) return markdown(*j);
  if (rich.is_string()) return cloud_ ? std::string(rich.str()) : content::wiki_to_markdown(rich.str());
  if (rich.is_object()) return content::adf_to_markdown_view(rich);
  return {};
}

namespace {
bool kept(const KeptFields* keep, std::string_view key) { return !keep || keep->has(key); }

// The members of a user the issue renderers read (user_label, author_label).
constexpr std::string_view kUserMembers[] = {"displayName", "emailAddress", "name", "accountId", "key"};
// Of a status, type, priority, component or version: its name (name_of, joined).
constexpr std::string_view kNameMember[] = {"name"};

// An object as the issue renderers read it: only `members` (the avatar URLs, icons, self links
// and nested categories of a Cloud value are most of it). An object holding none of them is
// copied whole, so it reads as non-empty as before; anything else is copied as it is.
Json pruned(JsonRef value, std::span<const std::string_view> members) {
  if (!value.is_object()) return value.to_json();
  Json out = Json::object();
  value.for_each_member([&](std::string_view key, JsonRef v) {
    if (std::find(members.begin(), members.end(), key) != members.end()) out[std::string(key)] = v.to_json();
  });
  return out.empty() && !value.empty() ? value.to_json() : out;
}

// A standard field the renderers read only part of (issue_markdown, issue_summary_json), as
// they read it; any other field whole.
Json field_skeleton(std::string_view key, JsonRef value) {
  if (key == "assignee" || key == "reporter") return pruned(value, kUserMembers);
  if (key == "status" || key == "issuetype" || key == "priority") return pruned(value, kNameMember);
  if ((key == "components" || key == "fixVersions" || key == "versions") && value.is_array()) {
    Json out = Json::array();
    for (const JsonRef x : value) out.push_back(pruned(x, kNameMember));
    return out;
  }
  return value.to_json();
}

// Whether the issue renderers read this member of a comment (issue_markdown,
// issue_summary_json: its author, date and id, the id falling back to `self`); the rest
// (updateAuthor, updated, jsdPublic, visibility, ...) is left out of the skeleton.
bool comment_member_read(std::string_view key) {
  return key == "id" || key == "self" || key == "created" || key == "author" || key == "body";
}
// The members of an expanded read that describe the fields rather than being the issue.
bool expansion(std::string_view key) { return key == "names" || key == "schema"; }
}  // namespace

bool KeptFields::has(std::string_view id) const {
  return std::find(ids.begin(), ids.end(), id) != ids.end() || (all_custom && id.substr(0, 12) == "customfield_");
}

Json kept_fields_of(const Json& issue, const KeptFields& keep) {
  if (!issue.is_object()) return issue;
  Json out = Json::object();
  for (auto it = issue.begin(); it != issue.end(); ++it) {
    if (expansion(it.key())) continue;
    if (it.key() != "fields" || !it->is_object()) {
      out[it.key()] = *it;
      continue;
    }
    Json& f = out["fields"] = Json::object();
    for (auto m = it->begin(); m != it->end(); ++m) {
      if (kept(&keep, m.key())) f[m.key()] = *m;
    }
  }
  return out;
}

FastIssue fast_issue(const Jira& jira, JsonRef issue, const KeptFields* keep) {
  FastIssue out;
  out.doc = Json::object();
  if (!issue.is_object()) {
    out.doc = issue.to_json();
    return out;
  }
  // Stands in for rich text in the skeleton: non-null where the value was non-null, so every
  // presence test (rd::has) reads as before; its content is never rendered.
  const auto placeholder = [](JsonRef v) { return v.is_null() ? Json() : Json(true); };
  const JsonRef fields = issue["fields"];  // the last "fields", as nlohmann keeps it
  // Members in document order; a repeated key overwrites, so the last occurrence stays.
  issue.for_each_member([&](std::string_view key, JsonRef value) {
    if (keep && expansion(key)) return;
    if (key != "fields" || !fields.is_object()) out.doc[std::string(key)] = value.to_json();
  });
  if (!fields.is_object()) return out;
  Json& f = out.doc["fields"] = Json::object();
  fields.for_each_member([&](std::string_view key, JsonRef value) {
    if (!kept(keep, key)) return;
    if (key == "description") {
      f["description"] = placeholder(value);
    } else if (key == "comment" && value.is_object()) {
      Json comment = Json::object();
      value.for_each_member([&](std::string_view ckey, JsonRef cvalue) {
        if (ckey != "comments" || !cvalue.is_array()) {
          comment[std::string(ckey)] = cvalue.to_json();
          return;
        }
        Json list = Json::array();
        for (const JsonRef c : cvalue) {
          if (!c.is_object()) {
            list.push_back(c.to_json());
            continue;
          }
          Json one = Json::object();
          c.for_each_member([&](std::string_view k, JsonRef v) {
            if (!comment_member_read(k)) return;
            one[std::string(k)] = k == "body" ? placeholder(v) : k == "author" ? pruned(v, kUserMembers) : v.to_json();
          });
          list.push_back(std::move(one));
        }
        comment["comments"] = std::move(list);
      });
      f["comment"] = std::move(comment);
    } else {
      f[std::string(key)] = field_skeleton(key, value);
    }
  });
  if (const JsonRef d = fields["description"]; !d.is_null() && kept(keep, "description")) out.description = jira.markdown(d);
  if (const JsonRef comments = fields["comment"]["comments"]; comments.is_array() && kept(keep, "comment")) {
    for (const JsonRef c : comments) out.comments.push_back(jira.markdown(c["body"]));
  }
  return out;
}

}  // namespace detail
}  // namespace jira_mcp::tools
