// SPDX-License-Identifier: Apache-2.0
#include "bodywriter.h"

#include <initializer_list>

namespace auditgen {

BodyWriter::BodyWriter(SimState& sim)
    : m_sim(sim)
    , m_rng(sim.rng)
{ }

void BodyWriter::putManagedFields(
    Buf& b, const Obj& o, std::string_view fieldsV1, std::string_view subresource)
{
    b += R"({"manager":")";
    b += o.manager;
    b += R"(","operation":"Update","apiVersion":")";
    if (!o.rt->group.empty()) {
        b += o.rt->group;
        b += '/';
    }
    b += o.rt->version;
    b += R"(","time":)";
    // An object in a response was written by this very request; one in a request was read earlier.
    const bool writtenNow = o.rv > m_sim.rv;
    putQuotedTime(b,
        writtenNow ? m_sim.now : m_sim.now - static_cast<int64_t>(1 + m_rng.below(3600)) * kSec,
        false);
    b += R"(,"fieldsType":"FieldsV1","fieldsV1":)";
    b += fieldsV1;
    if (!subresource.empty()) {
        b += R"(,"subresource":")";
        b += subresource;
        b += '"';
    }
    b += '}';
}

// Writes `{"kind":..,"apiVersion":..,"metadata":{...}` (ObjectMeta key order). Stored objects
// (rv != 0) carry uid, resourceVersion, creationTimestamp and managedFields; create requests
// have "creationTimestamp":null and none of the others.
void BodyWriter::putMetadata(
    Buf& b, const Obj& o, std::string_view labels, std::string_view fieldsV1, bool closeObject)
{
    b += R"({"kind":")";
    b += o.rt->kind;
    b += R"(","apiVersion":")";
    if (!o.rt->group.empty()) {
        b += o.rt->group;
        b += '/';
    }
    b += o.rt->version;
    b += R"(","metadata":{)";
    auto field = [&](std::string_view key, std::string_view value) {
        if (value.empty())
            return;
        if (b.back() != '{')
            b += ',';
        b += '"';
        b += key;
        b += R"(":")";
        b += value;
        b += '"';
    };
    field("name", o.name);
    field("generateName", o.generateName);
    field("namespace", o.ns);
    if (o.rv) {
        field("uid", o.uid);
        b += R"(,"resourceVersion":)";
        putQuotedU(b, o.rv);
        b += R"(,"creationTimestamp":)";
        putQuotedTime(b, o.created, false);
    } else {
        if (b.back() != '{')
            b += ',';
        b += R"("creationTimestamp":null)";
    }
    if (!labels.empty()) {
        b += R"(,"labels":{)";
        b += labels;
        b += '}';
    }
    if (o.rv && !o.manager.empty() && !fieldsV1.empty()) {
        b += R"(,"managedFields":[)";
        putManagedFields(b, o, fieldsV1);
        b += ']';
    }
    if (closeObject)
        b += '}';
}

