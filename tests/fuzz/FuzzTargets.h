#pragma once

#include <QByteArrayView>
#include <QString>

#include <vector>

namespace chainsight::fuzz {

// One parser of untrusted input, driven with arbitrary bytes. A run that breaks a promise of that parser
// (an exception, a refused file without a reason, a decision that depends on how it was asked) aborts,
// which libFuzzer and the regression test report like a crash.
struct FuzzTarget
{
    const char *name; // also the corpus folder, tests/fuzz/corpus/<name>
    const char *summary;
    void (*run)(QByteArrayView input);
};

// Every target this build can run (the JOSE and Cedar ones only when those components are built).
const std::vector<FuzzTarget> &fuzzTargets();
const FuzzTarget *fuzzTarget(QByteArrayView name);

// Aborts the process with the message: a broken promise is a finding like a crash.
[[noreturn]] void failFuzzCheck(const char *target, const QString &what);

} // namespace chainsight::fuzz
