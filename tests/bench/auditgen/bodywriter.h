// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog.h"
#include "jsonwriter.h"
#include "simstate.h"

#include <cstdint>
#include <string_view>

namespace auditgen {

/// An API object to write as a request or response body.
struct Obj
{
    const ResType* rt = nullptr;
    const App* app = nullptr;
    std::string_view ns, name, generateName, uid, manager;
    uint64_t rv = 0; // 0: not stored yet (create request)
    int64_t created = 0; // creation time (used when rv != 0)
};

/// Writes the requestObject/responseObject bodies of Request- and RequestResponse-level
/// events: Kubernetes objects with ObjectMeta and managedFields in Go key order, patch
/// documents, Scale and DeleteOptions. Only called when the level asks for bodies.
class BodyWriter
{
public:
    explicit BodyWriter(SimState& sim);

    /// Any object: picks the writer for o.rt (pods, deployments, config maps, secrets, leases,
    /// bindings; a Helm-style generic object otherwise).
    void putObject(Buf& b, const Obj& o);
    /// Writers of single kinds, for callers that need their extra parameters.
    void putPod(Buf& b, const Obj& o, bool privileged);
    void putLease(Buf& b, const Obj& o, std::string_view holder, int durationSec, bool nodeOwned);
    void putBinding(Buf& b, const Obj& o, std::string_view roleKind, std::string_view role,
        std::string_view subjectKind, std::string_view subject, std::string_view subjectNs);
    /// A patch as clients send it (strategic merge, JSON merge or JSON patch) to `sub` of
    /// object `ns`/`name` of type `rt`, belonging to app `a`.
    void putPatch(Buf& b, const ResType& rt, std::string_view ns, std::string_view name,
        std::string_view sub, const App& a);
    /// The autoscaling/v1 Scale returned by the scale subresource.
    void putScale(Buf& b, const Obj& o);
    /// DeleteOptions with background propagation and, if `uid` is set, a uid precondition.
    void putDeleteOptions(Buf& b, std::string_view uid);

private:
    void putMetadata(Buf& b, const Obj& o, std::string_view labels, std::string_view fieldsV1,
        bool closeObject = true);
    void putManagedFields(
        Buf& b, const Obj& o, std::string_view fieldsV1, std::string_view subresource = {});
    void putDeployment(Buf& b, const Obj& o);
    void putConfigMap(Buf& b, const Obj& o);
    void putSecret(Buf& b, const Obj& o);
    void putGeneric(Buf& b, const Obj& o);

    SimState& m_sim;
    Rng& m_rng;
    Buf m_labels;
};

} // namespace auditgen
