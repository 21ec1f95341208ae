# What `cmake --install` puts where, and the packages CPack builds from it: a Debian package and a tarball
# on Linux, an MSI (WiX) on Windows, a disk image on macOS. See installer/README.md.
include(GNUInstallDirs)

# The AppStream, desktop-file and icon name: the homepage's domain reversed. Never change it once
# released; software centres and desktops key on it.
set(CHAINSIGHT_APP_ID example.chainsight.Chainsight)
set(CHAINSIGHT_INSTALLER_DIR ${PROJECT_SOURCE_DIR}/installer)
set(chainsight_installer_binary_dir ${CMAKE_BINARY_DIR}/installer)
# Windows has no package manager to bring the non-Qt DLLs: they are collected from the binaries.
set(chainsight_runtime_dependencies)
if(WIN32)
    set(chainsight_runtime_dependencies RUNTIME_DEPENDENCY_SET chainsight_runtime)
endif()

if(APPLE)
    # The command line ships inside the bundle, so macdeployqt fixes up its Qt references too.
    install(TARGETS chainsight-cli RUNTIME DESTINATION chainsight.app/Contents/MacOS)
else()
    install(TARGETS chainsight-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} ${chainsight_runtime_dependencies})
endif()

if(TARGET chainsight)
    if(APPLE)
        install(TARGETS chainsight BUNDLE DESTINATION .)
    else()
        install(TARGETS chainsight RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} ${chainsight_runtime_dependencies})
    endif()

    # The hicolor PNGs are drawn from the one SVG at build time, so they never drift from it.
    add_executable(chainsight-render-icon installer/render-icon.cpp)
    chainsight_target_defaults(chainsight-render-icon)
    target_link_libraries(chainsight-render-icon PRIVATE Qt6::Svg Qt6::Gui)
    set(chainsight_icon_svg ${PROJECT_SOURCE_DIR}/resources/icons/chainsight.svg)
    set(chainsight_icon_sizes 16 22 24 32 48 64 128 256 512)
    set(chainsight_icon_pngs)
    foreach(size IN LISTS chainsight_icon_sizes)
        set(png ${chainsight_installer_binary_dir}/icons/${size}x${size}/${CHAINSIGHT_APP_ID}.png)
        add_custom_command(OUTPUT ${png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${chainsight_installer_binary_dir}/icons/${size}x${size}
            # A sanitizer build of the renderer must not fail the build over a leak report at exit.
            COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
                    $<TARGET_FILE:chainsight-render-icon> ${chainsight_icon_svg} ${size} ${png}
            DEPENDS chainsight-render-icon ${chainsight_icon_svg}
            COMMENT "Rendering the ${size}x${size} application icon"
            VERBATIM)
        list(APPEND chainsight_icon_pngs ${png})
    endforeach()
    add_custom_target(chainsight_icons_png ALL DEPENDS ${chainsight_icon_pngs})
endif()

if(UNIX AND NOT APPLE)
    if(TARGET chainsight)
        install(FILES installer/linux/${CHAINSIGHT_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
        install(FILES installer/linux/${CHAINSIGHT_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
        install(FILES installer/linux/chainsight-mime.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages
                RENAME chainsight.xml)
        foreach(size IN LISTS chainsight_icon_sizes)
            install(FILES ${chainsight_installer_binary_dir}/icons/${size}x${size}/${CHAINSIGHT_APP_ID}.png
                    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
        endforeach()
        install(FILES ${chainsight_icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
                RENAME ${CHAINSIGHT_APP_ID}.svg)
    endif()

    # Man pages are gzipped as Debian policy asks; configure-time, so the build needs no gzip.
    foreach(page chainsight.1 chainsight-cli.1)
        set(source ${CHAINSIGHT_INSTALLER_DIR}/man/${page})
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
        file(MAKE_DIRECTORY ${chainsight_installer_binary_dir}/man)
        file(COPY_FILE ${source} ${chainsight_installer_binary_dir}/man/${page} ONLY_IF_DIFFERENT)
        file(ARCHIVE_CREATE OUTPUT ${chainsight_installer_binary_dir}/man/${page}.gz
             PATHS ${chainsight_installer_binary_dir}/man/${page}
             FORMAT raw COMPRESSION GZip COMPRESSION_LEVEL 9 MTIME 0)
        if(page STREQUAL "chainsight-cli.1" OR TARGET chainsight)
            install(FILES ${chainsight_installer_binary_dir}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
        endif()
    endforeach()
endif()

# The licence notes and the reference an author needs beside the tools; the policy library installs itself.
set(chainsight_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/chainsight)
install(FILES installer/copyright DESTINATION ${chainsight_doc_dir})
foreach(doc cli.md rules.md chains.md formats.md formats-logs.md cedar.md policy-context.md workspace.md)
    if(EXISTS ${PROJECT_SOURCE_DIR}/docs/${doc})
        install(FILES docs/${doc} DESTINATION ${chainsight_doc_dir})
    endif()
endforeach()

if(WIN32 AND TARGET chainsight)
    include(${CHAINSIGHT_INSTALLER_DIR}/windows/Windows.cmake)
elseif(APPLE AND TARGET chainsight)
    include(${CHAINSIGHT_INSTALLER_DIR}/macos/MacOS.cmake)
endif()

set(CPACK_PACKAGE_NAME chainsight)
set(CPACK_PACKAGE_VENDOR "Chainsight")
set(CPACK_PACKAGE_CONTACT "Chainsight maintainers <maintainers@chainsight.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Governance console for AI agent delegation chains")
set(CPACK_PACKAGE_DESCRIPTION
    "Chainsight imports agent inventories and audit trails (OpenTelemetry GenAI traces, Langfuse, token captures with RFC 8693 act chains, Keycloak, Okta, Entra ID, AWS CloudTrail, MCP logs) into one workspace, stitches them into delegation chains from the human who asked to the tool that acted, and names the accountability gaps: shadow and orphan agents, lost originators, scope widening, stale secrets. chainsight-cli runs the same analysis and a Cedar policy engine headless, for CI.")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_INSTALL_DIRECTORY Chainsight)
set(CPACK_PACKAGE_EXECUTABLES chainsight Chainsight)
set(CPACK_RESOURCE_FILE_LICENSE ${CHAINSIGHT_INSTALLER_DIR}/copyright)
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)

if(WIN32)
    set(CPACK_GENERATOR WIX ZIP)
elseif(APPLE)
    set(CPACK_GENERATOR DragNDrop)
else()
    set(CPACK_GENERATOR DEB TGZ)
endif()

# Debian: runtime dependencies come from the binaries (dpkg-shlibdeps, package dpkg-dev); the rest is what
# Qt loads as plugins at run time. Desktop, MIME and icon caches are refreshed by the triggers of
# desktop-file-utils, shared-mime-info and the icon theme, so the package needs no maintainer scripts.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The window and About icons are SVG, drawn by Qt's SVG icon-engine plugin, which no binary links.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-qpa-plugins, qt6-wayland, hicolor-icon-theme, shared-mime-info, desktop-file-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qt6-gtk-platformtheme")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_THREADS 0) # xz on every core
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)

# Builds the .deb from this tree, unpacks it into a throw-away root and runs what it installed. It packages
# whatever build type the tree has (CI's sanitizer tree too): the check is of the package, not the speed.
if(CHAINSIGHT_BUILD_TESTS AND UNIX AND NOT APPLE AND TARGET chainsight)
    add_test(NAME installer_package
        COMMAND ${CMAKE_COMMAND}
            -DBINARY_DIR=${CMAKE_BINARY_DIR}
            -DWORK_DIR=${chainsight_installer_binary_dir}/package-test
            -DAPP_ID=${CHAINSIGHT_APP_ID}
            -DVERSION=${PROJECT_VERSION}
            -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
            "-DICON_SIZES=${chainsight_icon_sizes}"
            -P ${CHAINSIGHT_INSTALLER_DIR}/PackageTest.cmake)
    set_tests_properties(installer_package PROPERTIES
        LABELS installer
        TIMEOUT 900
        SKIP_REGULAR_EXPRESSION "SKIP: "
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_FONT_DPI=96")
endif()
