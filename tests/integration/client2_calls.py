#!/usr/bin/env python3
"""The call plan for mcp_client_check.sh: one call of EVERY tool jira-mcp lists, with valid
arguments against the built-in sandbox, reads before writes and deletes last.

  client2_calls.py discover FLAVOR
      prints the --call arguments (NUL-separated) of a read-only discovery run whose --json
      output gives the ids the plan needs (comments, worklogs, attachments, links, ...).
  client2_calls.py plan FLAVOR TOOLS_JSON DISCOVERY_JSON
      prints the --call arguments (NUL-separated) of the run that calls every tool. Fails (exit 1,
      naming them) when the server lists a tool the plan does not call, or the plan calls a tool
      the server does not list: a new tool must get a call here.
  client2_calls.py check FLAVOR TOOLS_JSON RESULTS_JSON
      checks the --json output of the plan's run: one result per call, none isError (apart from
      EXPECTED_TOOL_ERRORS), and every tool with an outputSchema returned structuredContent
      (which the client validated against it).
"""
import json
import sys

ISSUE = "DEMO-1"

# Calls that must fail as a tool error (isError) in a flavour, with this text: real Jira Data
# Center has no endpoint for them, and the tool says so.
EXPECTED_TOOL_ERRORS = {"dc": {"jira_list_labels": "has no endpoint that lists all labels"}}


def discover_calls():
    return [
        ("jira_get_comments", {"issue_key": ISSUE}),
        ("jira_get_worklogs", {"issue_key": ISSUE}),
        ("jira_list_attachments", {"issue_key": ISSUE}),
        ("jira_list_components", {"project_key": "DEMO"}),
        ("jira_list_versions", {"project_key": "DEMO"}),
        ("jira_list_sprints", {"board_id": "1", "state": []}),
        ("jira_get_issue", {"issue_key": "DEMO-6", "format": "json"}),
        ("jira_get_current_user", {}),
    ]


