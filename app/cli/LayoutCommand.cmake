# `chainsight-cli layout`: the delegation graph laid out (model/layout) and written as JSON, or as SVG and PNG
# painted by the graph view's painter (views/graph) when the widgets library is built.
if(TARGET chainsight_layout AND TARGET chainsight_analysis AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/LayoutCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_SOURCES cli/LayoutCommand.h cli/LayoutCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_DEFINES CHAINSIGHT_HAVE_LAYOUT_COMMAND)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_LIBS chainsight_layout)
    if(TARGET chainsight_views)
        list(APPEND CHAINSIGHT_CLI_OPTIONAL_DEFINES CHAINSIGHT_LAYOUT_IMAGES)
        list(APPEND CHAINSIGHT_CLI_OPTIONAL_LIBS chainsight_views)
    endif()
endif()
