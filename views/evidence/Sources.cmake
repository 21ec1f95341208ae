# The evidence report (PDF with QPdfWriter), its export off the GUI thread, and the review panel.
target_sources(chainsight_views PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/PdfPageFlow.h ${CMAKE_CURRENT_LIST_DIR}/PdfPageFlow.cpp
    ${CMAKE_CURRENT_LIST_DIR}/EvidenceGraphFigure.h ${CMAKE_CURRENT_LIST_DIR}/EvidenceGraphFigure.cpp
    ${CMAKE_CURRENT_LIST_DIR}/EvidencePdfWriter.h ${CMAKE_CURRENT_LIST_DIR}/EvidencePdfWriter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/EvidenceExporter.h ${CMAKE_CURRENT_LIST_DIR}/EvidenceExporter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/EvidenceExportDialog.h ${CMAKE_CURRENT_LIST_DIR}/EvidenceExportDialog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ReviewDialog.h ${CMAKE_CURRENT_LIST_DIR}/ReviewDialog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ReviewPanel.h ${CMAKE_CURRENT_LIST_DIR}/ReviewPanel.cpp
)
target_include_directories(chainsight_views PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(chainsight_views PUBLIC chainsight_evidence chainsight_review)
