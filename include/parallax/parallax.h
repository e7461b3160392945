// Parallax: an ONNX inference runtime for edge devices. Include this one header.
#pragma once

#include "parallax/data_type.h"
#include "parallax/session.h"
#include "parallax/status.h"
#include "parallax/tensor.h"
