# CTest script: builds the Debian package of this build tree, unpacks it into a throw-away root with
# `dpkg -x` and runs what it installed: both commands' --version, a demo import, the policy library against
# the installed schema, the GUI opening the demo and a workspace named on its command line; then checks the
# desktop entry, AppStream metadata, MIME type, icons and man pages with the tools desktops use.
# Called as: cmake -DBINARY_DIR=… -DWORK_DIR=… -DAPP_ID=… -DVERSION=… -DBUILD_TYPE=… -DICON_SIZES=… -P PackageTest.cmake
cmake_minimum_required(VERSION 3.25)

foreach(tool dpkg-deb dpkg-shlibdeps desktop-file-validate)
    find_program(found_${tool} ${tool})
    if(NOT found_${tool})
        # Printed as "SKIP: …", which CTest reports as a skipped test.
        message("SKIP: ${tool} is missing; installer/dependencies.sh installs it")
        return()
    endif()
endforeach()
find_program(found_appstreamcli appstreamcli)
find_program(found_update_mime update-mime-database)
find_program(found_groff groff)
find_program(found_gzip gzip)

# Counts a failed condition (written as for if()) and goes on, so one run names every problem.
set(failures 0)
function(check condition message)
    cmake_language(EVAL CODE "set(holds FALSE)\nif(${condition})\nset(holds TRUE)\nendif()")
    if(NOT holds)
        message(SEND_ERROR "FAIL: ${message}")
        math(EXPR count "${failures} + 1")
        set(failures ${count} PARENT_SCOPE)
    endif()
endfunction()

