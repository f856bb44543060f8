// The attachments toolset: list, upload, download and delete issue attachments.
//
// Local files: jira_upload_attachment reads a file only through read_local_file (local_file.hpp):
// opened beneath one of Options::attachment_dirs without following any symlink, checked on the
// opened descriptor (regular file, one hard link unless allowed, size) and read from it.
// With no directories configured, file paths are refused and only base64 content is accepted.
// The file name and mime type that go into the upload's multipart headers are validated first.
//
// Downloads: text types come back inline (cut by the response budget); PNG, JPEG, GIF and WebP
// come back as MCP image blocks, typed from Jira's metadata checked against the bytes' magic
// numbers (jira_get_issue_images returns all of an issue's images at once); anything else comes
// back as an MCP embedded resource with a base64 blob. Both directions stop at
// Options::max_attachment_bytes: a download is refused early when the metadata states a larger
// size, and otherwise streamed with the cap enforced on the bytes received (Jira's stated size
// is not trusted), so at most about the cap is ever held.
// Cloud serves content at /rest/api/3/attachment/content/{id} (redirect=false returns the bytes
// instead of a redirect); Data Center has no REST endpoint for content and serves it at
// /secure/attachment/{id}/{filename}.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "jira_mcp/core/base64.hpp"
#include "tools/common.hpp"
#include "tools/local_file.hpp"

namespace jira_mcp::tools::detail {

namespace {

namespace fs = std::filesystem;

Json attachment_id_prop() {
  return numeric_id_prop("Attachment id (jira_list_attachments)");
}

std::string id_string(const Json& j) { return rd::id_of(j); }

std::string human_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* unit = bytes < 1024 * 1024 ? "KB" : "MB";
  const double v = static_cast<double>(bytes) / (bytes < 1024 * 1024 ? 1024.0 : 1024.0 * 1024.0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
  return buf;
}

std::string too_large(const std::string& what, std::uint64_t size, std::size_t limit) {
  return what + " is " + human_size(size) + " (" + std::to_string(size) + " bytes), over this server's limit of " +
         std::to_string(limit) + " bytes (tools.max_attachment_bytes)";
}

std::string mime_base(std::string mime) {
  mime = lower(std::move(mime));
  if (auto semi = mime.find(';'); semi != std::string::npos) mime.resize(semi);
  while (!mime.empty() && mime.back() == ' ') mime.pop_back();
  return mime;
}

bool is_text_mime(const std::string& mime_type) {
  const std::string m = mime_base(mime_type);
  if (m.rfind("text/", 0) == 0) return true;
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return m.size() >= s.size() && m.compare(m.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with("+json") || ends_with("+xml")) return true;
  static const char* const kText[] = {"application/json", "application/xml", "application/javascript", "application/x-yaml",
                                      "application/yaml", "application/csv", "application/x-sh", "application/sql",
                                      "application/x-ndjson", "application/x-httpd-php", "application/toml"};
  return std::any_of(std::begin(kText), std::end(kText), [&](const char* t) { return m == t; });
}

// Text that can go into a JSON string as it is: well-formed UTF-8 (no overlong forms, no
// surrogates, nothing past U+10FFFF) and no NUL.
bool valid_utf8(const std::string& s) {
  auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = at(i);
    size_t n = 0;
    if (c == 0) return false;
    if (c < 0x80) {
      n = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((at(i + k) & 0xC0) != 0x80) return false;
    }
    if (n >= 2) {
      const unsigned char d = at(i + 1);
      if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90)) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string guess_mime(const std::string& filename) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".txt", "text/plain"},        {".log", "text/plain"},         {".md", "text/markdown"},
      {".csv", "text/csv"},          {".json", "application/json"},  {".xml", "application/xml"},
      {".html", "text/html"},        {".htm", "text/html"},          {".yaml", "application/yaml"},
      {".yml", "application/yaml"},  {".png", "image/png"},          {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},       {".gif", "image/gif"},          {".svg", "image/svg+xml"},
      {".pdf", "application/pdf"},   {".zip", "application/zip"},    {".gz", "application/gzip"}};
  const std::string ext = lower(fs::path(filename).extension().string());
  for (auto [e, t] : kTypes) {
    if (ext == e) return t;
  }
  return "application/octet-stream";
}

