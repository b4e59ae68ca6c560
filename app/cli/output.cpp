// SPDX-License-Identifier: Apache-2.0
#include "output.h"

#include "commands.h"

#include "report/summary.h"

namespace auditscope::cli {

void writeAll(std::string_view text, std::FILE* stream)
{
    std::fwrite(text.data(), 1, text.size(), stream);
}

void printDiagnostics(const LoadReport& report)
{
    for (const Diagnostic& d : report.diagnostics)
        std::fprintf(stderr, "%s\n", formatDiagnostic(d, report).c_str());
    if (report.diagnosticsOmitted > 0)
        std::fprintf(stderr, "... and %llu more problems\n",
            static_cast<unsigned long long>(report.diagnosticsOmitted));
    for (std::size_t i = 0; i < report.sources.size(); ++i) {
        if (report.sources[i].duplicates > 0)
            std::fprintf(stderr, "%s: %s\n", report.sources[i].path.c_str(),
                describeDuplicates(report, i).c_str());
    }
    // Warnings and notes are about events that loaded: counted apart from bad lines.
    if (report.warnings + report.notes > 0)
        std::fprintf(stderr,
            "%llu bad lines, %llu warnings (events loaded flagged: warning:true), %llu notes\n",
            static_cast<unsigned long long>(report.badLines),
            static_cast<unsigned long long>(report.warnings),
            static_cast<unsigned long long>(report.notes));
}

int loadExitCode(const LoadResult& result)
{
    if (result.store->size() == 0)
        return NothingLoadable;
    bool sourceErrors = false;
    for (const SourceReport& s : result.report.sources)
        sourceErrors = sourceErrors || !s.error.empty();
    return result.report.badLines > 0 || sourceErrors ? LoadedWithBadLines : Success;
}

void sayIfNothingLoaded(const LoadResult& result)
{
    if (result.store->size() > 0)
        return;
    const std::vector<SourceReport>& sources = result.report.sources;
    std::string names;
    for (std::size_t i = 0; i < sources.size() && i < 3; ++i)
        names += (i == 0 ? " from " : i + 1 == sources.size() ? " and " : ", ") + sources[i].path;
    if (sources.size() > 3)
        names += " and " + std::to_string(sources.size() - 3) + " more";
    std::fprintf(stderr, "auditscope-cli: no audit events could be loaded%s\n", names.c_str());
}

int reportLoad(const LoadResult& result)
{
    printDiagnostics(result.report);
    sayIfNothingLoaded(result);
    return loadExitCode(result);
}

int finishOutput(int loadCode)
{
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "auditscope-cli: could not write the output\n");
        return UsageError;
    }
    return loadCode;
}

} // namespace auditscope::cli
