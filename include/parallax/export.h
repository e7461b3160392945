// PARALLAX_API marks what libparallax.so exports. The library is compiled
// with hidden visibility, so everything else (kernels, planner, executor)
// stays internal: users link against the API in these headers only, and the
// internals can change without breaking them.
#pragma once

#if defined(_WIN32)
#define PARALLAX_API
#else
#define PARALLAX_API [[gnu::visibility("default")]]
#endif