Result<Json, jira::JiraError> fetch_meta(Jira& jira, const std::string& id) { return jira.get_json(jira::path(jira.api(), "attachment", id)); }

Json attachment_summary(const Json& a) {
  return Json{{"id", id_string(a)},
              {"filename", rd::str(a, "filename")},
              {"size", rd::at(a, "size").is_number() ? a["size"] : Json(0)},
              {"mime_type", rd::str(a, "mimeType")},
              {"author", author_label(rd::at(a, "author"))},
              {"created", rd::str(a, "created")}};
}

std::string attachment_line(const Json& a) {
  const long long size = rd::num(a, "size");
  const std::string mime = rd::str(a, "mimeType"), created = short_date(rd::at(a, "created"));
  return "- **" + rd::str(a, "filename") + "**" + id_note(a) + " — " + human_size(static_cast<std::uint64_t>(std::max(0LL, size))) +
         (mime.empty() ? "" : " · " + mime) + " · " + author_label(rd::at(a, "author")) + (created.empty() ? "" : " · " + created);
}

// The issue's attachment metadata (fields.attachment; empty when Jira leaves it out), or the
// failure to answer with.
Result<Json, ToolResult> attachments_of(Jira& jira, const std::string& key) {
  auto r = jira.get_json(jira::path(jira.api(), "issue", key), {{"fields", "attachment"}});
  if (!r) return unexpected(jira_failure(r.error(), "Getting the attachments of " + key));
  return rd::arr(rd::obj(*r, "fields"), "attachment");
}

// The structuredContent of jira_list_attachments and jira_upload_attachment.
Json attachments_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"issue_key", {{"type", "string"}}},
                {"attachments",
                 {{"type", "array"},
                  {"items",
                   {{"type", "object"},
                    {"properties",
                     {{"id", {{"type", "string"}}},
                      {"filename", {{"type", "string"}}},
                      {"size", {{"type", "integer"}}},
                      {"mime_type", {{"type", "string"}}},
                      {"author", {{"type", "string"}}},
                      {"created", {{"type", "string"}}}}},
                    {"required", {"id", "filename"}}}}}}}},
              {"required", {"issue_key", "attachments"}}};
}

// --- handlers ---------------------------------------------------------------------------------

ToolResult list_attachments(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto fetched = attachments_of(jira, key);
  if (!fetched) return fetched.error();
  const Json& list = *fetched;
  Json out = Json::array();
  std::string text = key + " has " + std::to_string(list.size()) + " attachment(s)" + (list.empty() ? ".\n" : ":\n");
  for (const auto& a : list) {
    out.push_back(attachment_summary(a));
    text += attachment_line(a) + "\n";
  }
  ToolResult res = text_result(jira, text);
  res.structured = Json{{"issue_key", key}, {"attachments", out}};
  return res;
}

