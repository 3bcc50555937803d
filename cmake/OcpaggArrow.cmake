# Finds Apache Arrow + Parquet C++ and defines the targets ocpagg::arrow and ocpagg::parquet.
#
# A system installation (find_package) wins. Debian bookworm ships none, so the fallback is the
# C++ libraries and headers bundled in the pyarrow wheel of the project's virtualenv
# (scripts/setup installs it; OCPAGG_PYTHON points at its interpreter). The wheel carries no
# CMake package files, hence the imported targets built by hand from pyarrow's own paths.

# OCPAGG_ARROW_FROM_PYARROW (the Python module) skips the system: the module must load the Arrow
# that `import pyarrow` loads.
if(NOT OCPAGG_ARROW_FROM_PYARROW)
  find_package(Arrow CONFIG QUIET)
  find_package(Parquet CONFIG QUIET)
endif()
if(Arrow_FOUND AND Parquet_FOUND AND NOT OCPAGG_ARROW_FROM_PYARROW)
  message(STATUS "Arrow ${Arrow_VERSION} from the system")
  add_library(ocpagg::arrow INTERFACE IMPORTED)
  target_link_libraries(ocpagg::arrow INTERFACE Arrow::arrow_shared)
  add_library(ocpagg::parquet INTERFACE IMPORTED)
  target_link_libraries(ocpagg::parquet INTERFACE Parquet::parquet_shared)
  set(OCPAGG_ARROW_LIBRARY_DIR "")
  return()
endif()

set(OCPAGG_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python interpreter whose pyarrow provides Arrow C++ when no system Arrow exists")
execute_process(
  COMMAND "${OCPAGG_PYTHON}" -c
          "import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
  OUTPUT_VARIABLE _pa_out
  RESULT_VARIABLE _pa_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _pa_rc EQUAL 0)
  message(FATAL_ERROR
    "No system Arrow C++ and no pyarrow at ${OCPAGG_PYTHON}. Run scripts/setup first.")
endif()
string(REPLACE "\n" ";" _pa_out "${_pa_out}")
list(GET _pa_out 0 _pa_include)
list(GET _pa_out 1 _pa_libdir)
list(GET _pa_out 2 _pa_version)
message(STATUS "Arrow ${_pa_version} from the pyarrow wheel at ${_pa_libdir}")

# The wheel ships versioned sonames only (libarrow.so.2200); link the versioned files directly.
function(_ocpagg_wheel_lib target name)
  file(GLOB _candidates "${_pa_libdir}/lib${name}.so.[0-9]*")
  list(FILTER _candidates EXCLUDE REGEX "\\.so\\.[0-9]+\\.[0-9]")
  list(LENGTH _candidates _n)
  if(NOT _n EQUAL 1)
    message(FATAL_ERROR "Expected one lib${name}.so.N in ${_pa_libdir}, found: ${_candidates}")
  endif()
  add_library(${target} SHARED IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${_candidates}"
    INTERFACE_INCLUDE_DIRECTORIES "${_pa_include}")
endfunction()

_ocpagg_wheel_lib(ocpagg::arrow arrow)
_ocpagg_wheel_lib(ocpagg::parquet parquet)
target_link_libraries(ocpagg::parquet INTERFACE ocpagg::arrow)
# Binaries find the wheel's libraries without LD_LIBRARY_PATH.
set(OCPAGG_ARROW_LIBRARY_DIR "${_pa_libdir}")
