/* classify: runs an image classifier through the Parallax C API and prints
 * the top-5 classes of its first output.
 *   classify MODEL.onnx [THREADS]
 * The input is synthetic (a smooth gradient of the declared shape, symbolic
 * dims taken as 1 and unknown image sides as 224), so the program needs
 * nothing but the model; replace fill_input with your image loader.
 * Build: cc -std=c11 classify.c $(pkg-config --cflags --libs parallax) */
#include <stdio.h>
#include <stdlib.h>

#include "parallax/c_api.h"

/* Prints and frees an error status; returns 1 when there was one. */
static int failed(PxStatus* status, const char* what) {
  if (status == NULL) return 0;
  fprintf(stderr, "error: %s: %s: %s\n", what, PxStatusCodeName(PxStatusGetCode(status)), PxStatusGetMessage(status));
  PxStatusRelease(status);
  return 1;
}

static void fill_input(float* data, size_t count) {
  for (size_t i = 0; i < count; ++i) data[i] = (float)((i % 255) / 255.0 - 0.5);
}

/* The k best indices of scores, best first (k is small: a selection, not a sort). */
static void top_k(const float* scores, size_t count, size_t* best, size_t k) {
  for (size_t j = 0; j < k; ++j) {
    size_t pick = count;
    for (size_t i = 0; i < count; ++i) {
      int taken = 0;
      for (size_t m = 0; m < j; ++m) taken |= best[m] == i;
      if (!taken && (pick == count || scores[i] > scores[pick])) pick = i;
    }
    best[j] = pick;
  }
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: classify MODEL.onnx [THREADS]\n");
    return 2;
  }
  int rc = 1;
  PxSessionOptions* options = NULL;
  PxSession* session = NULL;
  PxTensor* input = NULL;
  PxTensor* output = NULL;
  float* pixels = NULL;

  if (failed(PxSessionOptionsCreate(&options), "options")) goto done;
  if (failed(PxSessionOptionsSetNumThreads(options, argc == 3 ? atoi(argv[2]) : 1), "threads")) goto done;
  if (failed(PxSessionCreate(argv[1], options, &session), "open")) goto done;

  size_t input_count = 0;
  if (failed(PxSessionGetInputCount(session, &input_count), "inputs")) goto done;
  if (input_count != 1) {
    fprintf(stderr, "error: classify expects a model with one input, this one has %zu\n", input_count);
    goto done;
  }
  const char* input_name = NULL;
  PxDataType input_type = PX_UNDEFINED;
  const int64_t* declared = NULL;
  int64_t rank = 0;
  if (failed(PxSessionGetInputName(session, 0, &input_name), "input name")) goto done;
  if (failed(PxSessionGetInputType(session, 0, &input_type), "input type")) goto done;
  if (failed(PxSessionGetInputShape(session, 0, &declared, &rank), "input shape")) goto done;
  if (input_type != PX_FLOAT32 || rank < 0 || rank > 8) {
    fprintf(stderr, "error: input '%s' must be float32 with a known rank of at most 8\n", input_name);
    goto done;
  }
  int64_t shape[8];
  size_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    /* Symbolic batch -> 1, symbolic spatial sides (NCHW) -> 224. */
    shape[d] = declared[d] >= 0 ? declared[d] : (d >= 2 ? 224 : 1);
    count *= (size_t)shape[d];
  }
  pixels = malloc(count * sizeof *pixels);
  if (pixels == NULL) goto done;
  fill_input(pixels, count);
  /* A view: the runtime reads the caller's buffer without copying it. */
  if (failed(PxTensorCreateView(PX_FLOAT32, shape, (size_t)rank, pixels, count * sizeof *pixels, &input), "input"))
    goto done;

  const char* first_output = NULL;
  if (failed(PxSessionGetOutputName(session, 0, &first_output), "output name")) goto done;
  const char* output_names[] = {first_output};
  const PxTensor* inputs[] = {input};
  if (failed(PxSessionRun(session, &input_name, inputs, 1, output_names, 1, &output), "run")) goto done;

  PxDataType output_type = PX_UNDEFINED;
  size_t classes = 0;
  const void* scores = NULL;
  if (failed(PxTensorGetType(output, &output_type), "output type")) goto done;
  if (failed(PxTensorGetElementCount(output, &classes), "output size")) goto done;
  if (failed(PxTensorGetConstData(output, &scores), "output data")) goto done;
  if (output_type != PX_FLOAT32 || classes == 0) {
    fprintf(stderr, "error: output '%s' is not a non-empty float32 tensor\n", first_output);
    goto done;
  }
  size_t best[5];
  const size_t k = classes < 5 ? classes : 5;
  top_k(scores, classes, best, k);
  printf("%s: top-%zu of %zu scores of '%s'\n", argv[1], k, classes, first_output);
  for (size_t j = 0; j < k; ++j)
    printf("  %zu  class %zu  score %.6g\n", j + 1, best[j], ((const float*)scores)[best[j]]);
  rc = 0;

done:
  PxTensorRelease(output);
  PxTensorRelease(input);
  free(pixels);
  PxSessionRelease(session);
  PxSessionOptionsRelease(options);
  return rc;
}
