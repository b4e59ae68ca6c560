// SPDX-License-Identifier: Apache-2.0
// `detect`: every detection rule over the logs, findings grouped by rule (text or JSON), and
// with --policy each rule's coverage by that audit policy. Also the rules every command's
// --query reads findings with.
#include "arguments.h"
#include "commands.h"
#include "detectoutput.h"
#include "detectsupport.h"
#include "output.h"
#include "policycommand.h"

#include "detect/detectionengine.h"
#include "detect/rulecoverage.h"
#include "detect/rulereader.h"
#include "load/loader.h"
#include "policy/policyreader.h"
#include "query/findingterms.h"
#include "query/queryengine.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace auditscope::cli {

namespace {

constexpr const char* DetectUsage =
    R"(Usage: auditscope-cli detect [--json] [--rules FILE] [--policy POLICY]
                              [--min-severity S] PATH...
       auditscope-cli detect --print-rules

Runs every enabled detection rule (the built-in pack, then the user's rules file, then
--rules FILE) over the logs in one pass and prints the findings grouped by rule, most
severe first: each with its principal, time (UTC) and the file:line of its events.

--json          {"findings": [...], "coverage": [...], "rules": [...]}; every finding
                and every event (the text output shows the first findings of each rule)
--rules FILE    a rules file (YAML) over the built-in pack: override fields of a rule by
                its id, `disabled: true` to turn one off, new ids to add rules,
                `settings:` for production namespaces, maintenance windows and private
                address ranges; problems are printed as FILE:LINE:COLUMN and the other
                rules still run
--policy POLICY also says, per rule, whether this audit policy records what the rule
                needs (level, stages, requests), and if not the smallest change
--min-severity S  report findings at or above S: info, low (default), medium, high,
                critical
--print-rules   print the built-in rules (YAML) and exit

Exit codes: 0 nothing found at or above --min-severity, 4 something was, 1 some lines
were bad (and nothing found), 2 usage errors (a bad option, --min-severity, or a rules
file or policy that cannot be read) or nothing loadable.
)";

/// Exit code when findings at or above --min-severity were found.
constexpr int FindingsFound = 4;

struct DetectArgs
{
    bool json = false;
    bool printRules = false;
    std::optional<std::string> rulesFile;
    std::string policyPath;
    FindingSeverity minSeverity = FindingSeverity::Low;
    std::vector<std::string> paths;
};

// -1 when the arguments parsed, else the exit code that ends the command.
int parseDetectArgs(const std::vector<std::string>& args, DetectArgs& out)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--json") {
            out.json = true;
        } else if (a == "--print-rules") {
            out.printRules = true;
        } else if (a == "--rules" || a == "--policy" || a == "--min-severity") {
            if (!hasValue)
                return usageError(a + " needs a value", DetectUsage);
            const std::string& value = args[++i];
            if (a == "--rules")
                out.rulesFile = value;
            else if (a == "--policy")
                out.policyPath = value;
            else if (const std::optional<FindingSeverity> s = parseFindingSeverity(value))
                out.minSeverity = *s;
            else
                return usageError("unknown severity '" + value
                        + "' for --min-severity (info, low, medium, high, critical)",
                    DetectUsage);
        } else if (a == "-h" || a == "--help") {
            return printUsage(DetectUsage);
        } else if (isOption(a)) {
            return usageError("unknown option '" + a + "'", DetectUsage);
        } else {
            out.paths.push_back(a);
        }
    }
    if (!out.printRules && out.paths.empty())
        return usageError("no PATH given", DetectUsage);
    return -1;
}

// Why `path` cannot be read as a file, or "".
std::string unreadableBecause(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return "no such file";
    if (std::filesystem::is_directory(path, ec))
        return "a directory, not a file";
    std::ifstream in(path, std::ios::binary);
    return in ? std::string() : std::string("cannot be opened");
}

// The --policy POLICY file, decoded; nullopt (after saying why) when it cannot be read.
std::optional<Policy> loadCoveragePolicy(const std::string& path)
{
    const PolicyLoadResult loaded = loadPolicyFile(path);
    for (const PolicyDiagnostic& d : loaded.diagnostics)
        writeAll(formatPolicyDiagnostic(path, d), stderr);
    if (!loaded.decoded) {
        std::fprintf(stderr, "auditscope-cli: %s: cannot read this audit policy\n", path.c_str());
        return std::nullopt;
    }
    if (!loaded.loadable)
        std::fprintf(stderr,
            "%s: kube-apiserver would not load this policy; coverage is of what it says\n",
            path.c_str());
    return loaded.policy;
}

} // namespace

std::shared_ptr<const RuleSet> loadCliRules(const std::optional<std::string>& rulesFile)
{
    if (rulesFile) {
        if (const std::string why = unreadableBecause(*rulesFile); !why.empty()) {
            std::fprintf(stderr, "auditscope-cli: cannot read rules file %s: %s\n",
                rulesFile->c_str(), why.c_str());
            return nullptr;
        }
    }
    RuleSet rules = builtinRules();
    const std::string userFile = userRulesPath();
    std::error_code ec;
    if (std::filesystem::is_regular_file(userFile, ec))
        rules = applyRulesFile(rules, userFile);
    if (rulesFile)
        rules = applyRulesFile(rules, *rulesFile);
    for (const RuleDiagnostic& d : rules.diagnostics)
        std::fprintf(stderr, "%s\n", d.toString().c_str());
    return std::make_shared<const RuleSet>(std::move(rules));
}

std::optional<RowSet> runQueryArgument(const Query& query, const std::string& text,
    const EventStorePtr& store, const std::optional<std::string>& rulesFile)
{
    QueryOptions options;
    if (readsFindings(query)) {
        const std::shared_ptr<const RuleSet> rules = loadCliRules(rulesFile);
        if (!rules)
            return std::nullopt;
        options.findings = detect(store, rules).context;
    }
    if (const std::optional<QueryError> e = checkQueryContext(query, text, *store, options)) {
        printQueryError(text, *e);
        return std::nullopt;
    }
    return runQuery(*store, query, {}, options).rows;
}

int runDetect(const std::vector<std::string>& args)
{
    DetectArgs parsed;
    if (const int code = parseDetectArgs(args, parsed); code >= 0)
        return code;
    if (parsed.printRules) {
        writeAll(builtinRulesText());
        return finishOutput(Success);
    }
    const std::shared_ptr<const RuleSet> rules = loadCliRules(parsed.rulesFile);
    if (!rules)
        return UsageError;
    std::optional<Policy> policy;
    if (!parsed.policyPath.empty() && !(policy = loadCoveragePolicy(parsed.policyPath)))
        return UsageError;

    const LoadResult loaded = loadAuditLogs(parsed.paths);
    const int loadCode = reportLoad(loaded);
    if (loaded.store->size() == 0)
        return loadCode;
    const DetectionResult result = detect(loaded.store, rules);
    DetectReport report{result, parsed.minSeverity, policy.has_value(), {}};
    if (policy)
        report.coverage = coverageAgainst(*rules, *policy);
    writeAll(parsed.json ? detectJson(report) : detectText(report, parsed.policyPath));
    const bool found = result.countAtLeast(parsed.minSeverity) > 0;
    // Findings decide the exit code over bad lines (which are reported on stderr).
    return finishOutput(found ? FindingsFound : loadCode);
}

} // namespace auditscope::cli
