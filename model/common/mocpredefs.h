// SPDX-License-Identifier: Apache-2.0
// Pre-included by moc only (CMAKE_AUTOMOC_MOC_OPTIONS in the top-level CMakeLists.txt).
// Qt 6.4's moc does not expand libstdc++ 12's _GLIBCXX_VISIBILITY from <bits/c++config.h> and
// then fails on `namespace std _GLIBCXX_VISIBILITY(default)` in <concepts> (pulled in by
// <compare>) with "Parse error at std". The attribute means nothing to moc, so define it away.
#pragma once
#define _GLIBCXX_VISIBILITY(V)
