# `chainsight-cli report`: the evidence PDF and its bundle (views/evidence; painting text needs QtGui).
if(TARGET chainsight_views AND TARGET chainsight_evidence AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/ReportCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_SOURCES cli/ReportCommand.h cli/ReportCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_DEFINES CHAINSIGHT_HAVE_REPORT_COMMAND)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_LIBS chainsight_views)
endif()
