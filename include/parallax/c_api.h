/* Parallax C API: opaque handles, status objects, no C++ types. Compiles as
 * C11 and C++; in the style of onnxruntime_c_api.h and TFLite's c_api.h.
 *
 *   PxSessionOptions* options = NULL;
 *   PxSession* session = NULL;
 *   PxStatus* status = PxSessionOptionsCreate(&options);
 *   if (!status) status = PxSessionOptionsSetNumThreads(options, 2);
 *   if (!status) status = PxSessionCreate("model.onnx", options, &session);
 *   if (status) { fprintf(stderr, "%s\n", PxStatusGetMessage(status)); PxStatusRelease(status); }
 *
 *   int64_t shape[] = {1, 3, 224, 224};
 *   PxTensor* image = NULL;
 *   PxTensorCreateView(PX_FLOAT32, shape, 4, pixels, sizeof pixels, &image);  // borrows pixels
 *   const char* in_names[] = {"input"};
 *   const char* out_names[] = {"logits"};
 *   PxTensor* logits = NULL;
 *   status = PxSessionRun(session, in_names, (const PxTensor* const*)&image, 1, out_names, 1, &logits);
 *   ...
 *   PxTensorRelease(logits); PxTensorRelease(image);
 *   PxSessionRelease(session); PxSessionOptionsRelease(options);
 *
 * Error model: every fallible function returns a PxStatus*; NULL means
 * success, anything else is an error the caller owns and frees with
 * PxStatusRelease. A NULL handle or pointer argument is an error that names
 * the argument, never a crash; no exception crosses this boundary. On error
 * the function's out-parameters are left NULL (or untouched for plain values).
 *
 * Ownership: objects made by a *Create function or returned by PxSessionRun
 * belong to the caller and are freed by the matching *Release function
 * (which accepts NULL). Strings and shapes read from a session live as long
 * as the session; those read from a tensor as long as the tensor.
 *
 * Threads: a session may be run from several threads at once; options and
 * tensors are not synchronised.
 */
#ifndef PARALLAX_C_API_H_
#define PARALLAX_C_API_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define PX_CAPI
#else
#define PX_CAPI __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct PxStatus PxStatus;
typedef struct PxSessionOptions PxSessionOptions;
typedef struct PxSession PxSession;
typedef struct PxTensor PxTensor;

/* The codes of parallax::StatusCode, same numbers. */
typedef enum PxStatusCode {
  PX_OK = 0,
  PX_INVALID_ARGUMENT = 1, /* the caller passed something wrong: NULL, shape, dtype, option */
  PX_INVALID_MODEL = 2,    /* the model file or graph is malformed */
  PX_UNSUPPORTED = 3,      /* valid ONNX that Parallax does not implement */
  PX_NOT_FOUND = 4,        /* a named thing does not exist: file, input, output */
  PX_RESOURCE_EXHAUSTED = 5,
  PX_INTERNAL = 6
} PxStatusCode;

/* Element types, numbered as ONNX TensorProto.DataType. */
typedef enum PxDataType {
  PX_UNDEFINED = 0,
  PX_FLOAT32 = 1,
  PX_UINT8 = 2,
  PX_INT8 = 3,
  PX_UINT16 = 4,
  PX_INT16 = 5,
  PX_INT32 = 6,
  PX_INT64 = 7,
  PX_STRING = 8, /* declared by models; no tensor of it can be made */
  PX_BOOL = 9,
  PX_FLOAT16 = 10,
  PX_FLOAT64 = 11,
  PX_UINT32 = 12,
  PX_UINT64 = 13,
  PX_BFLOAT16 = 16
} PxDataType;

typedef enum PxExecutionMode {
  PX_MODE_SEQUENTIAL = 0, /* one node after another, each kernel gets all threads */
  PX_MODE_LAYER = 1,      /* layer by layer, a layer's branches in parallel */
  PX_MODE_DATAFLOW = 2    /* the default: a node starts as soon as its inputs exist */
} PxExecutionMode;

/* "0.1.0": the library's version. */
PX_CAPI const char* PxGetVersionString(void);

/* ---- Status ---------------------------------------------------------- */
/* PX_OK for NULL (success). */
PX_CAPI PxStatusCode PxStatusGetCode(const PxStatus* status);
/* The runtime's message, e.g. "input 'x': expected float32, got int64"; "" for NULL. */
PX_CAPI const char* PxStatusGetMessage(const PxStatus* status);
PX_CAPI void PxStatusRelease(PxStatus* status);
/* "InvalidArgument", "NotFound", ...; "Unknown" for a code not listed above. */
PX_CAPI const char* PxStatusCodeName(PxStatusCode code);

