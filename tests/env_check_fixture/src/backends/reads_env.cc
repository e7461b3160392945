// Fixture of the no_env_settings_below_tools_catches test: a library file
// that reads a setting from the environment, which the check must reject.
#include <cstdlib>

const char* cache_dir() {
  return std::getenv("PARALLAX_FIXTURE_CACHE");
}