ToolResult upload_attachment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const size_t limit = jira.options().max_attachment_bytes;
  const bool has_b64 = args.contains("content_base64"), has_path = args.contains("file_path");
  if (has_b64 == has_path) return bad_argument(has_b64 ? "file_path" : "content_base64", "give exactly one of content_base64 and file_path");
  std::string filename = args.value("filename", "");
  std::string bytes;
  if (has_b64) {
    if (filename.empty()) return bad_argument("filename", "required with content_base64 (e.g. \"report.pdf\")");
    const std::string& b64 = args["content_base64"].get_ref<const std::string&>();
    if (b64.size() / 4 * 3 > limit + 3) return bad_argument("content_base64", too_large("The content", b64.size() / 4 * 3, limit));
    auto decoded = core::base64_decode(b64);
    if (!decoded) return bad_argument("content_base64", "not valid base64 (standard alphabet, padding optional)");
    bytes = std::move(*decoded);
  } else {
    const std::string given = args["file_path"];
    const Options& o = jira.options();
    auto file = read_local_file({o.attachment_dirs, limit, o.allow_hardlinked_attachments, o.use_openat2}, given);
    if (!file && file.error().too_large) return bad_argument("file_path", too_large("'" + given + "'", *file.error().too_large, limit));
    if (!file) return bad_argument("file_path", file.error().message);
    bytes = std::move(file->bytes);
    if (filename.empty()) filename = file->name;
  }
  if (bytes.size() > limit) return bad_argument(has_b64 ? "content_base64" : "file_path", too_large("The content", bytes.size(), limit));
  if (!jira::valid_part_filename(filename)) {
    return bad_argument("filename", "'" + filename + "' cannot be sent as a file name: it has a control character (line break, "
                        "NUL, ...) or a '\"', or is over 255 bytes; pass a plain name, e.g. \"report.pdf\"");
  }
  const std::string mime = args.contains("mime_type") ? args["mime_type"].get<std::string>() : guess_mime(filename);
  if (!jira::valid_mime_type(mime)) {
    return bad_argument("mime_type", "not a content type: give type/subtype with optional parameters and no quotes or control "
                        "characters, e.g. \"application/pdf\" or \"text/plain; charset=utf-8\", or leave it out");
  }
  if (auto no = jira.refuse_if_cancelled("POST", jira::path(jira.api(), "issue", key, "attachments"))) {
    return jira_failure(*no, "Attaching " + filename + " to " + key);
  }
  auto r = jira.client().upload_attachment(key, filename, bytes, mime, jira.call());
  if (!r) return jira_failure(r.error(), "Attaching " + filename + " to " + key);
  Json created = Json::array();
  std::string text;
  for (const auto& a : r->is_array() ? *r : Json::array()) {
    created.push_back(attachment_summary(a));
    text += "Attached **" + str_or(a, "filename", filename) + "** (id " + id_string(a) + ", " + human_size(bytes.size()) + ", " +
            str_or(a, "mimeType", mime) + ") to " + key + "\n";
  }
  if (text.empty()) text = "Attached " + filename + " to " + key + "\n";
  ToolResult out = text_result(jira, text + jira.browse_url(key));
  out.structured = Json{{"issue_key", key}, {"attachments", created}};
  return out;
}

// --- content and images ---------------------------------------------------------------------

// The attachment's bytes, at most `limit` of them, or the isError result that says why not.
// `meta` is Jira's attachment metadata (from GET attachment/{id} or the issue's attachment field).
Result<std::string, ToolResult> fetch_content(Jira& jira, const std::string& id, const Json& meta, std::size_t limit) {
  const std::string filename = str_or(meta, "filename", "attachment");
  const Json size_j = rd::at(meta, "size");
  const std::uint64_t size = size_j.is_number_unsigned() ? size_j.get<std::uint64_t>() : 0;
  if (size > limit) {
    return unexpected(ToolResult::error(too_large("Attachment " + id + " (" + filename + ")", size, limit) + "; open it in Jira instead."));
  }
  auto bytes = jira.cloud() ? jira.client().download(jira::path(jira.api(), "attachment", "content", id), {{"redirect", "false"}}, limit, jira.call())
                            : jira.client().download(jira::path("/secure/attachment", id, filename), {}, limit, jira.call());
  if (!bytes && bytes.error().kind == jira::ErrorKind::too_large) {
    return unexpected(ToolResult::error("Attachment " + id + " (" + filename + ") is over this server's limit of " + std::to_string(limit) +
                                        " bytes (tools.max_attachment_bytes), although Jira listed it as " + std::to_string(size) +
                                        " bytes; the download was stopped (" + bytes.error().detail + "). Open it in Jira instead."));
  }
  if (!bytes) return unexpected(jira_failure(bytes.error(), "Downloading attachment " + id + " (" + filename + ")"));
  return std::move(*bytes);
}

