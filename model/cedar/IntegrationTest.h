#pragma once

#include <string>
#include <vector>

namespace chainsight::cedar {

struct IntegrationRequestResult final {
    std::string description;
    bool passed = false;
    std::string detail; // what differed, empty when passed
};

struct IntegrationTestResult final {
    bool loaded = false;
    std::string error;  // why the test file could not be run
    std::vector<IntegrationRequestResult> requests;
    int passed = 0;
    int failed = 0;
};

// Runs one test file in the format of Cedar's integration tests: policies, entities and schema
// paths relative to root, and requests with the expected decision, reason ids and error ids.
IntegrationTestResult runIntegrationTest(const std::string &testFile, const std::string &root);

std::string readTextFile(const std::string &path, bool &ok);

} // namespace chainsight::cedar
