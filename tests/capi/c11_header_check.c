/* c_api.h is C: this file is compiled as strict C11 (-std=c11 -pedantic
 * -Werror) and run as a test. It exercises the calls a C program makes
 * first, with NULL handles, which must come back as errors. */
#include <stdio.h>
#include <string.h>

#include "parallax/c_api.h"

int main(void) {
  size_t count = 0;
  PxStatus* status = PxSessionGetInputCount(NULL, &count);
  if (PxStatusGetCode(status) != PX_INVALID_ARGUMENT || strstr(PxStatusGetMessage(status), "'session'") == NULL) {
    fprintf(stderr, "a NULL session was not reported: %s\n", PxStatusGetMessage(status));
    PxStatusRelease(status);
    return 1;
  }
  PxStatusRelease(status);
  PxSessionOptions* options = NULL;
  status = PxSessionOptionsCreate(&options);
  if (status == NULL) status = PxSessionOptionsSetExecutionMode(options, PX_MODE_DATAFLOW);
  PxSessionOptionsRelease(options);
  if (status != NULL) {
    fprintf(stderr, "%s\n", PxStatusGetMessage(status));
    PxStatusRelease(status);
    return 1;
  }
  printf("c_api.h compiles as C11; parallax %s\n", PxGetVersionString());
  return 0;
}
