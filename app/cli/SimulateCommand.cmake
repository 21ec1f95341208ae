# `chainsight-cli simulate`: replay recorded actions against Cedar policies (model/policy).
if(TARGET chainsight_policy AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/SimulateCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_SOURCES cli/SimulateCommand.h cli/SimulateCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_DEFINES CHAINSIGHT_HAVE_SIMULATE_COMMAND)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_LIBS chainsight_policy)
endif()
