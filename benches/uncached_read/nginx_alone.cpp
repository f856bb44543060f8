// p50 of a keep-alive GET from nginx of the issue read in one request (all fields, names and
// schema), and of the two-request read (the asked-for fields, then /field) back to back.
#include <httplib.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>
int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 18080;
  httplib::Client c("127.0.0.1", port);
  c.set_keep_alive(true);
  auto run = [&](bool two) {
    std::vector<double> v;
    for (int i = 0; i < 2000; ++i) {
      auto a = std::chrono::steady_clock::now();
      auto r = c.Get(two ? "/rest/api/3/issue/PROJ-1?fields=summary" : "/rest/api/3/issue/PROJ-1?fields=*all&expand=names,schema");
      if (two) auto f = c.Get("/rest/api/3/field");
      v.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
      if (!r || r->body.size() < 1000) return -1.0;
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double one = run(false), two = run(true);
  printf("nginx p50 one request (issue, names, schema)=%.3f ms two requests (issue, /field)=%.3f ms\n", one, two);
}
