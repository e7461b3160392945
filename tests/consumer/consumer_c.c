/* The C API of an installed prefix (tests/consumer/check_install.sh): runs
 * the one-node Relu model (x: float [3,4,5]) and checks y = max(x, 0) and
 * that an unknown input name is an error. Strict C11, public header only. */
#include <stdio.h>

#include "parallax/c_api.h"

static int report(PxStatus* status) {
  fprintf(stderr, "%s: %s\n", PxStatusCodeName(PxStatusGetCode(status)), PxStatusGetMessage(status));
  PxStatusRelease(status);
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: consumer_c RELU_MODEL.onnx\n");
    return 2;
  }
  PxSession* session = NULL;
  PxStatus* status = PxSessionCreate(argv[1], NULL, &session);
  if (status) return report(status);
  float x[60];
  for (int i = 0; i < 60; ++i) x[i] = (float)(i % 7) - 3.0f;
  const int64_t shape[] = {3, 4, 5};
  PxTensor* input = NULL;
  PxTensor* output = NULL;
  int rc = 1;
  const char* names[] = {"x"};
  const char* bad_names[] = {"no_such_input"};
  const PxTensor* inputs[1];
  const void* data = NULL;
  if ((status = PxTensorCreateView(PX_FLOAT32, shape, 3, x, sizeof x, &input))) goto fail;
  inputs[0] = input;
  if ((status = PxSessionRun(session, names, inputs, 1, NULL, 1, &output))) goto fail;
  if ((status = PxTensorGetConstData(output, &data))) goto fail;
  for (int i = 0; i < 60; ++i) {
    const float expected = x[i] > 0 ? x[i] : 0.0f;
    if (((const float*)data)[i] != expected) {
      fprintf(stderr, "y[%d] = %g, expected %g\n", i, ((const float*)data)[i], expected);
      goto done;
    }
  }
  PxTensor* unused = NULL;
  status = PxSessionRun(session, bad_names, inputs, 1, NULL, 1, &unused);
  if (status == NULL) {
    PxTensorRelease(unused);
    fprintf(stderr, "a run with an unknown input name succeeded\n");
    goto done;
  }
  printf("consumer_c: 60 outputs match; error path: %s\n", PxStatusGetMessage(status));
  PxStatusRelease(status);
  rc = 0;
  goto done;
fail:
  rc = report(status);
done:
  PxTensorRelease(output);
  PxTensorRelease(input);
  PxSessionRelease(session);
  return rc;
}
