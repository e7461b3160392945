#include "backends/opencl/clblast_gemm.h"

#include <mutex>

#ifdef PARALLAX_HAVE_CLBLAST
#include <clblast_c.h>
#endif

namespace parallax::opencl {

#ifdef PARALLAX_HAVE_CLBLAST
namespace {

// CLBlast 1.5 is not safe to call from two threads at once: its parameter
// database and program cache race (a crash seen in dataflow runs of
// clip_text). The commands go to one in-order queue anyway, so holding a
// lock for the enqueue costs next to nothing.
std::mutex& clblast_mutex() {
  static std::mutex m;
  return m;
}

// Negative codes below -1000 are CLBlast's own (a shape or stride it
// refuses): the caller's kernel does it. OpenCL errors are errors.
Result<bool> outcome(CLBlastStatusCode s, const char* what) {
  if (s == CLBlastSuccess) return true;
  if (s < -1000) return false;
  return cl_status(static_cast<cl_int>(s), what);
}

}  // namespace
#endif

bool clblast_available() {
#ifdef PARALLAX_HAVE_CLBLAST
  return true;
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
  std::lock_guard<std::mutex> lock(clblast_mutex());
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
  return outcome(s, "CLBlastSgemm");
#else
  (void)queue, (void)g;
  return false;
#endif
}

Result<bool> clblast_conv(cl_command_queue queue, const ConvCall& c) {
#ifdef PARALLAX_HAVE_CLBLAST
  std::lock_guard<std::mutex> lock(clblast_mutex());
  const CLBlastStatusCode s = CLBlastSconvgemm(
      CLBlastKernelModeCrossCorrelation, c.channels, c.height, c.width, c.kh, c.kw, c.pad_h, c.pad_w, c.stride_h,
      c.stride_w, c.dilation_h, c.dilation_w, c.kernels, c.batches, c.x, 0, c.w, 0, c.y, 0, &queue, nullptr);
  return outcome(s, "CLBlastSconvgemm");
#else
  (void)queue, (void)c;
  return false;
#endif
}

}  // namespace parallax::opencl