void BodyWriter::putPod(Buf& b, const Obj& o, bool privileged)
{
    const bool stored = o.rv != 0;
    const App& a = *o.app;
    const std::string_view container = privileged ? std::string_view("shell") : a.name;
    Buf& labels = m_labels;
    labels.clear();
    labels += R"("app":")";
    labels += a.name;
    labels += '"';
    if (!privileged) {
        labels += R"(,"pod-template-hash":")";
        putChars(labels, hashOf(a.ns, a.name, "rs"), 10, kNameAlphabet);
        labels += '"';
    }
    // managedFields of a controller-created pod; written inline because it embeds names.
    Buf fields;
    if (stored) {
        fields =
            R"({"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\")";
        putUuid(fields, hashOf(a.ns, a.name, "rs-uid"));
        fields += R"(\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\")";
        fields += container;
        fields +=
            R"(\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},"f:securityContext":{".":{},"f:allowPrivilegeEscalation":{},"f:capabilities":{".":{},"f:drop":{}},"f:readOnlyRootFilesystem":{},"f:runAsNonRoot":{}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:serviceAccount":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{}}})";
    }
    putMetadata(b, o, labels, fields, false);
    if (!privileged) {
        b += R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":")";
        b += a.name;
        b += '-';
        putChars(b, hashOf(a.ns, a.name, "rs"), 10, kNameAlphabet);
        b += R"(","uid":")";
        putUuid(b, hashOf(a.ns, a.name, "rs-uid"));
        b += R"(","controller":true,"blockOwnerDeletion":true}])";
    }
    b += R"(},"spec":{)";
    if (stored || privileged) {
        b += R"("volumes":[)";
        if (privileged)
            b += R"({"name":"host","hostPath":{"path":"/","type":""}})";
        if (stored) {
            if (privileged)
                b += ',';
            b += R"({"name":"kube-api-access-)";
            putChars(b, hashOf(o.name), 5, kNameAlphabet);
            b +=
                R"(","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}})";
        }
        b += "],";
    }
    b += R"("containers":[{"name":")";
    b += container;
    b += R"(","image":")";
    b += privileged ? std::string_view("docker.io/library/ubuntu:22.04") : a.image;
    b += '"';
    if (privileged) {
        b += R"(,"command":["sleep","infinity"])";
    } else {
        b +=
            R"(,"ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"APP_ENV","value":")";
        b += a.ns;
        b += R"("}])";
    }
    b +=
        R"(,"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"128Mi"}})";
    if (stored || privileged) {
        b += R"(,"volumeMounts":[)";
        if (privileged)
            b += R"({"name":"host","mountPath":"/host"})";
        if (stored) {
            if (privileged)
                b += ',';
            b += R"({"name":"kube-api-access-)";
            putChars(b, hashOf(o.name), 5, kNameAlphabet);
            b +=
                R"(","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"})";
        }
        b += ']';
    }
    b +=
        R"(,"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":)";
    b += privileged
        ? R"({"privileged":true})"
        : R"({"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"}})";
    if (privileged)
        b += R"(,"stdin":true,"tty":true)";
    b +=
        R"(}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":")";
    const std::string_view sa = privileged ? std::string_view("build-bot") : a.name;
    b += sa;
    b += '"';
    if (stored) {
        b += R"(,"serviceAccount":")";
        b += sa;
        b += '"';
    }
    if (privileged)
        b += R"(,"hostNetwork":true,"hostPID":true)";
    b += R"(,"securityContext":{},"schedulerName":"default-scheduler")";
    if (stored) {
        b +=
            R"(,"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Pending","qosClass":"Burstable"}})";
    } else {
        b += R"(},"status":{}})";
    }
}

void BodyWriter::putDeployment(Buf& b, const Obj& o)
{
    const App& a = *o.app;
    Buf& labels = m_labels;
    labels = R"("app":")";
    labels += a.name;
    labels += R"(","app.kubernetes.io/part-of":"shop")";
    const uint64_t generation = 3 + hashOf(a.ns, a.name) % 40;
    putMetadata(b, o, labels,
        R"({"f:metadata":{"f:labels":{".":{},"f:app":{},"f:app.kubernetes.io/part-of":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{}}}}})",
        false);
    b += R"(},"spec":{"replicas":)";
    putU(b, static_cast<uint64_t>(a.replicas));
    b += R"(,"selector":{"matchLabels":{"app":")";
    b += a.name;
    b += R"("}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":")";
    b += a.name;
    b += R"("}},"spec":{"containers":[{"name":")";
    b += a.name;
    b += R"(","image":")";
    b += a.image;
    b +=
        R"(","ports":[{"containerPort":8080,"protocol":"TCP"}],"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"allowPrivilegeEscalation":false}}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":")";
    b += a.name;
    b +=
        R"(","securityContext":{},"schedulerName":"default-scheduler"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600})";
    if (o.rv) {
        b += R"(,"status":{"observedGeneration":)";
        putU(b, generation);
        for (std::string_view k : {",\"replicas\":", ",\"updatedReplicas\":", ",\"readyReplicas\":",
                 ",\"availableReplicas\":"}) {
            b += k;
            putU(b, static_cast<uint64_t>(a.replicas));
        }
        b += R"(,"conditions":[{"type":"Available","status":"True","lastUpdateTime":)";
        putQuotedTime(b, o.created, false);
        b += R"(,"lastTransitionTime":)";
        putQuotedTime(b, o.created, false);
        b +=
            R"(,"reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."}]})";
    }
    b += '}';
}

