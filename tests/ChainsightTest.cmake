# chainsight_add_qtest(NAME SOURCES... LIBS ... [LABELS ...])
# One QtTest executable registered with CTest, run offscreen with the shared samples located.
get_filename_component(CHAINSIGHT_SHARED_DIR "${PROJECT_SOURCE_DIR}/../shared" ABSOLUTE)
function(chainsight_add_qtest name)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    chainsight_target_defaults(${name})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE
        CHAINSIGHT_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        CHAINSIGHT_SHARED_DIR="${CHAINSIGHT_SHARED_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_FONT_DPI=96;CHAINSIGHT_SHARED_DIR=${CHAINSIGHT_SHARED_DIR}"
        LABELS "${ARG_LABELS}"
        TIMEOUT 600)
endfunction()