// The image types MCP hosts render; Jira's metadata names one of them for an image attachment.
std::string image_mime(const std::string& mime_type) {
  const std::string m = mime_base(mime_type);
  if (m == "image/jpg" || m == "image/pjpeg") return "image/jpeg";
  if (m == "image/png" || m == "image/jpeg" || m == "image/gif" || m == "image/webp") return m;
  return {};
}

// What the bytes are, from their first bytes (PNG, JPEG, GIF, WebP); "" when none of these.
std::string sniff_image(const std::string& b) {
  auto starts = [&](std::size_t at, std::string_view magic) { return b.size() >= at + magic.size() && b.compare(at, magic.size(), magic) == 0; };
  if (starts(0, std::string_view("\x89PNG\r\n\x1a\n", 8))) return "image/png";
  if (starts(0, "\xFF\xD8\xFF")) return "image/jpeg";
  if (starts(0, "GIF87a") || starts(0, "GIF89a")) return "image/gif";
  if (starts(0, "RIFF") && starts(8, "WEBP")) return "image/webp";
  return {};
}

// The mimeType of the image block for an attachment Jira lists as `declared` with these bytes:
// Jira's type when the bytes are that image; the bytes' own type when they are another image
// (a host decodes by the type it is told); nullopt, with `why`, when the bytes are no image
// (an error page, a truncated file): those are not sent as an image. The Content-Type of the
// download itself is never consulted: proxies and Jira's own servlet get it wrong.
std::optional<std::string> image_block_type(const std::string& declared, const std::string& bytes, std::string& why) {
  const std::string sniffed = sniff_image(bytes);
  if (sniffed.empty()) {
    why = "Jira lists it as " + declared + ", but its bytes are not a PNG, JPEG, GIF or WebP image";
    return std::nullopt;
  }
  if (sniffed != declared) why = "Jira lists it as " + declared + ", but its bytes are " + sniffed + "; sent as " + sniffed;
  return sniffed;
}

Json image_block(const std::string& bytes, const std::string& mime) {
  return Json{{"type", "image"}, {"data", core::base64_encode(bytes)}, {"mimeType", mime}};
}

ToolResult download_attachment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["attachment_id"];
  auto meta = fetch_meta(jira, id);
  if (!meta) return jira_failure(meta.error(), "Getting attachment " + id);
  const std::string filename = str_or(*meta, "filename", "attachment");
  const std::string mime = str_or(*meta, "mimeType", "application/octet-stream");
  auto bytes = fetch_content(jira, id, *meta, jira.options().max_attachment_bytes);
  if (!bytes) return std::move(bytes).error();
  const std::string header = "**" + filename + "** (id " + id + ", " + mime + ", " + human_size(bytes->size()) + ")";
  if (is_text_mime(mime) && valid_utf8(*bytes)) {
    return text_result(jira, header + ":\n\n" + *bytes, "The attachment is longer than this server's response budget.");
  }
  std::string why;
  if (const std::string declared = image_mime(mime); !declared.empty()) {
    if (auto type = image_block_type(declared, *bytes, why)) {
      ToolResult out = text_result(jira, header + " follows as an image." + (why.empty() ? "" : " Note: " + why + "."));
      out.content.push_back(image_block(*bytes, *type));
      return out;
    }
  }
  std::string uri = rd::str(*meta, "content");
  if (uri.empty()) uri = "jira-attachment:" + id;
  ToolResult out = text_result(jira, header + " follows as an embedded resource." + (why.empty() ? "" : " Note: " + why + "."));
  out.content.push_back(Json{{"type", "resource"},
                             {"resource", {{"uri", uri}, {"mimeType", mime}, {"blob", core::base64_encode(*bytes)}}}});
  return out;
}

