# Identity-provider, cloud and MCP log importers (paths relative to importers/).
list(APPEND CHAINSIGHT_LOG_IMPORTER_SOURCES
    logs/LogImporters.h logs/LogImporters.cpp
    logs/JsonRecordReader.h logs/JsonRecordReader.cpp
    logs/LogRecords.h logs/LogRecords.cpp
    logs/McpLogImporter.h logs/McpLogImporter.cpp
    logs/KeycloakEventsImporter.h logs/KeycloakEventsImporter.cpp
    logs/CloudTrailImporter.h logs/CloudTrailImporter.cpp
    logs/OktaSystemLogImporter.h logs/OktaSystemLogImporter.cpp
    logs/EntraSignInLogImporter.h logs/EntraSignInLogImporter.cpp
)