/* ---- Session options ---------------------------------------------------- */
/* Defaults: 1 thread, dataflow, memory budget from the available memory. */
PX_CAPI PxStatus* PxSessionOptionsCreate(PxSessionOptions** out);
PX_CAPI void PxSessionOptionsRelease(PxSessionOptions* options);
/* Total threads, >= 1: split between concurrent nodes and inside kernels. */
PX_CAPI PxStatus* PxSessionOptionsSetNumThreads(PxSessionOptions* options, int num_threads);
PX_CAPI PxStatus* PxSessionOptionsSetExecutionMode(PxSessionOptions* options, PxExecutionMode mode);
/* Most activation-arena bytes a run may use; 0: available memory less a margin. */
PX_CAPI PxStatus* PxSessionOptionsSetMemoryBudget(PxSessionOptions* options, size_t bytes);
/* Refuse weights larger than this (hostile files); > 0. */
PX_CAPI PxStatus* PxSessionOptionsSetMaxTensorBytes(PxSessionOptions* options, size_t bytes);
/* Most iterations one Loop node may run per execution, past which the run
   fails (a while-loop that never ends); 0: unlimited (default). */
PX_CAPI PxStatus* PxSessionOptionsSetMaxLoopIterations(PxSessionOptions* options, uint64_t iterations);
/* 0: skip the graph cleanups and fusions; nonzero: run them (default). */
PX_CAPI PxStatus* PxSessionOptionsSetGraphOptimization(PxSessionOptions* options, int enabled);
/* "none" (default) or "opencl"; one that cannot be opened warns and runs on the CPU. */
PX_CAPI PxStatus* PxSessionOptionsSetAccelerator(PxSessionOptions* options, const char* name);

/* ---- Session ------------------------------------------------------------ */
/* options may be NULL (defaults). */
PX_CAPI PxStatus* PxSessionCreate(const char* model_path, const PxSessionOptions* options, PxSession** out);
/* The bytes of an ONNX file; they are copied, the caller may free them after. */
PX_CAPI PxStatus* PxSessionCreateFromBytes(const void* model_bytes, size_t size, const PxSessionOptions* options,
                                           PxSession** out);
PX_CAPI void PxSessionRelease(PxSession* session);

PX_CAPI PxStatus* PxSessionGetInputCount(const PxSession* session, size_t* out);
PX_CAPI PxStatus* PxSessionGetOutputCount(const PxSession* session, size_t* out);
PX_CAPI PxStatus* PxSessionGetInputName(const PxSession* session, size_t index, const char** out);
PX_CAPI PxStatus* PxSessionGetOutputName(const PxSession* session, size_t index, const char** out);
PX_CAPI PxStatus* PxSessionGetInputType(const PxSession* session, size_t index, PxDataType* out);
PX_CAPI PxStatus* PxSessionGetOutputType(const PxSession* session, size_t index, PxDataType* out);
/* The declared shape: *rank is -1 when the model declares none; a dim is -1
 * when unknown or symbolic. *dims may be NULL when *rank <= 0. */
PX_CAPI PxStatus* PxSessionGetInputShape(const PxSession* session, size_t index, const int64_t** dims, int64_t* rank);
PX_CAPI PxStatus* PxSessionGetOutputShape(const PxSession* session, size_t index, const int64_t** dims, int64_t* rank);

/* Runs the model. Every graph input is given by name. output_names lists
 * the outputs wanted (only what they depend on is computed); NULL asks for
 * all of them in declared order, and then output_count must equal
 * PxSessionGetOutputCount. outputs[i] receives a new tensor the caller
 * releases; on error every outputs[i] is NULL. */
PX_CAPI PxStatus* PxSessionRun(PxSession* session, const char* const* input_names, const PxTensor* const* inputs,
                               size_t input_count, const char* const* output_names, size_t output_count,
                               PxTensor** outputs);

/* ---- Tensor ------------------------------------------------------------- */
/* Owning, zero-filled, 64-byte aligned. shape may be NULL when rank is 0. */
PX_CAPI PxStatus* PxTensorCreate(PxDataType type, const int64_t* shape, size_t rank, PxTensor** out);
/* Borrows data, which must hold data_bytes = elements * element size and
 * outlive the tensor and every run it is given to. */
PX_CAPI PxStatus* PxTensorCreateView(PxDataType type, const int64_t* shape, size_t rank, void* data, size_t data_bytes,
                                     PxTensor** out);
PX_CAPI void PxTensorRelease(PxTensor* tensor);
PX_CAPI PxStatus* PxTensorGetType(const PxTensor* tensor, PxDataType* out);
PX_CAPI PxStatus* PxTensorGetShape(const PxTensor* tensor, const int64_t** dims, size_t* rank);
PX_CAPI PxStatus* PxTensorGetElementCount(const PxTensor* tensor, size_t* out);
PX_CAPI PxStatus* PxTensorGetByteSize(const PxTensor* tensor, size_t* out);
/* The tensor's bytes, writable; NULL for an empty tensor. */
PX_CAPI PxStatus* PxTensorGetData(PxTensor* tensor, void** out);
PX_CAPI PxStatus* PxTensorGetConstData(const PxTensor* tensor, const void** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PARALLAX_C_API_H_ */
