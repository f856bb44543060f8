# Generates a realistic ~37 KB Jira Cloud issue (ADF description, 10 comments) + field list.
import json, random, sys
random.seed(7)
words = "login fails safari session cookie token refresh backend frontend cache proxy timeout retry queue worker deploy rollback metrics alert dashboard latency customer report regression".split()
def sent(n): return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
def text(t, marks=None):
    d = {"type": "text", "text": t}
    if marks: d["marks"] = marks
    return d
def para():
    return {"type": "paragraph", "content": [text(sent(12) + " "), text(sent(3), [{"type": "strong"}]), text(" " + sent(8) + " "),
            text("link", [{"type": "link", "attrs": {"href": "https://example.atlassian.net/browse/PROJ-" + str(random.randint(1, 999))}}]),
            text(" and "), text("code_call()", [{"type": "code"}]), text(". " + sent(10))]}
def bullet(n):
    return {"type": "bulletList", "content": [{"type": "listItem", "content": [{"type": "paragraph", "content": [text(sent(9))]}]} for _ in range(n)]}
def code():
    return {"type": "codeBlock", "attrs": {"language": "python"}, "content": [text("\n".join("def f%d(x):\n    return x * %d" % (i, i) for i in range(6)))]}
def doc(nblocks):
    c = [{"type": "heading", "attrs": {"level": 2}, "content": [text("Steps to reproduce")]}]
    for i in range(nblocks):
        c.append(para())
        if i % 3 == 0: c.append(bullet(3))
        if i % 4 == 1: c.append(code())
    return {"type": "doc", "version": 1, "content": c}
def user(n):
    return {"self": "https://example.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef%d" % n,
            "accountId": "5b10ac8d82e05b22cc7d4ef%d" % n, "emailAddress": "user%d@example.com" % n,
            "avatarUrls": {k: "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/U%d-%s.png" % (n, k) for k in ["48x48", "24x24", "16x16", "32x32"]},
            "displayName": "User Number %d" % n, "active": True, "timeZone": "Europe/Berlin", "accountType": "atlassian"}
comments = [{"self": "https://example.atlassian.net/rest/api/3/issue/10001/comment/%d" % (20000 + i), "id": str(20000 + i),
             "author": user(i % 4), "body": doc(1), "updateAuthor": user(i % 4),
             "created": "2026-11-%02dT10:15:30.000+0100" % (i + 1), "updated": "2026-11-%02dT10:15:30.000+0100" % (i + 1), "jsdPublic": True}
            for i in range(10)]
issue = {"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations", "id": "10001",
         "self": "https://example.atlassian.net/rest/api/3/issue/10001", "key": "PROJ-1",
         "fields": {"summary": "Login fails on Safari after the session cookie refresh",
                    "status": {"self": "https://example.atlassian.net/rest/api/3/status/3", "description": "", "iconUrl": "https://example.atlassian.net/", "name": "In Progress", "id": "3",
                               "statusCategory": {"self": "https://example.atlassian.net/rest/api/3/statuscategory/4", "id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}},
                    "issuetype": {"self": "https://example.atlassian.net/rest/api/3/issuetype/10004", "id": "10004", "description": "A problem", "iconUrl": "https://example.atlassian.net/rest/api/2/universal_avatar/view/type/issuetype/avatar/10303?size=medium", "name": "Bug", "subtask": False, "avatarId": 10303, "hierarchyLevel": 0},
                    "priority": {"self": "https://example.atlassian.net/rest/api/3/priority/2", "iconUrl": "https://example.atlassian.net/images/icons/priorities/high.svg", "name": "High", "id": "2"},
                    "assignee": user(1), "reporter": user(2), "creator": user(2),
                    "created": "2026-10-30T09:00:00.000+0100", "updated": "2026-11-12T10:15:30.000+0100", "duedate": None, "resolution": None, "resolutiondate": None,
                    "labels": ["safari", "auth", "regression"], "components": [{"self": "https://example.atlassian.net/rest/api/3/component/10000", "id": "10000", "name": "Web"}],
                    "fixVersions": [], "parent": None, "issuelinks": [],
                    "description": doc(6),
                    "comment": {"comments": comments, "self": "https://example.atlassian.net/rest/api/3/issue/10001/comment", "maxResults": 10, "total": 10, "startAt": 0},
                    "customfield_10016": 5.0, "customfield_10020": None, "customfield_10014": None,
                    "project": {"self": "https://example.atlassian.net/rest/api/3/project/10000", "id": "10000", "key": "PROJ", "name": "Project", "projectTypeKey": "software", "simplified": False}}}
fields = [{"id": k, "key": k, "name": n, "custom": k.startswith("customfield"), "orderable": True, "navigable": True, "searchable": True,
           "clauseNames": [n.lower()], "schema": {"type": "string", "system": k} if not k.startswith("customfield") else {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float", "customId": 10016}}
          for k, n in [("summary", "Summary"), ("status", "Status"), ("issuetype", "Issue Type"), ("priority", "Priority"), ("assignee", "Assignee"), ("reporter", "Reporter"),
                       ("created", "Created"), ("updated", "Updated"), ("labels", "Labels"), ("description", "Description"), ("comment", "Comment"), ("parent", "Parent"),
                       ("customfield_10016", "Story point estimate"), ("customfield_10020", "Sprint"), ("customfield_10014", "Epic Link")]]
open("issue.json", "w").write(json.dumps(issue, indent=None, separators=(",", ":")))
open("field.json", "w").write(json.dumps(fields))
open("serverInfo.json", "w").write(json.dumps({"baseUrl": "https://example.atlassian.net", "version": "1001.0.0-SNAPSHOT", "versionNumbers": [1001, 0, 0], "deploymentType": "Cloud", "buildNumber": 100300, "serverTitle": "Jira"}))
open("myself.json", "w").write(json.dumps(user(1)))
print(len(open("issue.json").read()))
