#pragma once
// Applying `fields` and `update` from create/edit/transition requests to an issue, with Jira's
// validation messages. Call with World::mu held exclusively.
#include "sandbox/model.hpp"

namespace jira_mcp::sandbox::detail {

struct WriteErrors {
  Json errors = Json::object();        // field → message
  std::vector<std::string> messages;  // errorMessages
  bool empty() const { return errors.empty() && messages.empty(); }
};

// Applies `fields` (set values) then `update` (operations) to `is`. When `creating`, the
// project and issue type are taken from `fields` and required fields are checked. Records a
// changelog entry authored by `user` when not creating. Comments in update.comment are added.
void apply_issue_write(World& w, Issue& is, const Json& fields, const Json& update, bool creating,
                       int user, WriteErrors& err);

// Creates an issue from a create request body; returns its id or fills `err`.
std::int64_t create_issue(World& w, const Json& body, int user, WriteErrors& err);

// Parses rich text for the flavour: ADF object (cloud) or string (dc). False if the wrong kind.
bool valid_rich_text(const World& w, const Json& v);

// A user reference from a request ({"accountId"} on cloud, {"name"|"key"} on dc, or null):
// -1 for null/unassigned, -2 if it names no user.
int user_ref(const World& w, const Json& v);

// Moves the issue to status `status_id` (resolution handling, changelog item).
void set_status(World& w, Issue& is, const std::string& status_id, int user,
                const std::string& resolution_id);

}  // namespace jira_mcp::sandbox::detail
