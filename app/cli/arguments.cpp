// SPDX-License-Identifier: Apache-2.0
#include "arguments.h"

#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace auditscope::cli {

int usageError(const std::string& message, const char* usage)
{
    std::fprintf(stderr, "auditscope-cli: %s\n\n%s", message.c_str(), usage);
    return UsageError;
}

int printUsage(const char* usage)
{
    std::fputs(usage, stdout);
    return Success;
}

bool isOption(const std::string& arg)
{
    return arg.size() > 1 && arg[0] == '-';
}

int atLeastOne(const std::string& text)
{
    return std::max(1, std::atoi(text.c_str()));
}

} // namespace auditscope::cli