# Runs a command and stops the test with its output when it exits non-zero; leaves stdout in `output`
# and stderr in `errors`.
function(run_checked what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
    if(NOT code EQUAL 0)
        message(FATAL_ERROR "FAIL: ${what} (exit ${code})\n${out}\n${err}")
    endif()
    set(output "${out}" PARENT_SCOPE)
    set(errors "${err}" PARENT_SCOPE)
endfunction()

if(NOT BUILD_TYPE STREQUAL "Release")
    message(STATUS "packaging a ${BUILD_TYPE} build: right for checking the package, not for shipping it")
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(root ${WORK_DIR}/root)
set(scratch ${WORK_DIR}/scratch)
file(MAKE_DIRECTORY ${scratch}/home ${scratch}/config ${scratch}/data ${scratch}/runtime)
file(CHMOD ${scratch}/runtime DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
# The installed programs read and write settings and the demo only under the scratch folder, never the user's.
set(isolated ${CMAKE_COMMAND} -E env HOME=${scratch}/home XDG_CONFIG_HOME=${scratch}/config
    XDG_DATA_HOME=${scratch}/data XDG_RUNTIME_DIR=${scratch}/runtime QT_QPA_PLATFORM=offscreen)

# 1. The package, as `cpack -G DEB` builds it for release, but uncompressed: xz takes minutes on a sanitizer
# build and changes nothing that is checked here.
string(TIMESTAMP started "%s")
run_checked("cpack -G DEB" ${CMAKE_CPACK_COMMAND} -G DEB --config ${BINARY_DIR}/CPackConfig.cmake -B ${WORK_DIR}/package
    -D CPACK_DEBIAN_COMPRESSION_TYPE=none)
string(TIMESTAMP packaged "%s")
math(EXPR seconds "${packaged} - ${started}")
file(GLOB debs ${WORK_DIR}/package/*.deb)
list(LENGTH debs deb_count)
if(NOT deb_count EQUAL 1)
    message(FATAL_ERROR "FAIL: expected one .deb in ${WORK_DIR}/package, found ${deb_count}")
endif()
get_filename_component(deb_name ${debs} NAME)
file(SIZE ${debs} deb_size)
message(STATUS "built ${deb_name} (${deb_size} bytes) in ${seconds} s")
check("deb_name MATCHES \"^chainsight_${VERSION}_[a-z0-9]+\\\\.deb$\"" "package file name ${deb_name} is not chainsight_${VERSION}_<arch>.deb")

# 2. Its control data: the dependencies dpkg-shlibdeps found in the binaries.
run_checked("dpkg-deb --field" dpkg-deb --field ${debs} Package Version Depends Recommends)
set(control "${output}")
message(STATUS "control:\n${control}")
check("control MATCHES \"Version: ${VERSION}\"" "control Version is not ${VERSION}")
foreach(dependency libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 libsqlite3-0 libssl3 libc6)
    check("control MATCHES \"Depends:[^\\n]*${dependency}\"" "Depends does not name ${dependency}")
endforeach()

# 3. Everything it installs, in the Debian layout.
execute_process(COMMAND dpkg -x ${debs} ${root} RESULT_VARIABLE code)
check("code EQUAL 0" "dpkg -x failed")
set(share ${root}/usr/share)
set(expected_files
    usr/bin/chainsight usr/bin/chainsight-cli
    usr/share/applications/${APP_ID}.desktop
    usr/share/metainfo/${APP_ID}.metainfo.xml
    usr/share/mime/packages/chainsight.xml
    usr/share/icons/hicolor/scalable/apps/${APP_ID}.svg
    usr/share/man/man1/chainsight.1.gz usr/share/man/man1/chainsight-cli.1.gz
    usr/share/doc/chainsight/copyright
    usr/share/chainsight/policies/chainsight.cedarschema)
foreach(size IN LISTS ICON_SIZES)
    list(APPEND expected_files usr/share/icons/hicolor/${size}x${size}/apps/${APP_ID}.png)
endforeach()
foreach(path IN LISTS expected_files)
    check("EXISTS ${root}/${path}" "the package does not install /${path}")
endforeach()

# Each hicolor PNG is as large as its folder says (width and height sit at bytes 16..23 of a PNG).
foreach(size IN LISTS ICON_SIZES)
    set(png ${share}/icons/hicolor/${size}x${size}/apps/${APP_ID}.png)
    if(EXISTS ${png})
        file(READ ${png} header LIMIT 24 HEX)
        string(SUBSTRING "${header}" 32 8 width_hex)
        string(SUBSTRING "${header}" 40 8 height_hex)
        math(EXPR width "0x${width_hex}")
        math(EXPR height "0x${height_hex}")
        check("width EQUAL ${size} AND height EQUAL ${size}" "${size}x${size} icon is ${width}x${height}")
    endif()
endforeach()

# 4. The installed command line: version, the demo inputs imported into a fresh workspace.
run_checked("chainsight-cli --version" ${isolated} ${root}/usr/bin/chainsight-cli --version)
check("output STREQUAL \"chainsight-cli ${VERSION}\n\"" "chainsight-cli --version printed '${output}'")
# Answered without a display, as in a terminal over ssh.
run_checked("chainsight --version" ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY --unset=QT_QPA_PLATFORM
    ${root}/usr/bin/chainsight --version)
check("output MATCHES \"^Chainsight ${VERSION}\"" "chainsight --version printed '${output}'")

run_checked("chainsight-cli demo" ${isolated} ${root}/usr/bin/chainsight-cli demo --out ${scratch}/demo)
check("EXISTS ${scratch}/demo/inventory.json AND EXISTS ${scratch}/demo/agent-traces.jsonl" "demo wrote no inputs")
set(workspace ${scratch}/imported.chainsight)
run_checked("chainsight-cli import of the demo inputs" ${isolated} ${root}/usr/bin/chainsight-cli import
    -w ${workspace} ${scratch}/demo/inventory.json ${scratch}/demo/agent-traces.jsonl --json)
check("output MATCHES \"\\\"status\\\": *\\\"committed\\\"\"" "the demo import did not commit:\n${output}")
run_checked("chainsight-cli info" ${isolated} ${root}/usr/bin/chainsight-cli info -w ${workspace} --json)
string(JSON agents ERROR_VARIABLE json_error GET "${output}" counts agents)
check("NOT json_error AND agents GREATER_EQUAL 12" "the imported demo has ${agents} agents (${json_error})")
string(JSON events ERROR_VARIABLE json_error GET "${output}" counts events)
check("NOT json_error AND events GREATER 0" "the imported demo has no events (${json_error})")
message(STATUS "demo import: ${agents} agents, ${events} events")

# The starter policies check against the schema the package installed beside them.
file(GLOB policies ${share}/chainsight/policies/library/*.cedar)
list(LENGTH policies policy_count)
check("policy_count GREATER_EQUAL 1" "the package installs no starter policies")
foreach(policy IN LISTS policies)
    run_checked("policy check ${policy}" ${isolated} ${root}/usr/bin/chainsight-cli policy check ${policy}
        --schema ${share}/chainsight/policies/chainsight.cedarschema)
endforeach()
message(STATUS "${policy_count} starter policies check against the installed schema")

# 5. The installed GUI: a first start opens the demo; a workspace named on the command line opens.
run_checked("chainsight first start" ${isolated} ${root}/usr/bin/chainsight --screenshot ${WORK_DIR}/first-start.png)
check("EXISTS ${WORK_DIR}/first-start.png" "the first start wrote no screenshot")
run_checked("chainsight W.chainsight" ${isolated} ${root}/usr/bin/chainsight --screenshot ${WORK_DIR}/opened.png ${workspace})
check("EXISTS ${WORK_DIR}/opened.png" "opening a workspace from the command line wrote no screenshot")
# High DPI: at twice the scale the same window is drawn with twice the pixels, not blown up.
run_checked("chainsight at scale 2" ${isolated} QT_SCALE_FACTOR=2 ${root}/usr/bin/chainsight
    --screenshot ${WORK_DIR}/opened-scale-2.png ${workspace})
foreach(png opened opened-scale-2)
    file(READ ${WORK_DIR}/${png}.png header LIMIT 24 HEX)
    string(SUBSTRING "${header}" 32 8 width_hex)
    math(EXPR width_${png} "0x${width_hex}")
endforeach()
math(EXPR doubled "${width_opened} * 2")
message(STATUS "window ${width_opened} pixels wide at scale 1, ${width_opened-scale-2} at scale 2")
check("width_opened-scale-2 EQUAL doubled" "at scale 2 the window is ${width_opened-scale-2} pixels wide, not ${doubled}")

# 6. Desktop integration files, validated by the tools desktops and software centres use.
run_checked("desktop-file-validate" desktop-file-validate ${share}/applications/${APP_ID}.desktop)
set(complaints "${output}${errors}")
check("complaints STREQUAL \"\"" "desktop-file-validate complains:\n${complaints}")
file(READ ${share}/applications/${APP_ID}.desktop desktop_entry)
check("desktop_entry MATCHES \"MimeType=application/x-chainsight-workspace;\"" "the desktop entry does not open workspaces")
check("desktop_entry MATCHES \"\\nIcon=${APP_ID}\\n\"" "the desktop entry's icon is not ${APP_ID}")
if(found_appstreamcli)
    run_checked("appstreamcli validate" appstreamcli validate --no-net ${share}/metainfo/${APP_ID}.metainfo.xml)
else()
    message(STATUS "appstreamcli missing: AppStream metadata not validated")
endif()
if(found_update_mime)
    # The MIME database built from the installed package alone maps *.chainsight to the workspace type.
    run_checked("update-mime-database" update-mime-database ${share}/mime)
    file(READ ${share}/mime/globs2 globs)
    check("globs MATCHES \"application/x-chainsight-workspace:\\\\*\\\\.chainsight\"" "*.chainsight is not in the MIME globs")
endif()
if(found_groff AND found_gzip)
    foreach(page chainsight chainsight-cli)
        execute_process(COMMAND gzip -dc ${share}/man/man1/${page}.1.gz OUTPUT_FILE ${scratch}/${page}.1)
        run_checked("groff ${page}.1" groff -man -ww -z -Tutf8 ${scratch}/${page}.1)
        check("errors STREQUAL \"\"" "groff warns about ${page}.1:\n${errors}")
    endforeach()
endif()

if(failures GREATER 0)
    message(FATAL_ERROR "${failures} check(s) failed")
endif()
# The screenshots stay for review; the package and its unpacked copy are large.
file(REMOVE_RECURSE ${WORK_DIR}/package ${root})
message(STATUS "package ${deb_name} installs and runs")
