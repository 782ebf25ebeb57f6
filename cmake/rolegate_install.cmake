# Install rules: the libraries, the CLI, the headers, a CMake package
# (find_package(rolegate): rolegateConfig.cmake, its version file and the
# exported targets rolegate::rolegate, rolegate::rolegate_shared,
# rolegate::rolegate_cli) and pkg-config files (rolegate.pc for the C ABI in
# librolegate.so, rolegate-static.pc for librolegate.a). Everything is
# relocatable: `cmake --install build --prefix DIR` works for any DIR.
# tests/install/ builds consumers against an installed tree
# (scripts/check-install). Included by the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ROLEGATE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/rolegate)

install(TARGETS rolegate rolegate_shared rolegate_cli EXPORT rolegateTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# include/rolegate/ with internal/: the public headers include those inline parts.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/rolegate DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/capi/rolegate.h ${ROLEGATE_GENERATED_INCLUDE_DIR}/rolegate_version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# ---- CMake package ------------------------------------------------------------
install(EXPORT rolegateTargets NAMESPACE rolegate:: DESTINATION ${ROLEGATE_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rolegateConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/rolegateConfig.cmake INSTALL_DESTINATION ${ROLEGATE_CMAKE_DIR})
# Same major version = same SONAME = compatible C ABI (scripts/check-abi).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/rolegateConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/packaging/rolegateConfig.cmake
              ${PROJECT_BINARY_DIR}/packaging/rolegateConfigVersion.cmake
        DESTINATION ${ROLEGATE_CMAKE_DIR})

# ---- pkg-config -----------------------------------------------------------------
# The pkg-config names of the libraries the core links (ROLEGATE_DEPS), so the
# .pc files follow the CMake dependency list instead of repeating it: absl::x
# is absl_x, and a dependency nobody mapped stops the configure.
set(ROLEGATE_PC_REQUIRES "")
set(ROLEGATE_PC_LIBS_PRIVATE "-lstdc++ -lm")
foreach(_dep IN LISTS ROLEGATE_DEPS)
  if(_dep MATCHES "^absl::(.+)$")
    list(APPEND ROLEGATE_PC_REQUIRES "absl_${CMAKE_MATCH_1}")
  elseif(_dep STREQUAL "simdjson::simdjson")
    list(APPEND ROLEGATE_PC_REQUIRES simdjson)
  elseif(_dep STREQUAL "PkgConfig::RE2")
    list(APPEND ROLEGATE_PC_REQUIRES re2)
  elseif(_dep STREQUAL "Threads::Threads")
    string(APPEND ROLEGATE_PC_LIBS_PRIVATE " -pthread")
  else()
    message(FATAL_ERROR "cmake/rolegate_install.cmake: no pkg-config name for the dependency "
                        "'${_dep}'; add one so rolegate.pc lists it")
  endif()
endforeach()
list(JOIN ROLEGATE_PC_REQUIRES " " ROLEGATE_PC_REQUIRES)

# Paths relative to the .pc file (${pcfiledir}) unless the install dirs are
# absolute, so an install under any --prefix finds its own headers and library.
set(_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ROLEGATE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(ROLEGATE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _up "/root/${_pc_dir}" "/root")
  string(REGEX REPLACE "/$" "" _up "${_up}")
  set(ROLEGATE_PC_PREFIX "\${pcfiledir}/${_up}")
  set(ROLEGATE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ROLEGATE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(ROLEGATE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
foreach(_pc rolegate rolegate-static)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${_pc}.pc.in ${PROJECT_BINARY_DIR}/packaging/${_pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/${_pc}.pc DESTINATION ${_pc_dir})
endforeach()
