// SPDX-License-Identifier: Apache-2.0
// The built-in rule pack against its fixtures (tests/data/detections/<rule-id>/): in hit.log,
// the requests whose auditID starts with "hit-" are exactly the ones the rule flags; miss.log
// (near misses: just outside a window, a denied request, the control plane ...) gives the rule
// no finding. Falco's own trace files (tests/data/detections/falco, see PROVENANCE.md) trigger
// the rules that look for the same thing, and their negative cases do not.
#include "tst_detectionrules.h"

#include "detect/detectionengine.h"
#include "detect/rulereader.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <memory>
#include <set>
#include <string>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const QString DetectionsDir = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/detections");

std::shared_ptr<const RuleSet> builtInRuleSet()
{
    static const auto rules = std::make_shared<const RuleSet>(builtinRules());
    return rules;
}

std::size_t ruleIndex(const std::string& id)
{
    const RuleSet& rules = *builtInRuleSet();
    for (std::size_t i = 0; i < rules.rules.size(); ++i)
        if (rules.rules[i].id == id)
            return i;
    return SIZE_MAX;
}

std::string readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

std::string auditIdOf(const EventStore& store, EventId e)
{
    return std::string(store.pools.auditIds.text(store.auditId[e.value].value));
}

/// The auditIDs of the requests `rule` flagged in the log at `path` (all rules run, as in use).
struct Flagged
{
    std::set<std::string> flagged, hits; ///< flagged by the rule; named "hit-..."
    std::size_t events = 0;
};

Flagged runPack(const QString& path, std::size_t rule)
{
    const LoadResult loaded = loadText(readFile(path), QFileInfo(path).fileName().toStdString());
    const DetectionResult result = detect(loaded.store, builtInRuleSet());
    Flagged out;
    out.events = loaded.store->size();
    for (const Finding& f : result.findings)
        if (f.rule == rule)
            for (EventId e : f.events)
                out.flagged.insert(auditIdOf(*loaded.store, e));
    for (std::uint32_t row = 0; row < loaded.store->size(); ++row) {
        const std::string id = auditIdOf(*loaded.store, EventId{row});
        if (id.starts_with("hit-"))
            out.hits.insert(id);
    }
    return out;
}

QString joined(const std::set<std::string>& ids)
{
    QStringList list;
    for (const std::string& id : ids)
        list << toQString(id);
    return list.join(QStringLiteral(", "));
}

} // namespace

void TestDetectionRules::builtInPackReadsWithoutDiagnostics()
{
    const RuleSet& rules = *builtInRuleSet();
    QString problems;
    for (const RuleDiagnostic& d : rules.diagnostics)
        problems += toQString(d.toString()) + QLatin1Char('\n');
    QVERIFY2(rules.diagnostics.empty(), qPrintable(problems));
    int queryRules = 0, integrityRules = 0;
    for (const DetectionRule& r : rules.rules) {
        (r.kind == RuleKind::Integrity ? integrityRules : queryRules) += r.enabled;
        QVERIFY2(!r.title.empty() && !r.why.empty() && !r.mitre.empty(), r.id.c_str());
    }
    QVERIFY(queryRules >= 30);
    QCOMPARE(integrityRules, 5);
}

void TestDetectionRules::everyQueryRuleHasFixtures()
{
    QStringList missing;
    std::set<QString> ruleIds;
    for (const DetectionRule& r : builtInRuleSet()->rules) {
        const QString id = toQString(r.id);
        ruleIds.insert(id);
        if (!r.enabled || r.kind == RuleKind::Integrity)
            continue; // the integrity checks are tested with the engine
        for (const char* kind : {"hit.log", "miss.log"})
            if (!QFile::exists(
                    DetectionsDir + QLatin1Char('/') + id + QLatin1Char('/') + QLatin1String(kind)))
                missing << id + QLatin1Char('/') + QLatin1String(kind);
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral(", "))));
    // And no fixtures left behind by a rule that was renamed or removed.
    const QStringList dirs = QDir(DetectionsDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& dir : dirs)
        QVERIFY2(dir == QStringLiteral("falco") || ruleIds.contains(dir), qPrintable(dir));
}

void TestDetectionRules::fixturesFollowTheConvention_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("kind");
    for (const DetectionRule& r : builtInRuleSet()->rules) {
        if (!r.enabled || r.kind == RuleKind::Integrity)
            continue;
        for (const char* kind : {"hit", "miss"})
            QTest::addRow("%s/%s", r.id.c_str(), kind)
                << toQString(r.id) << QString::fromLatin1(kind);
    }
}

