# cmake --install: headers, the three libraries, pkg-config file and a CMake
# package so consumers can `find_package(zlink)` and link `zlink::zlink`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(FILES include/zmq.h include/zlink.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS zlink zlink_static EXPORT zlinkTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The drop-in libzmq.so.5 goes into a subdirectory so installing zlink never
# shadows a system libzmq by accident; point LD_LIBRARY_PATH at it to use it.
install(TARGETS zmq_dropin LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/zlink NAMELINK_SKIP)

install(EXPORT zlinkTargets NAMESPACE zlink:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zlink)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/zlinkConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/zlinkConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zlink)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/zlinkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/zlinkConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/zlinkConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zlink)

set(ZLINK_PC_CURVE_LIBS "")
if(ZLINK_HAVE_CURVE)
  set(ZLINK_PC_CURVE_LIBS -lsodium) # static linking only
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/zlink.pc.in ${CMAKE_CURRENT_BINARY_DIR}/zlink.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/zlink.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
