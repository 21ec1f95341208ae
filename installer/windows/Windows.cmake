# Windows: an MSI from CPack's WiX generator (and a zip). windeployqt brings Qt and its plugins; the other
# DLLs (OpenSSL, SQLite, simdjson, zlib) are collected from the binaries; InstallRequiredSystemLibraries
# brings the compiler runtime. See installer/README.md for the command sequence.

# Where the non-Qt DLLs live, e.g. the vcpkg tree's bin folder.
set(chainsight_default_dll_dirs)
if(DEFINED VCPKG_INSTALLED_DIR AND DEFINED VCPKG_TARGET_TRIPLET)
    list(APPEND chainsight_default_dll_dirs "${VCPKG_INSTALLED_DIR}/${VCPKG_TARGET_TRIPLET}/bin")
endif()
set(CHAINSIGHT_RUNTIME_DLL_DIRS "${chainsight_default_dll_dirs}" CACHE STRING
    "Folders holding the DLLs of OpenSSL, SQLite, simdjson and zlib, for the installer")

# The executable's icon, drawn from the SVG like the Linux icons.
set(chainsight_ico ${chainsight_installer_binary_dir}/chainsight.ico)
add_custom_command(OUTPUT ${chainsight_ico}
    COMMAND $<TARGET_FILE:chainsight-render-icon> ${chainsight_icon_svg} 256 ${chainsight_ico}
    DEPENDS chainsight-render-icon ${chainsight_icon_svg}
    COMMENT "Rendering the Windows application icon"
    VERBATIM)
# The icon is generated in this directory and the executable lives in app/: a target orders the two.
add_custom_target(chainsight_windows_icon DEPENDS ${chainsight_ico})
add_dependencies(chainsight chainsight_windows_icon)
configure_file(${CMAKE_CURRENT_LIST_DIR}/chainsight.rc.in ${chainsight_installer_binary_dir}/chainsight.rc @ONLY)
target_sources(chainsight PRIVATE ${chainsight_installer_binary_dir}/chainsight.rc)
# Source properties belong to the directory of the target, app/.
set_source_files_properties(${chainsight_installer_binary_dir}/chainsight.rc TARGET_DIRECTORY chainsight
    PROPERTIES OBJECT_DEPENDS ${chainsight_ico})

set(chainsight_dll_search)
if(CHAINSIGHT_RUNTIME_DLL_DIRS)
    set(chainsight_dll_search DIRECTORIES ${CHAINSIGHT_RUNTIME_DLL_DIRS})
endif()
install(RUNTIME_DEPENDENCY_SET chainsight_runtime
    DESTINATION ${CMAKE_INSTALL_BINDIR}
    # Qt is windeployqt's job; the rest of what is excluded ships with Windows.
    PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-" "^qt6" "^hvsifiletrust" "^pdmutilities"
    POST_EXCLUDE_REGEXES ".*[/\\\\][Ss]ystem32[/\\\\].*"
    ${chainsight_dll_search})

find_program(CHAINSIGHT_WINDEPLOYQT windeployqt HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)
install(CODE "
    execute_process(
        COMMAND \"${CHAINSIGHT_WINDEPLOYQT}\" $<IF:$<CONFIG:Debug>,--debug,--release>
                --no-translations --no-system-d3d-compiler --no-opengl-sw --no-compiler-runtime
                --dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\"
                \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/chainsight.exe\"
        COMMAND_ERROR_IS_FATAL ANY)
")

set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${CMAKE_INSTALL_BINDIR})
include(InstallRequiredSystemLibraries)

# Fixed for the life of the product: Windows Installer upgrades in place only while this stays the same.
set(CPACK_WIX_UPGRADE_GUID "31150E09-2BBE-4017-B998-F06C6D938494")
set(CPACK_WIX_PRODUCT_ICON ${chainsight_ico})
set(CPACK_WIX_PROGRAM_MENU_FOLDER Chainsight)
set(CPACK_WIX_PROPERTY_ARPURLINFOABOUT ${PROJECT_HOMEPAGE_URL})
# Registers *.chainsight workspaces, so a double-click opens them in Chainsight.
set(CPACK_WIX_PATCH_FILE ${CMAKE_CURRENT_LIST_DIR}/file-association.wxs)
set(CPACK_CREATE_DESKTOP_LINKS chainsight)