// Every image attachment of an issue as image blocks, oldest first, while their bytes fit
// tools.max_attachment_bytes in all (one answer carries them all); a text line for each one
// left out, saying why and how to get it.
ToolResult issue_images(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto fetched = attachments_of(jira, key);
  if (!fetched) return fetched.error();
  const Json& list = *fetched;
  const std::size_t cap = jira.options().max_attachment_bytes;
  std::size_t left = cap;
  Json content = Json::array(), images = Json::array(), skipped = Json::array();
  std::size_t others = 0;
  auto skip = [&](const Json& a, const std::string& id, std::string reason) {
    content.push_back(Json{{"type", "text"}, {"text", "Skipped " + rd::str(a, "filename") + " (id " + id + "): " + reason}});
    skipped.push_back(Json{{"id", id}, {"filename", rd::str(a, "filename")}, {"reason", std::move(reason)}});
  };
  for (const auto& a : list.is_array() ? list : Json::array()) {
    const std::string id = id_string(a);
    const std::string declared = image_mime(rd::str(a, "mimeType"));
    if (declared.empty() || id.empty()) {
      ++others;
      continue;
    }
    const Json size_j = rd::at(a, "size");
    const std::uint64_t size = size_j.is_number_unsigned() ? size_j.get<std::uint64_t>() : 0;
    if (size > cap) {
      skip(a, id, too_large("it", size, cap) + "; open it in Jira");
      continue;
    }
    if (size > left) {
      skip(a, id, "the images before it fill this answer's " + std::to_string(cap) +
                      " bytes (tools.max_attachment_bytes); get it alone with jira_download_attachment {\"attachment_id\": \"" + id + "\"}");
      continue;
    }
    auto bytes = fetch_content(jira, id, a, left);
    if (!bytes) {
      const Json& first = bytes.error().content.empty() ? Json() : bytes.error().content[0];
      skip(a, id, str_or(first, "text", "the download failed"));
      continue;
    }
    std::string why;
    auto type = image_block_type(declared, *bytes, why);
    if (!type) {
      skip(a, id, why + "; jira_download_attachment returns it as a file");
      continue;
    }
    left -= std::min(left, bytes->size());
    content.push_back(Json{{"type", "text"},
                           {"text", rd::str(a, "filename") + " (id " + id + ", " + *type + ", " + human_size(bytes->size()) + ")" +
                                        (why.empty() ? "" : ". Note: " + why) + ":"}});
    content.push_back(image_block(*bytes, *type));
    images.push_back(Json{{"id", id}, {"filename", rd::str(a, "filename")}, {"mime_type", *type}, {"size", bytes->size()}});
  }
  std::string head = key + ": " + std::to_string(images.size()) + " image(s)";
  if (!skipped.empty()) head += ", " + std::to_string(skipped.size()) + " skipped";
  if (others > 0) head += "; " + std::to_string(others) + " other attachment(s) are not images (jira_list_attachments)";
  head += images.empty() && skipped.empty() ? ". It has no PNG, JPEG, GIF or WebP attachments." : ".";
  ToolResult out = ToolResult::text(head);
  for (auto& c : content) out.content.push_back(std::move(c));
  out.structured = Json{{"issue_key", key}, {"images", images}, {"skipped", skipped}};
  return out;
}

ToolResult delete_attachment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["attachment_id"];
  auto meta = fetch_meta(jira, id);
  if (!meta) return jira_failure(meta.error(), "Getting attachment " + id);
  const std::string filename = rd::str(*meta, "filename");
  if (auto declined = confirm_destructive(s, ctx, "Delete attachment " + filename + " (id " + id + ")?")) return *declined;
  auto r = jira.del(jira::path(jira.api(), "attachment", id), affects::any_issue());  // the metadata does not name the issue
  if (!r) return jira_failure(r.error(), "Deleting attachment " + id);
  return text_result(jira, "Deleted attachment " + filename + " (id " + id + ")");
}

}  // namespace

