// Planted fault for house.static_selftest: a string read after it was moved
// from. tests/static/check-static.sh must fail on it (bugprone-use-after-move).
// Never built; tests/static/check_static_selftest.sh gives it a compile command.
#include <string>
#include <utility>
#include <vector>

std::size_t KeepAndMeasure(std::vector<std::string>& kept, std::string value) {
  kept.push_back(std::move(value));
  return value.size();
}
