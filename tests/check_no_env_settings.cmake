# Fails when a file under SOURCE_DIR/src other than src/tools/ reads a
# PARALLAX_* environment variable: settings reach the library through
# SessionOptions, and only the CLI maps the environment onto them.
#   cmake -DSOURCE_DIR=<repository> -P tests/check_no_env_settings.cmake
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "pass -DSOURCE_DIR=<repository root>")
endif()
file(GLOB_RECURSE sources "${SOURCE_DIR}/src/*")
set(offenders "")
foreach(file IN LISTS sources)
  string(FIND "${file}" "${SOURCE_DIR}/src/tools/" in_tools)
  if(in_tools EQUAL 0)
    continue()
  endif()
  file(STRINGS "${file}" lines REGEX "getenv\\(\"PARALLAX_")
  if(lines)
    file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" line)
      string(APPEND offenders "\n  ${relative}: ${line}")
    endforeach()
  endif()
endforeach()
if(offenders)
  message(FATAL_ERROR "PARALLAX_* environment variables read below src/tools/ "
                      "(give the setting a SessionOptions field and map the variable in src/tools/):${offenders}")
endif()
message(STATUS "no PARALLAX_* environment reads below src/tools/")