def read_lines(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def ids_from(discovery):
    sc = {d["tool"]: d["result"].get("structuredContent") or {} for d in discovery}
    comments = [c["id"] for c in sc["jira_get_comments"].get("comments", [])]
    worklogs = [w["id"] for w in sc["jira_get_worklogs"].get("worklogs", [])]
    attachments = sc["jira_list_attachments"].get("attachments", [])
    components = [c["id"] for c in sc["jira_list_components"].get("components", [])]
    versions = [v["id"] for v in sc["jira_list_versions"].get("versions", [])]
    sprints = sc["jira_list_sprints"].get("sprints", [])
    links = sc["jira_get_issue"].get("links") or []
    me = sc["jira_get_current_user"]
    need = {"two comments on DEMO-1": len(comments) >= 2, "two worklogs on DEMO-1": len(worklogs) >= 2,
            "two attachments on DEMO-1": len(attachments) >= 2, "two DEMO components": len(components) >= 2,
            "a DEMO version": len(versions) >= 1, "a future sprint on board 1": any(s.get("state") == "future" for s in sprints),
            "an issue link on DEMO-6": len(links) >= 1, "the current user's id": bool(me.get("accountId") or me.get("name"))}
    missing = [k for k, ok in need.items() if not ok]
    if missing:
        sys.exit("client2_calls.py: the sandbox lacks " + ", ".join(missing) + "; adjust the plan")
    return {
        "comment_edit": comments[-1], "comment_delete": comments[0],
        "worklog_edit": worklogs[0], "worklog_delete": worklogs[-1],
        "attachment_read": attachments[0]["id"], "attachment_delete": attachments[-1]["id"],
        "component_edit": components[-1], "component_delete": components[0],
        "version_edit": versions[-1],
        "sprint_active": next((s["id"] for s in sprints if s.get("state") == "active"), sprints[0]["id"]),
        "sprint_future": next(s["id"] for s in sprints if s.get("state") == "future"),
        "link_delete": links[0]["id"],
        "me": me.get("accountId") or me.get("name"),
    }


def plan_calls(ids):
    k = ISSUE
    return [
        # --- reads ------------------------------------------------------------------------------
        ("jira_server_status", {}),
        ("jira_get_current_user", {}),
        ("jira_list_projects", {}),
        ("jira_get_project", {"project_key": "DEMO"}),
        ("jira_get_project_issue_types", {"project_key": "DEMO"}),
        ("jira_get_create_fields", {"project_key": "DEMO", "issue_type": "Task"}),
        ("jira_get_edit_fields", {"issue_key": k}),
        ("jira_search_fields", {"query": "story"}),
        ("jira_get_field_options", {"project_key": "DEMO", "issue_type": "Bug", "field": "priority"}),
        ("jira_list_priorities", {}),
        ("jira_list_statuses", {"project_key": "DEMO"}),
        ("jira_get_project_metadata", {"project_key": "DEMO"}),
        ("jira_list_components", {"project_key": "DEMO"}),
        ("jira_list_versions", {"project_key": "DEMO"}),
        ("jira_list_labels", {}),
        ("jira_search_users", {"query": "bob"}),
        ("jira_search_assignable_users", {"project_key": "DEMO", "query": "a"}),
        ("jira_get_user", {"user": ids["me"]}),
        ("jira_list_link_types", {}),
        ("jira_list_boards", {}),
        ("jira_get_board_issues", {"board_id": "1", "max_results": 5}),
        ("jira_list_sprints", {"board_id": "1", "state": []}),
        ("jira_get_sprint", {"sprint_id": ids["sprint_active"]}),
        ("jira_get_sprint_issues", {"sprint_id": ids["sprint_active"], "max_results": 5}),
        ("jira_get_epic_issues", {"epic_key": "DEMO-2"}),
        ("jira_search", {"jql": "project = DEMO order by key", "max_results": 50}),
        ("jira_count_issues", {"jql": "project = DEMO"}),
        ("jira_get_issue", {"issue_key": k}),
        ("jira_get_issues", {"issue_keys": [k, "DEMO-2"]}),
        ("jira_get_issue_changelog", {"issue_key": k}),
        ("jira_get_comments", {"issue_key": k}),
        ("jira_get_transitions", {"issue_key": k}),
        ("jira_list_attachments", {"issue_key": k}),
        ("jira_download_attachment", {"attachment_id": ids["attachment_read"]}),
        ("jira_get_issue_images", {"issue_key": k}),
        ("jira_get_remote_links", {"issue_key": k}),
        ("jira_get_worklogs", {"issue_key": k}),
        ("jira_get_watchers", {"issue_key": k}),
        # --- writes -----------------------------------------------------------------------------
        ("jira_create_issue", {"project_key": "DEMO", "summary": "mcp-client2 check", "labels": ["client-check"]}),
        ("jira_update_issue", {"issue_key": k, "summary": "Fix the webhook delivery (checked)"}),
        ("jira_assign_issue", {"issue_key": "DEMO-4", "assignee": "bob@example.com"}),
        ("jira_add_comment", {"issue_key": k, "body": "Checked by **mcp-client2**."}),
        ("jira_edit_comment", {"issue_key": k, "comment_id": ids["comment_edit"], "body": "Edited by mcp-client2."}),
        ("jira_transition_issue", {"issue_key": "DEMO-4", "transition": "In Progress"}),
        ("jira_create_component", {"project_key": "DEMO", "name": "Client check"}),
        ("jira_update_component", {"component_id": ids["component_edit"], "description": "Checked."}),
        ("jira_create_version", {"project_key": "DEMO", "name": "9.9.9", "release_date": "2099-01-31"}),
        ("jira_update_version", {"version_id": ids["version_edit"], "description": "Checked."}),
        ("jira_update_labels", {"issue_key": k, "add": ["checked"]}),
        ("jira_batch_create_issues", {"project_key": "DEMO", "issues": [{"summary": "batch one"}, {"summary": "batch two"}]}),
        ("jira_clone_issue", {"issue_key": "DEMO-5"}),
        ("jira_bulk_update_issues", {"issue_keys": ["DEMO-8", "DEMO-9"], "update": {"labels": ["bulk"]}}),
        ("jira_bulk_transition_issues", {"issue_keys": ["DEMO-8", "DEMO-9"], "transition": "In Review"}),
        ("jira_bulk_add_comments", {"items": [{"issue_key": "DEMO-8", "body": "bulk one"}, {"issue_key": "DEMO-9", "body": "bulk two"}]}),
        ("jira_create_sprint", {"board_id": "1", "name": "Client check sprint"}),
        ("jira_update_sprint", {"sprint_id": ids["sprint_future"], "goal": "Checked"}),
        ("jira_add_issues_to_sprint", {"sprint_id": ids["sprint_future"], "issue_keys": ["DEMO-10"]}),
        ("jira_move_issues_to_backlog", {"issue_keys": ["DEMO-10"]}),
        ("jira_rank_issues", {"issue_keys": ["DEMO-11"], "before": "DEMO-12"}),
        ("jira_upload_attachment", {"issue_key": k, "filename": "check.txt", "content_base64": "aGVsbG8K"}),
        ("jira_create_issue_link", {"from_issue": k, "to_issue": "DEMO-4", "link_type": "Relates"}),
        ("jira_link_to_epic", {"issue_key": "DEMO-21", "epic_key": "DEMO-3"}),
        ("jira_create_remote_link", {"issue_key": k, "url": "https://example.com/check", "title": "Check"}),
        ("jira_add_worklog", {"issue_key": k, "time_spent": "1h"}),
        ("jira_update_worklog", {"issue_key": k, "worklog_id": ids["worklog_edit"], "time_spent": "3h"}),
        ("jira_add_watcher", {"issue_key": k}),
        ("jira_remove_watcher", {"issue_key": k}),
        # --- deletes, after every read and write of the same things --------------------------------
        ("jira_delete_worklog", {"issue_key": k, "worklog_id": ids["worklog_delete"]}),
        ("jira_delete_comment", {"issue_key": k, "comment_id": ids["comment_delete"]}),
        ("jira_delete_attachment", {"attachment_id": ids["attachment_delete"]}),
        ("jira_delete_issue_link", {"link_id": ids["link_delete"]}),
        ("jira_delete_component", {"component_id": ids["component_delete"]}),
        ("jira_delete_issue", {"issue_key": "DEMO-19"}),
    ]


def emit(calls):
    parts = []
    for name, args in calls:
        parts += ["--call", name, json.dumps(args)]
    sys.stdout.write("\0".join(parts) + "\0")


def main(argv):
    if len(argv) >= 2 and argv[0] == "discover":
        emit(discover_calls())
        return 0
    if len(argv) == 4 and argv[0] == "plan":
        listed = {t["name"] for t in json.load(open(argv[2]))["tools"]}
        calls = plan_calls(ids_from(read_lines(argv[3])))
        planned = [n for n, _ in calls]
        problems = []
        unplanned = sorted(listed - set(planned))
        if unplanned:
            problems.append("the server lists tools the plan does not call: " + ", ".join(unplanned))
        unlisted = sorted(set(planned) - listed)
        if unlisted:
            problems.append("the plan calls tools the server does not list: " + ", ".join(unlisted))
        if len(planned) != len(set(planned)):
            problems.append("the plan calls a tool twice")
        if problems:
            sys.exit("client2_calls.py: " + "; ".join(problems) + " (edit tests/integration/client2_calls.py)")
        emit(calls)
        return 0
    if len(argv) == 4 and argv[0] == "check":
        expected_errors = EXPECTED_TOOL_ERRORS.get(argv[1], {})
        tools = {t["name"]: t for t in json.load(open(argv[2]))["tools"]}
        # The run's --list line comes first: the client validates structured results only against
        # a tools/list it holds.
        results = [r for r in read_lines(argv[3]) if "tool" in r]
        problems = []
        if len(results) != len(tools):
            problems.append(f"{len(results)} results for {len(tools)} tools")
        for r in results:
            res = r["result"]
            text = " ".join(p.get("text", "") for p in res.get("content", []))
            if r["tool"] in expected_errors:
                if not res.get("isError") or expected_errors[r["tool"]] not in text:
                    problems.append(f"{r['tool']} should fail saying '{expected_errors[r['tool']]}': {text[:300]}")
                continue
            if res.get("isError"):
                problems.append(f"{r['tool']} isError: {text[:300]}")
            if "outputSchema" in tools.get(r["tool"], {}) and "structuredContent" not in res:
                problems.append(f"{r['tool']} has an outputSchema but returned no structuredContent")
        if problems:
            sys.exit("client2_calls.py check: " + "; ".join(problems))
        print(f"{len(results)} tools called ({len(expected_errors)} failing as expected), "
              f"{sum(1 for r in results if 'structuredContent' in r['result'])} structured results validated")
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
