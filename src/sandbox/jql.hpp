#pragma once
// A JQL subset good enough for agents: the parser turns text into a tree, prepare_jql checks it
// against the Store (unknown fields, values, functions, operators) and resolves function calls and
// dates once, and jql_search filters and orders the issues.
//
// Errors carry Jira's own sentences ("Error in the JQL Query: Expecting ...", "Field 'x' does not
// exist or you do not have permission to view it.") so the routes can answer 400 with them.
#include <jira_mcp/core/result.hpp>

#include "sandbox/model.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jira_mcp::sandbox::detail {

enum class JqlOp { Eq, Ne, In, NotIn, Like, NotLike, Is, IsNot, Lt, Le, Gt, Ge };

struct JqlValue {
  enum class Kind { Literal, Function, Empty } kind = Kind::Literal;
  std::string text;               // the literal, or the function name
  std::vector<std::string> args;  // function arguments
};

struct JqlNode {
  enum class Kind { And, Or, Not, Clause } kind = Kind::Clause;
  std::vector<std::unique_ptr<JqlNode>> children;
  // Clause only:
  std::string field;  // canonical lower-case name after prepare (as written before)
  JqlOp op = JqlOp::Eq;
  std::vector<JqlValue> values;
  bool list = false;  // values came in parentheses
  // Filled by prepare_jql:
  std::vector<std::string> resolved;  // literal/function values as comparable strings
  std::vector<Millis> dates;          // date values
  std::vector<double> numbers;        // numeric values
  bool has_empty = false;             // EMPTY among the values
};

struct JqlOrder {
  std::string field;  // as written; canonical after prepare
  bool desc = false;
};

struct JqlQuery {
  std::unique_ptr<JqlNode> where;  // null: no restriction
  std::vector<JqlOrder> order;
};

Result<JqlQuery> parse_jql(std::string_view text);
// Validates and resolves against the Store for user `user` at time `now`.
Status<Error> prepare_jql(JqlQuery& q, const World& w, int user, Millis now);
bool jql_matches(const JqlQuery& q, const World& w, const Issue& is);
// Matching issues in query order (default: newest first). Requires a prepared query.
std::vector<const Issue*> jql_search(const JqlQuery& q, const World& w);
// Parse + prepare + search, for routes: Error.message is Jira's message.
Result<std::vector<const Issue*>> run_jql(std::string_view text, const World& w, int user,
                                          bool require_bounded = false);

}  // namespace jira_mcp::sandbox::detail
