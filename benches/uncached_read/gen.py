# Generates a realistic Jira Cloud issue (ADF description, 10 comments) as Jira answers
# GET /rest/api/3/issue/PROJ-1?fields=*all&expand=names,schema (every field of the issue, most custom
# ones null, as on a real site: the recorded go-atlassian issue has 92 fields, 46 of them null custom
# fields; plus the names and schema maps of those fields), and the site's /field list. jira-mcp
# reads the issue so in one request when its cache is off; with no names/schema it reads /field too.
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
u = "https://example.atlassian.net/rest/api/3/issue/PROJ-1/"
issue["fields"].update({
    "aggregateprogress": {"progress": 0, "total": 0}, "aggregatetimeestimate": None, "aggregatetimeoriginalestimate": None,
    "aggregatetimespent": None, "attachment": [], "environment": None, "issuerestriction": {"issuerestrictions": {}, "shouldDisplay": False},
    "lastViewed": "2026-11-12T10:20:00.000+0100", "progress": {"progress": 0, "total": 0}, "security": None,
    "statuscategorychangedate": "2026-11-01T09:00:00.000+0100", "subtasks": [], "timeestimate": None, "timeoriginalestimate": None,
    "timespent": None, "timetracking": {}, "versions": [], "votes": {"self": u + "votes", "votes": 0, "hasVoted": False},
    "watches": {"self": u + "watchers", "watchCount": 2, "isWatching": True},
    "worklog": {"startAt": 0, "maxResults": 20, "total": 0, "worklogs": []}, "workratio": -1,
    "customfield_10019": "0|i0001b:", "customfield_10000": "{}", "customfield_10026": []})
# The site's other custom fields: null on this issue, present in the answer (and in names/schema).
extra_custom = ["customfield_%d" % n for n in range(10030, 10075)]
for k in extra_custom: issue["fields"][k] = None
system = {"summary": ("Summary", "string"), "status": ("Status", "status"), "issuetype": ("Issue Type", "issuetype"),
          "priority": ("Priority", "priority"), "assignee": ("Assignee", "user"), "reporter": ("Reporter", "user"),
          "creator": ("Creator", "user"), "created": ("Created", "datetime"), "updated": ("Updated", "datetime"),
          "duedate": ("Due date", "date"), "resolution": ("Resolution", "resolution"), "resolutiondate": ("Resolved", "datetime"),
          "labels": ("Labels", ("array", "string")), "components": ("Components", ("array", "component")),
          "fixVersions": ("Fix versions", ("array", "version")), "versions": ("Affects versions", ("array", "version")),
          "parent": ("Parent", "issuelink"), "issuelinks": ("Linked Issues", ("array", "issuelinks")),
          "description": ("Description", "string"), "environment": ("Environment", "string"),
          "comment": ("Comment", "comments-page"), "project": ("Project", "project"),
          "aggregateprogress": ("Σ Progress", "progress"), "progress": ("Progress", "progress"),
          "aggregatetimeestimate": ("Σ Remaining Estimate", "number"), "aggregatetimeoriginalestimate": ("Σ Original Estimate", "number"),
          "aggregatetimespent": ("Σ Time Spent", "number"), "timeestimate": ("Remaining Estimate", "number"),
          "timeoriginalestimate": ("Original estimate", "number"), "timespent": ("Time Spent", "number"),
          "timetracking": ("Time tracking", "timetracking"), "attachment": ("Attachment", ("array", "attachment")),
          "issuerestriction": ("Restrict to", "issuerestriction"), "lastViewed": ("Last Viewed", "datetime"),
          "security": ("Security Level", "securitylevel"), "statuscategorychangedate": ("Status Category Changed", "datetime"),
          "subtasks": ("Sub-tasks", ("array", "issuelinks")), "votes": ("Votes", ("array", "votes")),
          "watches": ("Watchers", ("array", "watches")), "worklog": ("Log Work", ("array", "worklog")), "workratio": ("Work Ratio", "number")}
plug = "com.atlassian.jira.plugin.system.customfieldtypes:"
custom = {"customfield_10016": ("Story point estimate", {"type": "number", "custom": plug + "float"}),
          "customfield_10020": ("Sprint", {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}),
          "customfield_10014": ("Epic Link", {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"}),
          "customfield_10019": ("Rank", {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}),
          "customfield_10000": ("development", {"type": "any", "custom": "com.atlassian.jira.plugins.jira-development-integration-plugin:devsummarycf"}),
          "customfield_10026": ("Approvers", {"type": "array", "items": "user", "custom": plug + "multiuserpicker"})}
for i, k in enumerate(extra_custom):
    custom[k] = ("Site field %d" % i, {"type": "string", "custom": plug + ("textfield", "textarea", "select", "url")[i % 4]})
names, schema = {}, {}
for k in issue["fields"]:
    if k in system:
        n, t = system[k]
        names[k] = n
        schema[k] = {"type": t[0], "items": t[1], "system": k} if isinstance(t, tuple) else {"type": t, "system": k}
    else:
        n, sc = custom[k]
        names[k] = n
        schema[k] = dict(sc, customId=int(k.split("_")[1]))
issue["names"], issue["schema"] = names, schema
fields = [{"id": k, "key": k, "name": names[k], "custom": k.startswith("customfield"), "orderable": True, "navigable": True,
           "searchable": True, "clauseNames": [names[k].lower()], "schema": schema[k]} for k in issue["fields"]]
# What Jira answers the two-request read (fields=<the standard ones and sprint, story points, epic
# link>, no expand): those fields only.
asked = set("summary,status,issuetype,priority,assignee,reporter,created,updated,duedate,resolutiondate,labels,"
            "components,fixVersions,parent,subtasks,issuelinks,description,comment".split(",")) | {"customfield_10016", "customfield_10020", "customfield_10014"}
selected = {k: v for k, v in issue.items() if k not in ("names", "schema")}
selected["fields"] = {k: v for k, v in issue["fields"].items() if k in asked}
open("issue_all.json", "w").write(json.dumps(issue, indent=None, separators=(",", ":")))
open("issue.json", "w").write(json.dumps(selected, indent=None, separators=(",", ":")))
open("field.json", "w").write(json.dumps(fields))
open("serverInfo.json", "w").write(json.dumps({"baseUrl": "https://example.atlassian.net", "version": "1001.0.0-SNAPSHOT", "versionNumbers": [1001, 0, 0], "deploymentType": "Cloud", "buildNumber": 100300, "serverTitle": "Jira"}))
open("myself.json", "w").write(json.dumps(user(1)))
print(len(open("issue_all.json").read()), len(open("issue.json").read()))
