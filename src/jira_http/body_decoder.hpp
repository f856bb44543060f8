#pragma once
// What the native connection (wire.cpp) does with a response body as it arrives: BodySink counts
// it against the request's caps and keeps it; Decoder undoes a Content-Encoding on the way in
// (gzip and deflate through zlib, the header auto-detected as httplib did; br through
// libbrotlidec), so the caps count decoded bytes.
//
// Thread safety: none; one per response.
#include <brotli/decode.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace jira_mcp::jira::detail {

struct BodySink {
  std::string& body;
  std::size_t cap;  // 0: none
  std::uint64_t received = 0;
  bool over = false;  // received passed cap; what passed it is not kept

  bool take(const char* data, std::size_t n) {
    received += n;
    if (cap > 0 && received > cap) {
      over = true;
      return false;
    }
    body.append(data, n);
    return true;
  }
};

class Decoder {
 public:
  enum class Kind { zlib, brotli };
  explicit Decoder(Kind kind);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // The decoder for a Content-Encoding value (gzip, x-gzip, deflate, br; any case); null for
  // identity and for codings we do not know, whose bodies are kept as they came.
  static std::unique_ptr<Decoder> for_encoding(std::string_view encoding);

  // Decodes `n` bytes into `sink`. false: corrupt data (corrupt() says so) or the sink refused.
  bool feed(const char* data, std::size_t n, BodySink& sink);
  bool corrupt() const { return corrupt_; }

 private:
  bool fail() {
    corrupt_ = true;
    return false;
  }
  Kind kind_;
  bool ok_ = false;
  bool ended_ = false;
  bool corrupt_ = false;
  z_stream z_{};
  BrotliDecoderState* br_ = nullptr;
};

}  // namespace jira_mcp::jira::detail
