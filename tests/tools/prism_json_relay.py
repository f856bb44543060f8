#!/usr/bin/env python3
"""A loopback relay between jira-spec-proxy (Prism) and the sandbox that undoes one Prism defect.

Prism 5.14.2 parses an application/json request body to validate it (prism-http-server,
parseRequestBody), then forwards the *parsed value* upstream (prism-http forwarder,
serializeBody): objects, arrays and numbers are JSON.stringify'd again, but a JavaScript string
is sent as its raw text. So a body that is a JSON string, such as "5b10ac8d82e05b22cc7d4e01" (what
Jira's POST /issue/{key}/watchers takes, per both specs and Jira's own parser), reaches the upstream
as 5b10ac8d82e05b22cc7d4e01, still labelled application/json, and Jira (or the sandbox, which
parses it the way Jira does) answers 400.

Prism has already validated the client's original bytes, so the relay may restore them: a JSON
body that no longer parses as JSON can only be such a string, and is re-encoded as one. Every
other request and every response passes through unchanged. (A string whose text is itself valid
JSON, e.g. "123", cannot be told apart and stays mangled; no Jira call sends one.) It also gives
empty JSON responses a "null" body, which Prism otherwise fails to parse (see below).

  prism_json_relay.py UPSTREAM_URL
Prints "prism-json-relay: at http://127.0.0.1:PORT -> UPSTREAM_URL" on stderr and serves until
killed.
"""
import http.client
import http.server
import json
import sys
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
              "content-length"}


def main():
    upstream = urllib.parse.urlsplit(sys.argv[1])

    class Relay(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _relay(self):
            body = self._body()
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if body and (ctype == "application/json" or ctype.endswith("+json")):
                try:
                    json.loads(body)
                except ValueError:
                    body = json.dumps(body.decode("utf-8")).encode("utf-8")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            try:
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                # Prism also JSON-parses every non-204 application/json response and answers 500
                # when the body is empty, as Jira's (and the sandbox's) 201 to POST /issueLink is.
                # "null" is what Prism would have parsed an empty body to; the specs' schema there
                # is {} and the client treats both alike.
                rtype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
                if not data and resp.status != 204 and (rtype == "application/json" or rtype.endswith("+json")):
                    data = b"null"
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _relay

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    server.daemon_threads = True
    print(f"prism-json-relay: at http://127.0.0.1:{server.server_address[1]} -> {sys.argv[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