void BodyWriter::putConfigMap(Buf& b, const Obj& o)
{
    Buf& labels = m_labels;
    labels = R"("app.kubernetes.io/name":")";
    labels += o.app->name;
    labels += R"(","app.kubernetes.io/managed-by":"Helm")";
    putMetadata(b, o, labels,
        R"({"f:data":{".":{},"FEATURE_FLAGS":{},"LOG_LEVEL":{},"app.yaml":{}},"f:metadata":{"f:labels":{".":{},"f:app.kubernetes.io/managed-by":{},"f:app.kubernetes.io/name":{}}}})");
    b += R"(,"data":{"FEATURE_FLAGS":"checkout-v2,fast-cart","LOG_LEVEL":")";
    b += m_rng.chance(0.2) ? "debug" : "info";
    b += R"(","app.yaml":"server:\n  port: 8080\n  readTimeout: 15s\ndatabase:\n  host: postgres.)";
    b += o.ns;
    b += R"(.svc.cluster.local\n  pool: 20\n"}})";
}

void BodyWriter::putSecret(Buf& b, const Obj& o)
{
    Buf& labels = m_labels;
    labels = R"("app.kubernetes.io/name":")";
    labels += o.app->name;
    labels += '"';
    const bool tls = o.name.ends_with("-tls");
    putMetadata(b, o, labels,
        tls ? R"({"f:data":{".":{},"f:ca.crt":{},"f:tls.crt":{},"f:tls.key":{}},"f:metadata":{"f:labels":{".":{},"f:app.kubernetes.io/name":{}}},"f:type":{}})"
            : R"({"f:data":{".":{},"f:password":{},"f:username":{}},"f:metadata":{"f:labels":{".":{},"f:app.kubernetes.io/name":{}}},"f:type":{}})");
    const uint64_t seed = m_rng.next();
    if (tls) {
        b += R"(,"data":{"ca.crt":"LS0tLS1CRUdJTi)";
        putChars(b, seed, 180, kBase64Alphabet);
        b += R"(==","tls.crt":"LS0tLS1CRUdJTi)";
        putChars(b, seed + 1, 600, kBase64Alphabet);
        b += R"(==","tls.key":"LS0tLS1CRUdJTi)";
        putChars(b, seed + 2, 220, kBase64Alphabet);
        b += R"(=="},"type":"kubernetes.io/tls"})";
    } else {
        b += R"(,"data":{"password":")";
        putChars(b, seed, 32, kBase64Alphabet);
        b += R"(","username":"c2hvcC1hcHA="},"type":"Opaque"})";
    }
}

void BodyWriter::putLease(
    Buf& b, const Obj& o, std::string_view holder, int durationSec, bool nodeOwned)
{
    putMetadata(b, o, {}, {}, false);
    if (nodeOwned) {
        b += R"(,"ownerReferences":[{"apiVersion":"v1","kind":"Node","name":")";
        b += o.name;
        b += R"(","uid":")";
        putUuid(b, hashOf("node", o.name));
        b += R"("}])";
    }
    if (o.rv) {
        Buf fields;
        if (nodeOwned) {
            fields = R"({"f:metadata":{"f:ownerReferences":{".":{},"k:{\"uid\":\")";
            putUuid(fields, hashOf("node", o.name));
            fields +=
                R"(\"}":{}}},"f:spec":{"f:holderIdentity":{},"f:leaseDurationSeconds":{},"f:renewTime":{}}})";
        } else {
            fields =
                R"({"f:spec":{"f:acquireTime":{},"f:holderIdentity":{},"f:leaseDurationSeconds":{},"f:leaseTransitions":{},"f:renewTime":{}}})";
        }
        b += R"(,"managedFields":[)";
        putManagedFields(b, o, fields);
        b += ']';
    }
    b += R"(},"spec":{"holderIdentity":")";
    b += holder;
    b += R"(","leaseDurationSeconds":)";
    putU(b, static_cast<uint64_t>(durationSec));
    if (!nodeOwned) {
        b += R"(,"acquireTime":)";
        putQuotedTime(b, o.created + 3 * kSec);
    }
    b += R"(,"renewTime":)";
    putQuotedTime(b, m_sim.now - m_rng.between(0, 2 * kMs));
    if (!nodeOwned)
        b += R"(,"leaseTransitions":3)";
    b += "}}";
}

