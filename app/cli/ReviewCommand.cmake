# `chainsight-cli review` and `verify`: reviewer sign-offs (model/review) and evidence bundle checks (model/evidence).
if(TARGET chainsight_review AND TARGET chainsight_evidence AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/ReviewCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_SOURCES cli/ReviewCommand.h cli/ReviewCommand.cpp)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_DEFINES CHAINSIGHT_HAVE_REVIEW_COMMAND)
    list(APPEND CHAINSIGHT_CLI_OPTIONAL_LIBS chainsight_review chainsight_evidence)
endif()