void add_attachment_tools(ToolTable& t, const ServicesPtr& s) {
  t.push_back({"attachments",
               {"jira_list_attachments", "List attachments",
                "Lists an issue's attachments: id, file name, size, type, author and date. Ids feed "
                "jira_download_attachment and jira_delete_attachment. Example: {\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}),
                attachments_schema(),
                read_only(), [s](const Json& a, RequestContext& ctx) { return list_attachments(s, a, ctx); }}});
  t.push_back({"attachments",
               {"jira_upload_attachment", "Upload attachment",
                "Attaches a file to an issue, given either as base64 bytes (content_base64 plus filename) or as a "
                "local file_path inside a directory the server allows (tools.attachment_dirs; relative paths are "
                "looked up in those directories). Size is limited by tools.max_attachment_bytes. Example: "
                "{\"issue_key\": \"PROJ-1\", \"filename\": \"notes.txt\", \"content_base64\": \"aGVsbG8=\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"content_base64", str_prop("The file's bytes, base64 (standard alphabet)")},
                               {"filename", Json{{"type", "string"}, {"minLength", 1}, {"maxLength", 255},
                                                 {"description", "File name in Jira; required with content_base64, defaults to the file's name with file_path"}}},
                               {"file_path", Json{{"type", "string"}, {"minLength", 1}, {"description", "Local file to upload, inside tools.attachment_dirs"}}},
                               {"mime_type", str_prop("Content type, e.g. application/pdf (default: from the file name's extension)")}},
                              {"issue_key"}),
                attachments_schema(), writes(false, false), [s](const Json& a, RequestContext& ctx) { return upload_attachment(s, a, ctx); }}});
  t.push_back({"attachments",
               {"jira_download_attachment", "Download attachment",
                "Gets an attachment's content: text types (text/*, JSON, XML, CSV, YAML...) inline as text, PNG, JPEG, "
                "GIF and WebP images as image content, anything else as an embedded resource (base64 blob). Larger "
                "than tools.max_attachment_bytes is refused. "
                "Example: {\"attachment_id\": \"10042\"}.",
                object_schema({{"attachment_id", attachment_id_prop()}}, {"attachment_id"}), std::nullopt, read_only(),
                [s](const Json& a, RequestContext& ctx) { return download_attachment(s, a, ctx); }}});
  const Json short_string{{"type", "string"}};
  t.push_back({"attachments",
               {"jira_get_issue_images", "Get issue images",
                "Gets every image attachment (PNG, JPEG, GIF, WebP) of an issue as image content, so you can see "
                "screenshots and diagrams; up to tools.max_attachment_bytes in all, with a line for each image left "
                "out and why. Example: {\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}),
                Json{{"type", "object"},
                     {"properties",
                      {{"issue_key", short_string},
                       {"images",
                        {{"type", "array"},
                         {"items",
                          {{"type", "object"},
                           {"properties", {{"id", short_string}, {"filename", short_string}, {"mime_type", short_string}, {"size", {{"type", "integer"}}}}},
                           {"required", {"id", "mime_type"}}}}}},
                       {"skipped",
                        {{"type", "array"},
                         {"items",
                          {{"type", "object"},
                           {"properties", {{"id", short_string}, {"filename", short_string}, {"reason", short_string}}},
                           {"required", {"id", "reason"}}}}}}}},
                     {"required", {"issue_key", "images", "skipped"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return issue_images(s, a, ctx); }}});
  t.push_back({"attachments",
               {"jira_delete_attachment", "Delete attachment",
                "Deletes an attachment permanently (asks the user first when the server is configured to). Example: "
                "{\"attachment_id\": \"10042\"}.",
                object_schema({{"attachment_id", attachment_id_prop()}}, {"attachment_id"}), std::nullopt, writes(true, true),
                [s](const Json& a, RequestContext& ctx) { return delete_attachment(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
