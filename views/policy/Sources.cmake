# The policy editor and the simulation results (model/policy underneath).
target_sources(chainsight_views PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/PolicyHighlighter.h ${CMAKE_CURRENT_LIST_DIR}/PolicyHighlighter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/PolicyEditor.h ${CMAKE_CURRENT_LIST_DIR}/PolicyEditor.cpp
    ${CMAKE_CURRENT_LIST_DIR}/PolicySession.h ${CMAKE_CURRENT_LIST_DIR}/PolicySession.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ReplayScopeDialog.h ${CMAKE_CURRENT_LIST_DIR}/ReplayScopeDialog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/PolicyPanel.h ${CMAKE_CURRENT_LIST_DIR}/PolicyPanel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/SimulationCharts.h ${CMAKE_CURRENT_LIST_DIR}/SimulationCharts.cpp
    ${CMAKE_CURRENT_LIST_DIR}/SimulationPanel.h ${CMAKE_CURRENT_LIST_DIR}/SimulationPanel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/PolicyDocks.h ${CMAKE_CURRENT_LIST_DIR}/PolicyDocks.cpp
)
target_include_directories(chainsight_views PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(chainsight_views PUBLIC chainsight_policy PRIVATE Qt6::Charts)
