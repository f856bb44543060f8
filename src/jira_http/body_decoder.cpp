// Content-Encoding decoders for the native connection (see body_decoder.hpp).
#include "jira_http/body_decoder.hpp"

#include <strings.h>

namespace jira_mcp::jira::detail {

namespace {
bool iequals(std::string_view a, const char* b) {
  return a.size() == std::char_traits<char>::length(b) && ::strncasecmp(a.data(), b, a.size()) == 0;
}
}  // namespace

Decoder::Decoder(Kind kind) : kind_(kind) {
  if (kind_ == Kind::zlib) {
    ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
  } else {
    br_ = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    ok_ = br_ != nullptr;
  }
}

Decoder::~Decoder() {
  if (kind_ == Kind::zlib) {
    if (ok_) inflateEnd(&z_);
  } else if (br_ != nullptr) {
    BrotliDecoderDestroyInstance(br_);
  }
}

std::unique_ptr<Decoder> Decoder::for_encoding(std::string_view encoding) {
  if (iequals(encoding, "gzip") || iequals(encoding, "x-gzip") || iequals(encoding, "deflate")) {
    return std::make_unique<Decoder>(Kind::zlib);
  }
  if (iequals(encoding, "br")) return std::make_unique<Decoder>(Kind::brotli);
  return nullptr;
}

bool Decoder::feed(const char* data, std::size_t n, BodySink& sink) {
  if (!ok_) return fail();
  char out[16384];
  if (kind_ == Kind::zlib) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(n);
    // Until the input is used up and zlib holds no more output (a full output buffer may mean
    // there is more to come even with no input left). Bytes after the stream's end are ignored.
    while (!ended_) {
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = sizeof out;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return fail();
      const std::size_t produced = sizeof out - z_.avail_out;
      if (produced > 0 && !sink.take(out, produced)) return false;
      if (rc == Z_STREAM_END) ended_ = true;
      if (rc == Z_BUF_ERROR || z_.avail_out != 0) break;
    }
    return true;
  }
  auto in = reinterpret_cast<const std::uint8_t*>(data);
  std::size_t avail_in = n;
  for (;;) {
    auto next_out = reinterpret_cast<std::uint8_t*>(out);
    std::size_t avail_out = sizeof out;
    const auto rc = BrotliDecoderDecompressStream(br_, &avail_in, &in, &avail_out, &next_out, nullptr);
    if (rc == BROTLI_DECODER_RESULT_ERROR) return fail();
    const std::size_t produced = sizeof out - avail_out;
    if (produced > 0 && !sink.take(out, produced)) return false;
    if (rc != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return true;
  }
}

}  // namespace jira_mcp::jira::detail
