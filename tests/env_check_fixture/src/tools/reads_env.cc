// Fixture of the no_env_settings_below_tools_catches test: the CLI may read
// the environment, so the check must not name this file.
#include <cstdlib>

const char* accelerator() {
  return std::getenv("PARALLAX_FIXTURE_ACCELERATOR");
}
