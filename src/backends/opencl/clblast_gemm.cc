#include "backends/opencl/clblast_gemm.h"

#include <cstdlib>
#include <mutex>
#include <string_view>

#ifdef PARALLAX_HAVE_CLBLAST
#include <clblast_c.h>
#endif

namespace parallax::opencl {

bool clblast_enabled() {
#ifdef PARALLAX_HAVE_CLBLAST
  const char* v = std::getenv("PARALLAX_OPENCL_CLBLAST");
  return !(v && std::string_view(v) == "0");
#else
  return false;
#endif
}

Result<bool> clblast_gemm(cl_command_queue queue, const GemmCall& g) {
#ifdef PARALLAX_HAVE_CLBLAST
  const CLBlastTranspose ta = g.trans_a ? CLBlastTransposeYes : CLBlastTransposeNo;
  const CLBlastTranspose tb = g.trans_b ? CLBlastTransposeYes : CLBlastTransposeNo;
  // Row-major leading dimensions: the stored rows' lengths.
  const size_t lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
  // CLBlast 1.5 is not safe to call from two threads at once: its parameter
  // database and program cache race (a crash seen in dataflow runs of
  // clip_text). The commands go to one in-order queue anyway, so holding a
  // lock for the enqueue costs next to nothing.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  CLBlastStatusCode s;
  if (g.batches == 1 || (g.b_stride == 0 && !g.trans_a && g.a_stride == g.m * g.k)) {
    // A shared B with contiguous batches of A is one GEMM of batches * M rows.
    const size_t m = g.m * g.batches;
    s = CLBlastSgemm(CLBlastLayoutRowMajor, ta, tb, m, g.n, g.k, g.alpha, g.a, 0, lda, g.b, 0, ldb, 0.0f, g.y, 0, g.n,
                     &queue, nullptr);
  } else {
    s = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, ta, tb, g.m, g.n, g.k, g.alpha, g.a, 0, lda, g.a_stride, g.b,
                                   0, ldb, g.b_stride, 0.0f, g.y, 0, g.n, g.m * g.n, g.batches, &queue, nullptr);
  }
  if (s == CLBlastSuccess) return true;
  // Negative codes below -1000 are CLBlast's own (a shape or stride it
  // refuses): the caller's kernel does it. OpenCL errors are errors.
  if (s < -1000) return false;
  return cl_status(static_cast<cl_int>(s), "CLBlastSgemm");
#else
  (void)queue, (void)g;
  return false;
#endif
}

}  // namespace parallax::opencl
