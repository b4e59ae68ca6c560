// SPDX-License-Identifier: Apache-2.0
#include "stories.h"

#include "catalog.h"
#include "request.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace auditgen {

Stories::Stories(SimState& sim, const World& world, RequestBuilder& requests, BodyWriter& bodies,
    Activities& activities)
    : m_sim(sim)
    , m_rng(sim.rng)
    , m_world(world)
    , m_requests(requests)
    , m_bodies(bodies)
    , m_activities(activities)
{ }

// Steps are timed relative to the start of their story; a story never starts before the
// previous one has finished, so their order is kept even when they are hurried.
void Stories::schedule(int64_t delay, Step step)
{
    const int64_t at = m_storyStart + delay;
    m_storyEnd = std::max(m_storyEnd, at);
    m_scripts.push_back(Scripted{at, m_scriptSeq++, std::move(step)});
}

bool Stories::runDue(double progress)
{
    const bool hurry = progress >= 0.85;
    auto due = m_scripts.end();
    for (auto it = m_scripts.begin(); it != m_scripts.end(); ++it)
        if ((hurry || it->at <= m_sim.now)
            && (due == m_scripts.end() || it->at < due->at
                || (it->at == due->at && it->seq < due->seq)))
            due = it;
    if (due == m_scripts.end())
        return false;
    if (hurry)
        m_sim.now += m_rng.between(50 * kMs, 120 * kMs); // let the previous step finish first
    Step step = std::move(due->step);
    m_scripts.erase(due);
    step();
    return true;
}

void Stories::maybeStart(double progress)
{
    constexpr double kAt[] = {0.12, 0.30, 0.45, 0.60, 0.70};
    if (m_started >= (m_anomalies ? 5 : 4) || progress < kAt[m_started])
        return;
    m_storyStart = std::max(m_sim.now, m_storyEnd + 5 * kSec);
    switch (m_started++) {
    case 0:
        anonymousProbe();
        break;
    case 1:
        clusterAdminBinding();
        break;
    case 2:
        configMapDeletion();
        break;
    case 3:
        privilegedPodExec();
        break;
    default:
        chainAnomalies();
        break;
    }
}

// Someone on the internet finds the API server and tries anonymous access.
void Stories::anonymousProbe()
{
    int64_t t = 0;
    auto step = [&](int64_t gap, Step s) {
        t += gap;
        schedule(t, std::move(s));
    };
    step(0, [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.anonymous);
        m_requests.nonResource("/version");
        r.reason = m_world.probe.reason;
        m_requests.submit();
    });
    for (std::string_view path : {"/api", "/apis", "/api/v1"}) {
        step(m_rng.between(200 * kMs, 1500 * kMs), [this, path] {
            Request& r = m_requests.request();
            m_requests.begin(m_world.anonymous);
            m_requests.nonResource(path);
            r.forcedCode = 403;
            m_requests.submit();
        });
    }
    step(m_rng.between(300 * kMs, 2 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.anonymous);
        m_requests.resource("list", kSecrets, {}, {});
        r.forcedCode = 403;
        m_requests.submit();
    });
    step(m_rng.between(300 * kMs, 2 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.anonymous);
        m_requests.resource("list", kSecrets, "kube-system", {});
        r.forcedCode = 403;
        m_requests.submit();
    });
    step(m_rng.between(300 * kMs, 2 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.anonymous);
        m_requests.resource("get", kSecrets, "kube-system", "admin-token");
        r.forcedCode = 403;
        m_requests.submit();
    });
    step(m_rng.between(300 * kMs, 2 * kSec), [this] { // then with a stolen, expired token
        Request& r = m_requests.request();
        m_requests.begin(m_world.anonymous);
        r.who = nullptr;
        m_requests.resource("list", kSecrets, "kube-system", {});
        r.duration = m_rng.between(100, 600);
        m_requests.submitUnauthenticated();
    });
}

