// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace auditscope {

/// Whether `needle` occurs in `haystack`, byte for byte (an empty needle always does): what
/// memmem() answers, about three times faster for the short needles of query terms. It tests
/// 32 positions at a time for the needle's first and last bytes (16 without AVX2) and compares
/// the rest only where both agree. Reads no byte outside `haystack`.
bool containsBytes(std::string_view haystack, std::string_view needle);

} // namespace auditscope