void BodyWriter::putBinding(Buf& b, const Obj& o, std::string_view roleKind, std::string_view role,
    std::string_view subjectKind, std::string_view subject, std::string_view subjectNs)
{
    putMetadata(b, o, {}, R"({"f:roleRef":{},"f:subjects":{}})");
    b += R"(,"subjects":[{"kind":")";
    b += subjectKind;
    if (subjectKind != "ServiceAccount")
        b += R"(","apiGroup":"rbac.authorization.k8s.io)";
    b += R"(","name":")";
    b += subject;
    if (!subjectNs.empty()) {
        b += R"(","namespace":")";
        b += subjectNs;
    }
    b += R"("}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":")";
    b += roleKind;
    b += R"(","name":")";
    b += role;
    b += R"("}})";
}

// Any other kind: Helm-style metadata plus a small spec and status.
void BodyWriter::putGeneric(Buf& b, const Obj& o)
{
    Buf& labels = m_labels;
    labels = R"("app.kubernetes.io/instance":")";
    labels += o.app->name;
    labels += R"(","app.kubernetes.io/managed-by":"Helm","app.kubernetes.io/name":")";
    labels += o.app->name;
    labels += '"';
    putMetadata(b, o, labels,
        R"({"f:metadata":{"f:annotations":{".":{},"f:meta.helm.sh/release-name":{},"f:meta.helm.sh/release-namespace":{}},"f:labels":{".":{},"f:app.kubernetes.io/instance":{},"f:app.kubernetes.io/managed-by":{},"f:app.kubernetes.io/name":{}}},"f:spec":{".":{},"f:selector":{}}})",
        false);
    b += R"(,"annotations":{"meta.helm.sh/release-name":")";
    b += o.app->name;
    b += R"(","meta.helm.sh/release-namespace":")";
    b += o.app->ns;
    b += R"("}},"spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":")";
    b += o.app->name;
    b += R"("}}},"status":{"observedGeneration":)";
    putU(b, 1 + hashOf(o.name) % 30);
    b += "}}";
}

void BodyWriter::putObject(Buf& b, const Obj& o)
{
    if (o.rt == &kPods)
        putPod(b, o, false);
    else if (o.rt == &kDeployments)
        putDeployment(b, o);
    else if (o.rt == &kConfigMaps)
        putConfigMap(b, o);
    else if (o.rt == &kSecrets)
        putSecret(b, o);
    else if (o.rt == &kLeases)
        putLease(b, o, o.manager, 15, false);
    else if (o.rt == &kRoleBindings)
        putBinding(b, o, "ClusterRole", "view", "Group", "dev-team", {});
    else if (o.rt == &kClusterRoleBindings)
        putBinding(b, o, "ClusterRole", o.name, "ServiceAccount", o.name, o.app->ns);
    else
        putGeneric(b, o);
}