// An operator grants cluster-admin to a service account "temporarily".
void Stories::clusterAdminBinding()
{
    const Principal* carol = &m_world.humans[2];
    schedule(0, [this, carol] {
        Request& r = m_requests.request();
        m_requests.begin(*carol);
        m_requests.resource("get", kClusterRoles, {}, "cluster-admin");
        r.allowFailures = false;
        m_requests.submit();
    });
    schedule(m_rng.between(20 * kSec, 50 * kSec), [this, carol] {
        Request& r = m_requests.request();
        m_requests.begin(*carol);
        m_requests.resource("create", kClusterRoleBindings, {}, {});
        m_requests.query("fieldManager", "kubectl-create");
        m_requests.query("fieldValidation", "Strict");
        r.bodyName = "debug-access";
        r.level = Level::RequestResponse;
        r.allowFailures = false;
        const App& dev = appNamed("dev", "web");
        Obj o{&kClusterRoleBindings, &dev, {}, "debug-access", {}, {}, "kubectl-create", 0,
            m_sim.now};
        m_bodies.putBinding(
            r.reqBody, o, "ClusterRole", "cluster-admin", "ServiceAccount", "build-bot", "dev");
        const std::string uid = stableUuid("", "debug-access", "uid");
        o.uid = uid;
        o.rv = m_sim.rv + 1;
        m_bodies.putBinding(
            r.respBody, o, "ClusterRole", "cluster-admin", "ServiceAccount", "build-bot", "dev");
        m_requests.submit();
    });
}

// A developer deletes the production ConfigMap app-config; the application then fails to read it.
void Stories::configMapDeletion()
{
    const Principal* alice = &m_world.humans[0];
    schedule(0, [this, alice] {
        Request& r = m_requests.request();
        m_requests.begin(*alice);
        m_requests.resource("get", kConfigMaps, "prod", "app-config");
        r.allowFailures = false;
        m_requests.submit();
    });
    schedule(m_rng.between(8 * kSec, 30 * kSec), [this, alice] {
        Request& r = m_requests.request();
        m_requests.begin(*alice);
        m_requests.resource("delete", kConfigMaps, "prod", "app-config");
        r.level = Level::RequestResponse;
        r.allowFailures = false;
        m_bodies.putDeleteOptions(r.reqBody, {});
        r.reason = rbacReason(
            "RoleBinding", "dev-team-edit/prod", "ClusterRole", "edit", "Group", "dev-team");
        m_requests.submit();
    });
    for (int i = 0; i < 3; ++i) {
        schedule(m_rng.between(40 * kSec, 120 * kSec), [this] {
            Request& r = m_requests.request();
            m_requests.begin(m_world.prodWeb);
            m_requests.resource("get", kConfigMaps, "prod", "app-config");
            r.forcedCode = 404;
            r.reason =
                rbacReason("RoleBinding", "web/prod", "Role", "web", "ServiceAccount", "web/prod");
            m_requests.submit();
        });
    }
}

// The service account that just got cluster-admin starts a privileged pod with the host's
// filesystem mounted and execs into it.
void Stories::privilegedPodExec()
{
    const Principal* bot = &m_world.buildBot;
    const App& sandbox = appNamed("dev", "sandbox");
    schedule(0,
        [this, bot, &sandbox] { m_activities.genericOp(*bot, "list", kSecrets, sandbox, true); });
    schedule(m_rng.between(10 * kSec, 20 * kSec), [this, bot, &sandbox] {
        Request& r = m_requests.request();
        m_requests.begin(*bot);
        m_requests.resource("create", kPods, "dev", {});
        m_requests.query("fieldManager", "kubectl-run");
        r.bodyName = "debug-shell";
        r.level = Level::RequestResponse;
        r.allowFailures = false;
        Obj o{&kPods, &sandbox, {}, "debug-shell", {}, {}, "kubectl-run", 0, m_sim.now};
        m_bodies.putPod(r.reqBody, o, true);
        const std::string uid = stableUuid("dev", "debug-shell", "uid");
        Obj stored{&kPods, &sandbox, "dev", "debug-shell", {}, uid, "kubectl-run", m_sim.rv + 1,
            m_sim.now};
        m_bodies.putPod(r.respBody, stored, true);
        r.extraAnnotations =
            R"json(,"pod-security.kubernetes.io/audit-violations":"would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true), privileged (container \"shell\" must not set securityContext.privileged=true), hostPath volumes (volume \"host\")","pod-security.kubernetes.io/enforce-policy":"privileged:latest")json";
        m_requests.submit();
    });
    schedule(m_rng.between(21 * kSec, 22 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.scheduler);
        m_requests.resource("create", kPods, "dev", "debug-shell", "binding");
        r.allowFailures = false;
        m_requests.submit();
    });
    schedule(m_rng.between(26 * kSec, 30 * kSec), [this, bot] {
        Request& r = m_requests.request();
        m_requests.begin(*bot);
        m_requests.resource("create", kPods, "dev", "debug-shell", "exec");
        m_requests.query("command", "chroot");
        m_requests.query("command", "%2Fhost");
        m_requests.query("command", "bash");
        m_requests.query("container", "shell");
        m_requests.query("stdin", "true");
        m_requests.query("stdout", "true");
        m_requests.query("tty", "true");
        r.level = Level::Request;
        r.allowFailures = false;
        r.duration = m_rng.between(2 * kMin, 4 * kMin);
        m_requests.submit();
    });
}

