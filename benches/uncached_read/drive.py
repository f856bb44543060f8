# drive.py BIN JIRA_URL CONFIG SEQ PAR: jira-mcp over stdio against a Jira at JIRA_URL:
# time to the initialize reply, SEQ sequential jira_get_issue(PROJ-1, comments 10), then PAR calls
# with 8 in flight. Prints one line of figures.
import json, os, subprocess, sys, time, statistics
binary, url, config = sys.argv[1], sys.argv[2], sys.argv[3]
seq, par = int(sys.argv[4]), int(sys.argv[5])
env = dict(os.environ, JIRA_URL=url, JIRA_EMAIL="a@b.c", JIRA_API_TOKEN="t", JIRA_DEPLOYMENT="cloud",
           JIRA_MCP_CONFIG=config, JIRA_MCP_LOG_LEVEL="error")
t0 = time.perf_counter()
p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0)
out = os.fdopen(p.stdout.fileno(), "rb", buffering=1 << 20)
def send(o): p.stdin.write((json.dumps(o) + "\n").encode())
send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "d", "version": "1"}}})
out.readline(); t_init = time.perf_counter() - t0
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
call = lambda i: {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                  "params": {"name": "jira_get_issue", "arguments": {"issue_key": "PROJ-1", "comments": 10}}}
send(call(1)); first = json.loads(out.readline())
if "error" in first or first["result"].get("isError"): sys.exit("the first call failed: %s" % json.dumps(first)[:400])
def cpu():  # the server's user+system CPU seconds so far (less noisy than wall time on a shared machine)
    f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
lat = []
c0 = cpu()
for i in range(seq):
    a = time.perf_counter(); send(call(100 + i)); out.readline(); lat.append(time.perf_counter() - a)
cpu_seq = cpu() - c0
done = sent = 0; a = time.perf_counter()
while sent < min(8, par): send(call(10000 + sent)); sent += 1
while done < par:
    out.readline(); done += 1
    if sent < par: send(call(10000 + sent)); sent += 1
el = time.perf_counter() - a
p.stdin.close(); p.wait()
print("%s: init %.1f ms, sequential p50 %.3f ms (total %.2f s, server CPU %.3f ms a call), %s calls/s with 8 in flight, reply text %d bytes" % (
    os.path.basename(config), t_init * 1000, (statistics.median(lat) if lat else 0) * 1000, sum(lat), cpu_seq * 1000 / max(seq, 1),
    "%.0f" % (par / el) if par else "-", len(first["result"]["content"][0]["text"])))