void TestDetectionRules::fixturesFollowTheConvention()
{
    QFETCH(QString, rule);
    QFETCH(QString, kind);
    const QString path =
        DetectionsDir + QLatin1Char('/') + rule + QLatin1Char('/') + kind + QStringLiteral(".log");
    const Flagged run = runPack(path, ruleIndex(rule.toStdString()));
    QVERIFY2(run.events > 0, qPrintable(path + QStringLiteral(" holds no events")));
    if (kind == QStringLiteral("miss")) {
        QVERIFY2(
            run.flagged.empty(), qPrintable(QStringLiteral("flagged: ") + joined(run.flagged)));
        return;
    }
    QVERIFY2(!run.hits.empty(), "hit.log names no hit- request");
    QVERIFY2(run.flagged == run.hits,
        qPrintable(QStringLiteral("flagged: ") + joined(run.flagged)
            + QStringLiteral("\nexpected: ") + joined(run.hits)));
}

void TestDetectionRules::falcoTraceFilesTriggerTheirRules_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("triggers");
    const auto row = [](const char* file, const char* rule, bool triggers) {
        QTest::addRow("%s %s %s", file, triggers ? "->" : "-/->", rule)
            << QString::fromLatin1(file) << QString::fromLatin1(rule) << triggers;
    };
    row("anonymous_creates_namespace_foo.json", "anonymous-write", true);
    row("anonymous_creates_namespace_foo.json", "anonymous-allowed", true);
    row("anonymous_creates_namespace_foo.json", "anonymous-request", true);
    row("attach_cluster_admin_role.json", "cluster-admin-binding", true);
    row("attach_cluster_admin_role.json", "clusterrolebinding-written", true);
    row("create_clusterrolebinding.json", "clusterrolebinding-written", true);
    row("create_clusterrolebinding.json", "cluster-admin-binding", false);
    row("attach_pod.json", "exec-into-pod", true);
    row("exec_pod.json", "exec-into-pod", true);
    row("create_cluster_role_pod_exec.json", "role-with-escalation-rights", true);
    row("create_cluster_role_wildcard_resources.json", "role-with-wildcard", true);
    row("create_cluster_role_wildcard_verbs.json", "role-with-wildcard", true);
    row("create_cluster_role_write_privileges.json", "role-with-wildcard", false);
    row("create_cluster_role_write_privileges.json", "role-with-escalation-rights", false);
    row("create_configmap_sensitive_values.json", "configmap-secret-values", true);
    row("create_configmap_no_sensitive_values.json", "configmap-secret-values", false);
    row("create_kube_system_secret.json", "kube-system-credentials-created", true);
    row("create_serviceaccount_kube_system_namespace.json", "kube-system-credentials-created",
        true);
    row("create_serviceaccount.json", "kube-system-credentials-created", false);
    row("create_nginx_pod_privileged.json", "host-access-pod-by-controller", true);
    row("create_nginx_pod_privileged_2nd_container.json", "host-access-pod-by-controller", true);
    row("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json",
        "host-access-pod-by-controller", true);
    row("create_nginx_pod_hostnetwork.json", "host-access-pod-by-controller", true);
    row("create_nginx_pod_sensitive_mount.json", "host-access-pod-by-controller", true);
    row("create_nginx_pod_sensitive_mount_2nd_container.json", "host-access-pod-by-controller",
        true);
    row("create_nginx_pod_unprivileged.json", "host-access-pod-by-controller", false);
    row("create_nginx_pod_nohostnetwork.json", "host-access-pod-by-controller", false);
    row("create_nginx_pod_unsensitive_mount.json", "host-access-pod-by-controller", false);
    // Made by the ReplicaSet controller: the control plane, not a person's privileged pod.
    row("create_nginx_pod_privileged.json", "privileged-container", false);
    row("create_nginx_service_nodeport.json", "nodeport-or-loadbalancer", true);
    row("create_nginx_service_nonodeport.json", "nodeport-or-loadbalancer", false);
    row("delete_namespace_foo.json", "namespace-deleted", true);
    row("delete_cluster_role_kube_aggregator.json", "system-role-changed", true);
    row("modify_cluster_role_node_problem_detector.json", "system-role-changed", true);
    row("delete_clusterrole.json", "system-role-changed", false);
}

void TestDetectionRules::falcoTraceFilesTriggerTheirRules()
{
    QFETCH(QString, file);
    QFETCH(QString, rule);
    QFETCH(bool, triggers);
    const QString path = DetectionsDir + QStringLiteral("/falco/") + file;
    QVERIFY2(QFile::exists(path), qPrintable(path));
    const std::size_t index = ruleIndex(rule.toStdString());
    QVERIFY2(index != SIZE_MAX, qPrintable(rule));
    const Flagged run = runPack(path, index);
    QVERIFY(run.events > 0);
    QCOMPARE(!run.flagged.empty(), triggers);
}

QTEST_GUILESS_MAIN(TestDetectionRules)
