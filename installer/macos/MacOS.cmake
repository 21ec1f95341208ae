# macOS: a drag-and-drop disk image holding chainsight.app, made self-contained by macdeployqt (Qt, its
# plugins and the Homebrew or vcpkg dylibs of OpenSSL, SQLite, simdjson copied in and signed).
set(CHAINSIGHT_MACOS_SIGNING_IDENTITY "-" CACHE STRING
    "codesign identity for macdeployqt; '-' signs ad hoc, enough to run on the machine that built it")

# The bundle icon, drawn from the SVG into an iconset and packed by iconutil.
set(chainsight_iconset ${chainsight_installer_binary_dir}/chainsight.iconset)
set(chainsight_icns ${chainsight_installer_binary_dir}/chainsight.icns)
set(chainsight_iconset_commands)
foreach(size 16 32 128 256 512)
    math(EXPR double "${size} * 2")
    list(APPEND chainsight_iconset_commands
        COMMAND $<TARGET_FILE:chainsight-render-icon> ${chainsight_icon_svg} ${size} ${chainsight_iconset}/icon_${size}x${size}.png
        COMMAND $<TARGET_FILE:chainsight-render-icon> ${chainsight_icon_svg} ${double} ${chainsight_iconset}/icon_${size}x${size}@2x.png)
endforeach()
add_custom_command(OUTPUT ${chainsight_icns}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${chainsight_iconset}
    ${chainsight_iconset_commands}
    COMMAND iconutil --convert icns --output ${chainsight_icns} ${chainsight_iconset}
    DEPENDS chainsight-render-icon ${chainsight_icon_svg}
    COMMENT "Rendering the macOS application icon"
    VERBATIM)
# The icon is generated in this directory and the bundle is built in app/: a target orders the two, and the
# source properties are set where the bundle's target lives.
add_custom_target(chainsight_macos_icon DEPENDS ${chainsight_icns})
add_dependencies(chainsight chainsight_macos_icon)
target_sources(chainsight PRIVATE ${chainsight_icns})
set_source_files_properties(${chainsight_icns} TARGET_DIRECTORY chainsight
    PROPERTIES GENERATED TRUE MACOSX_PACKAGE_LOCATION Resources)

set_target_properties(chainsight PROPERTIES
    MACOSX_BUNDLE_INFO_PLIST ${CMAKE_CURRENT_LIST_DIR}/Info.plist.in
    MACOSX_BUNDLE_BUNDLE_NAME Chainsight
    MACOSX_BUNDLE_GUI_IDENTIFIER ${CHAINSIGHT_APP_ID}
    MACOSX_BUNDLE_BUNDLE_VERSION ${PROJECT_VERSION}
    MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
    MACOSX_BUNDLE_ICON_FILE chainsight.icns
    MACOSX_BUNDLE_COPYRIGHT "Copyright (c) Chainsight")

find_program(CHAINSIGHT_MACDEPLOYQT macdeployqt HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)
install(CODE "
    execute_process(
        COMMAND \"${CHAINSIGHT_MACDEPLOYQT}\"
                \"\${CMAKE_INSTALL_PREFIX}/chainsight.app\"
                \"-executable=\${CMAKE_INSTALL_PREFIX}/chainsight.app/Contents/MacOS/chainsight-cli\"
                -always-overwrite
                \"-codesign=${CHAINSIGHT_MACOS_SIGNING_IDENTITY}\"
        COMMAND_ERROR_IS_FATAL ANY)
")

set(CPACK_DMG_VOLUME_NAME "Chainsight ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT UDZO)
