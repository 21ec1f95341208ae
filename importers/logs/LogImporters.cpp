#include "LogImporters.h"

#include "CloudTrailImporter.h"
#include "EntraSignInLogImporter.h"
#include "KeycloakEventsImporter.h"
#include "McpLogImporter.h"
#include "OktaSystemLogImporter.h"

namespace chainsight {

void appendLogImporters(std::vector<std::unique_ptr<SourceImporter>> &importers)
{
    importers.push_back(std::make_unique<McpLogImporter>());
    importers.push_back(std::make_unique<KeycloakEventsImporter>());
    importers.push_back(std::make_unique<CloudTrailImporter>());
    importers.push_back(std::make_unique<OktaSystemLogImporter>());
    importers.push_back(std::make_unique<EntraSignInLogImporter>());
}

} // namespace chainsight
