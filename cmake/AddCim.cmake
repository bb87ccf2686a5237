# Installation of cim's libraries as the CMake package `Cim`
# (find_package(Cim), docs/interop.md), in the manner of CIRCT's
# add_circt_library_install: the libraries are built by add_mlir_*_library
# with DISABLE_INSTALL (which would put them in LLVM's export set) and
# installed here into our own.
function(add_cim_library_install name)
  install(TARGETS ${name} EXPORT CimTargets
    ARCHIVE DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    LIBRARY DESTINATION lib${LLVM_LIBDIR_SUFFIX})
  # The headers come from the install tree; MLIR's and LLVM's from
  # MLIRConfig (MLIR_INCLUDE_DIRS), as for any MLIR project.
  target_include_directories(${name} INTERFACE
    $<INSTALL_INTERFACE:include>)
  set_property(GLOBAL APPEND PROPERTY CIM_EXPORTS ${name})
endfunction()
