// content_convert: our converters (src/content) on the command line, for scripts that compare
// them with other implementations (tests/content/oracle/oracle_check.sh).
//   content_convert --from md|adf|wiki --to md|adf|wiki  < input > output
// Reads the whole of stdin, writes the conversion to stdout (ADF as compact JSON and a newline).
// Converting to the same format re-emits the input through the ADF model (md -> adf -> md), so
// it shows what a read-then-write does to a document. Exit 1 with a message on stderr for bad
// arguments or (for --from adf) input that is not JSON.
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "jira_mcp/content/convert.hpp"
#include "jira_mcp/core/json.hpp"

namespace {

using jira_mcp::Json;
namespace content = jira_mcp::content;

int usage(std::string_view why) {
  std::cerr << "content_convert: " << why
            << "\nusage: content_convert --from md|adf|wiki --to md|adf|wiki < input\n";
  return 1;
}

bool known(std::string_view format) { return format == "md" || format == "adf" || format == "wiki"; }

}  // namespace

int main(int argc, char** argv) {
  std::string from;
  std::string to;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--from" || arg == "--to") && i + 1 < argc) {
      (arg == "--from" ? from : to) = argv[++i];
    } else {
      return usage("unexpected argument '" + std::string(arg) + "'");
    }
  }
  if (!known(from) || !known(to)) return usage("--from and --to are both required");

  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  // Wiki <-> Markdown go through the library's own pair (the tools' path): those keep the wiki
  // flavour's own parameters (code title, {noformat}, panel title, image parameters), which the
  // schema-valid wiki_to_adf / markdown_to_adf drop.
  if (from == "wiki" && to == "md") {
    std::cout << content::wiki_to_markdown(input);
    return std::cout.good() ? 0 : 1;
  }
  if (from == "md" && to == "wiki") {
    std::cout << content::markdown_to_wiki(input);
    return std::cout.good() ? 0 : 1;
  }
  Json adf;
  if (from == "md") {
    adf = content::markdown_to_adf(input);
  } else if (from == "wiki") {
    adf = content::wiki_to_adf(input);
  } else {
    adf = Json::parse(input, nullptr, /*allow_exceptions=*/false);
    if (adf.is_discarded()) return usage("--from adf: the input is not JSON");
  }

  if (to == "adf") {
    std::cout << jira_mcp::dump_compact(adf) << '\n';
  } else if (to == "md") {
    std::cout << content::adf_to_markdown(adf);
  } else {
    std::cout << content::adf_to_wiki(adf);
  }
  return std::cout.good() ? 0 : 1;
}