void BodyWriter::putPatch(Buf& b, const ResType& rt, std::string_view ns, std::string_view name,
    std::string_view sub, const App& a)
{
    if (sub == "scale") {
        b += R"({"spec":{"replicas":)";
        putU(b, static_cast<uint64_t>(a.replicas + m_rng.between(-1, 3)));
        b += "}}";
    } else if (&rt == &kPods && sub == "status") { // kubelet status manager
        b += R"({"metadata":{"uid":")";
        putUuid(b, hashOf(ns, name, "uid"));
        b +=
            R"("},"status":{"$setElementOrder/conditions":[{"type":"PodReadyToStartContainers"},{"type":"Initialized"},{"type":"Ready"},{"type":"ContainersReady"},{"type":"PodScheduled"}],"conditions":[{"lastTransitionTime":)";
        putQuotedTime(b, m_sim.now, false);
        b += R"(,"status":"True","type":"Ready"},{"lastTransitionTime":)";
        putQuotedTime(b, m_sim.now, false);
        b +=
            R"(,"status":"True","type":"ContainersReady"}],"containerStatuses":[{"containerID":"containerd://)";
        putHex(b, hashOf(name, "cid"), 64);
        b += R"(","image":")";
        b += a.image;
        b += R"(","imageID":")";
        b += a.image.substr(0, a.image.find(':'));
        b += "@sha256:";
        putHex(b, hashOf(a.image), 64);
        b += R"(","lastState":{},"name":")";
        b += a.name;
        b += R"(","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":)";
        putQuotedTime(b, m_sim.now - 20 * kSec, false);
        b += "}}}]}}";
    } else if (&rt == &kNodes) { // node heartbeat
        b +=
            R"({"status":{"$setElementOrder/conditions":[{"type":"MemoryPressure"},{"type":"DiskPressure"},{"type":"PIDPressure"},{"type":"Ready"}],"conditions":[)";
        bool first = true;
        for (std::string_view t : {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}) {
            b += first ? R"({"lastHeartbeatTime":)" : R"(,{"lastHeartbeatTime":)";
            first = false;
            putQuotedTime(b, m_sim.now, false);
            b += R"(,"type":")";
            b += t;
            b += R"("})";
        }
        b += "]}}";
    } else if (&rt == &kDeployments && m_rng.chance(0.5)) { // kubectl rollout restart
        b +=
            R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":)";
        putQuotedTime(b, m_sim.now, false);
        b += "}}}}}";
    } else if (&rt == &kDeployments || &rt == &kStatefulSets) { // JSON patch from a CI pipeline
        b += R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":")";
        b += a.image.substr(0, a.image.rfind(':') + 1);
        b += "build-";
        putHex(b, m_rng.next(), 7);
        b += R"("}])";
    } else if (&rt == &kPods || &rt == &kJobs) { // finalizer removal
        b += R"([{"op":"remove","path":"/metadata/finalizers/0"}])";
    } else {
        b += R"({"metadata":{"labels":{"team":")";
        b += a.ns;
        b += R"("},"annotations":{"example.com/last-reviewed":)";
        putQuotedTime(b, m_sim.now, false);
        b += "}}}";
    }
}

void BodyWriter::putScale(Buf& b, const Obj& o)
{
    b += R"({"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":")";
    b += o.name;
    b += R"(","namespace":")";
    b += o.ns;
    b += R"(","uid":")";
    b += o.uid;
    b += R"(","resourceVersion":)";
    putQuotedU(b, o.rv);
    b += R"(,"creationTimestamp":)";
    putQuotedTime(b, o.created, false);
    b += R"(},"spec":{"replicas":)";
    putU(b, static_cast<uint64_t>(o.app->replicas));
    b += R"(},"status":{"replicas":)";
    putU(b, static_cast<uint64_t>(o.app->replicas));
    b += R"(,"selector":"app=)";
    b += o.app->name;
    b += R"("}})";
}

void BodyWriter::putDeleteOptions(Buf& b, std::string_view uid)
{
    b += R"({"kind":"DeleteOptions","apiVersion":"v1",)";
    if (!uid.empty()) {
        b += R"("preconditions":{"uid":")";
        b += uid;
        b += R"("},)";
    }
    b += R"("propagationPolicy":"Background"})";
}

} // namespace auditgen
