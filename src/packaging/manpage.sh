#!/bin/sh
# Writes the man page jira-mcp.1 (gzipped) at build time: a few fixed sections around the
# built binary's own --help, so the options documented are always the ones it accepts.
#   manpage.sh PATH/TO/jira-mcp VERSION OUT.1.gz
set -eu
bin=$1 version=$2 out=$3
help=$("$bin" --help)
# troff: a backslash is written \e; a line starting with . or ' would be a request.
help=$(printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/")
{
  cat <<EOT
.TH JIRA-MCP 1 "" "jira-mcp $version" "User Commands"
.SH NAME
jira-mcp \- Model Context Protocol server for Jira
.SH SYNOPSIS
.B jira-mcp
[\fIOPTIONS\fR]
.br
.B jira-mcp sandbox
[\fIOPTIONS\fR]
.SH DESCRIPTION
.B jira-mcp
lets an MCP host (an LLM client) work with a Jira Cloud or Data Center site through tools:
search, read and edit issues, comments, transitions, worklogs, attachments, boards and sprints.
An MCP host launches it and speaks MCP over its standard input and output (the default,
\fB\-\-transport stdio\fR); with \fB\-\-transport http\fR it serves Streamable HTTP at
\fIhttp://HOST:PORT/mcp\fR, as the jira-mcp systemd service does.
.PP
Only MCP messages are written to standard output; the log goes to standard error.
\fB\-\-sandbox\fR serves a built-in Jira emulator with made-up data, for trying the server
without a Jira site. \fB\-\-doctor\fR checks the configuration and the connection to Jira.
.SH OPTIONS
The output of \fBjira-mcp \-\-help\fR:
.PP
.nf
$help
.fi
.SH FILES
.TP
.I /usr/share/doc/jira-mcp/config.toml.example
Every configuration key, with its environment variable and default.
.TP
.I /etc/jira-mcp/env
Environment of the jira-mcp systemd service (secrets such as JIRA_API_TOKEN); readable by root only.
.SH EXAMPLES
Check a Jira Cloud configuration:
.PP
.nf
JIRA_URL=https://your-site.atlassian.net JIRA_EMAIL=you@example.com \e
JIRA_API_TOKEN=... jira-mcp \-\-doctor
.fi
.PP
Serve the sandbox over HTTP on port 8808:
.PP
.nf
jira-mcp \-\-sandbox \-\-transport http \-\-port 8808
.fi
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.exec (5)
EOT
} | gzip -9n > "$out"
