#!/usr/bin/env python3
"""An MCP host's first contact with an installed jira-mcp over stdio, against its sandbox:
initialize, tools/list, one tools/call (jira_list_projects). Exits non-zero, saying why, on any
departure; prints one summary line on success.
    handshake.py PATH/TO/jira-mcp"""
import json
import os
import selectors
import subprocess
import sys
import time


def fail(msg, proc=None):
    if proc:
        proc.kill()
        err = proc.stderr.read().decode(errors="replace")
        msg += "\n--- server stderr ---\n" + err[-3000:]
    sys.exit("handshake: FAIL: " + msg)


def main():
    binary = sys.argv[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRA")}
    env["JIRA_MCP_LOG_LEVEL"] = "warn"
    proc = subprocess.Popen([binary, "--sandbox"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd="/")
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""

    def call(msg_id, method, params):
        nonlocal buf
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}) + "\n").encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while True:
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    msg = json.loads(line)
                except ValueError:
                    fail("stdout carried a line that is not JSON: %r" % line[:200], proc)
                if msg.get("id") == msg_id:
                    if "result" not in msg:
                        fail("%s answered %s" % (method, json.dumps(msg)[:500]), proc)
                    return msg["result"]
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                fail("no answer to %s within 30 s" % method, proc)
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                fail("the server closed stdout before answering %s" % method, proc)
            buf += chunk

    init = call(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "package-check", "version": "1"}})
    if init.get("serverInfo", {}).get("name") != "jira-mcp":
        fail("initialize: serverInfo is %r" % init.get("serverInfo"), proc)
    proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    tools = [t["name"] for t in call(2, "tools/list", {}).get("tools", [])]
    if "jira_list_projects" not in tools:
        fail("tools/list lacks jira_list_projects: %r" % tools, proc)
    result = call(3, "tools/call", {"name": "jira_list_projects", "arguments": {}})
    text = json.dumps(result)
    if result.get("isError") or "DEMO" not in text:
        fail("jira_list_projects: %s" % text[:500], proc)
    proc.stdin.close()
    try:
        code = proc.wait(30)
    except subprocess.TimeoutExpired:
        fail("the server did not exit within 30 s of end of input", proc)
    if code != 0:
        fail("the server exited with %d at end of input" % code, proc)
    print("handshake: %s %s over stdio: initialize (protocol %s), tools/list (%d tools), "
          "tools/call jira_list_projects: ok" % (binary, init["serverInfo"].get("version"),
                                                 init.get("protocolVersion"), len(tools)))


main()