// Requests whose auditID chains a tracer must flag. The CI pipeline sets its own Audit-ID
// header (kube-apiserver takes it as is, spec §8) and reuses it for several requests, and so
// does a developer who copied the pipeline's curl command; two requests end in a Panic (one a
// watch that had already started streaming); a watch is still open when the log ends; one
// request's RequestReceived event is lost.
void Stories::chainAnomalies()
{
    static constexpr std::string_view kReusedId = "ci-pipeline-run-4711";
    const Principal* ci = &m_world.ciDeployer;
    const Principal* alice = &m_world.humans[0];
    schedule(0, [this, ci] {
        Request& r = m_requests.request();
        m_requests.begin(*ci);
        r.customAuditId = kReusedId;
        m_requests.resource("get", kDeployments, "prod", "web");
        r.allowFailures = false;
        m_requests.submit();
    });
    schedule(m_rng.between(80 * kSec, 100 * kSec), [this, ci] {
        Request& r = m_requests.request();
        m_requests.begin(*ci);
        r.customAuditId = kReusedId;
        m_requests.resource("patch", kDeployments, "prod", "web");
        m_requests.query("fieldManager", "ci-pipeline");
        r.level = Level::Request;
        r.allowFailures = false;
        r.reqBody =
            R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example.com/shop/web:2.15.0"}])";
        m_requests.submit();
    });
    schedule(m_rng.between(170 * kSec, 190 * kSec), [this, alice] {
        Request& r = m_requests.request();
        m_requests.begin(*alice);
        r.customAuditId = kReusedId;
        m_requests.resource("get", kPods, "dev", "web-0");
        r.allowFailures = false;
        m_requests.submit();
    });
    schedule(m_rng.between(200 * kSec, 210 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.humans[1]);
        m_requests.resource("get", kConfigMaps, "prod", "app-config");
        r.allowFailures = false;
        r.panic = true; // RequestReceived, then Panic
        m_requests.submit();
    });
    schedule(m_rng.between(211 * kSec, 220 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.kcm);
        m_requests.resource("watch", kPods, {}, {});
        m_requests.watchQuery();
        r.allowFailures = false;
        r.panic = true; // RequestReceived, ResponseStarted, then Panic
        r.duration = m_rng.between(2 * kSec, 20 * kSec);
        m_requests.submit();
    });
    schedule(m_rng.between(221 * kSec, 230 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.humans[2]);
        m_requests.resource("watch", kDeployments, "prod", {});
        m_requests.watchQuery();
        r.allowFailures = false;
        r.dropFinal = true; // still open when the log ends
        m_requests.submit();
    });
    schedule(m_rng.between(231 * kSec, 240 * kSec), [this] {
        Request& r = m_requests.request();
        m_requests.begin(m_world.humans[3]);
        m_requests.resource("get", kSecrets, "prod", "db-credentials");
        r.allowFailures = false;
        r.dropReceived = true; // its RequestReceived event was lost
        m_requests.submit();
    });
}

} // namespace auditgen
