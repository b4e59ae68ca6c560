// SPDX-License-Identifier: Apache-2.0
#include "formatsniffer.h"

namespace auditscope {

// Placeholder while the sniffer is written (issue 15): everything is handed to the parser.
SniffResult sniffSource(std::string_view)
{
    return {};
}

std::string transcodeToUtf8(std::string_view bytes, const SniffResult&)
{
    return std::string(bytes);
}

} // namespace auditscope
