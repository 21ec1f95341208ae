#pragma once

#include "SourceImporter.h"

#include <memory>
#include <vector>

namespace chainsight {

// Adds the identity-provider, cloud and MCP log importers to the registry, in sniffing order.
void appendLogImporters(std::vector<std::unique_ptr<SourceImporter>> &importers);

} // namespace chainsight
