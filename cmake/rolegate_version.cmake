# The version header: rolegate_version.h, generated from project(rolegate
# VERSION X.Y.Z) so the version is written in one place. capi/rolegate.h
# includes it; the bindings compare its ROLEGATE_VERSION_NUMBER with the
# library's at load. Included by the top-level CMakeLists.txt after the
# library targets exist.
foreach(_part MAJOR MINOR PATCH)
  if(NOT PROJECT_VERSION_${_part} MATCHES "^[0-9]+$")
    message(FATAL_ERROR "project(rolegate VERSION ...) must be X.Y.Z: the C header and the "
                        "SONAME are derived from all three parts (got '${PROJECT_VERSION}')")
  endif()
endforeach()

set(ROLEGATE_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/generated/include)
configure_file(${CMAKE_CURRENT_LIST_DIR}/rolegate_version.h.in
               ${ROLEGATE_GENERATED_INCLUDE_DIR}/rolegate_version.h @ONLY)
# Every target that compiles or exposes capi/rolegate.h sees the generated
# directory in the build tree; installed, the header sits beside rolegate.h.
foreach(_target rolegate_obj rolegate rolegate_shared)
  target_include_directories(${_target} PUBLIC $<BUILD_INTERFACE:${ROLEGATE_GENERATED_INCLUDE_DIR}>)
endforeach()
