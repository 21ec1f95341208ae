# The delegation graph: one canvas item over the layered layout (model/layout), its view, page and exports.
target_sources(chainsight_views PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphData.h ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphData.cpp
    ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphScene.h ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphScene.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GraphPainter.h ${CMAKE_CURRENT_LIST_DIR}/GraphPainter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphView.h ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphView.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GraphDetailsPanel.h ${CMAKE_CURRENT_LIST_DIR}/GraphDetailsPanel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GraphExport.h ${CMAKE_CURRENT_LIST_DIR}/GraphExport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphPage.h ${CMAKE_CURRENT_LIST_DIR}/DelegationGraphPage.cpp
)
target_include_directories(chainsight_views PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(chainsight_views PUBLIC chainsight_layout Qt6::Svg)
