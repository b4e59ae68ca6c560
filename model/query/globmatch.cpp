// SPDX-License-Identifier: Apache-2.0
#include "query/query.h"

namespace auditscope {

bool globMatch(std::string_view pattern, std::string_view text)
{
    // Iterative matcher with backtracking to the last star: O(|p|·|t|) worst case.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace auditscope
