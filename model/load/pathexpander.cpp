// SPDX-License-Identifier: Apache-2.0
#include "pathexpander.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <glob.h>

namespace auditscope {

namespace fs = std::filesystem;

namespace {

bool looksLikeAuditLog(const fs::path& file)
{
    const std::string name = file.filename().string();
    if (name.empty() || name.front() == '.')
        return false;
    auto endsWith = [&](std::string_view suffix) {
        return name.size() >= suffix.size()
            && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return endsWith(".log") || endsWith(".json") || endsWith(".jsonl") || endsWith(".gz")
        || name.find("audit") != std::string::npos;
}

void addFolder(const fs::path& folder, std::vector<ExpandedPath>& out)
{
    std::vector<std::string> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        out.push_back({folder.string(), "cannot read folder: " + ec.message()});
        return;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        if (it->is_regular_file(ec) && looksLikeAuditLog(it->path()))
            files.push_back(it->path().string());
    }
    if (files.empty()) {
        out.push_back(
            {folder.string(), "folder contains no audit log files (*.log, *.json, *.jsonl, *.gz)"});
        return;
    }
    std::sort(files.begin(), files.end());
    for (auto& f : files)
        out.push_back({std::move(f), {}});
}

} // namespace

std::vector<ExpandedPath> expandPaths(const std::vector<std::string>& inputs)
{
    std::vector<ExpandedPath> out;
    for (const std::string& input : inputs) {
        std::error_code ec;
        const fs::path path(input);
        if (fs::is_directory(path, ec)) {
            addFolder(path, out);
            continue;
        }
        if (fs::exists(path, ec) || input.find_first_of("*?[") == std::string::npos) {
            out.push_back({input, {}}); // opening reports a missing or unreadable file
            continue;
        }
        glob_t matches{};
        if (glob(input.c_str(), 0, nullptr, &matches) != 0 || matches.gl_pathc == 0) {
            out.push_back({input, "no file matches this pattern"});
            globfree(&matches);
            continue;
        }
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
            const fs::path match(matches.gl_pathv[i]);
            if (fs::is_directory(match, ec))
                addFolder(match, out);
            else
                out.push_back({match.string(), {}});
        }
        globfree(&matches);
    }
    // The same file named twice (a folder and a file in it) loads once.
    std::set<std::string> seen;
    std::vector<ExpandedPath> unique;
    for (auto& entry : out) {
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(entry.path, ec);
        const std::string key = ec ? entry.path : canonical.string();
        if (!entry.error.empty() || seen.insert(key).second)
            unique.push_back(std::move(entry));
    }
    return unique;
}

} // namespace auditscope
