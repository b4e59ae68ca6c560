// SPDX-License-Identifier: Apache-2.0
// Coverage of detection rules against an audit policy (issue 16, Scope 6): what a rule needs is
// derived from its own terms (level from requestObject/responseObject, stages, the requests its
// verb/resource/subresource/apigroup/ns/uri terms select), and each request it needs is judged
// by the policy evaluator; the suggestion names the first request the policy misses and the
// policy rule that decides it.
#include "tst_rulecoverage.h"

#include "detect/rulecoverage.h"
#include "detect/rulereader.h"
#include "policy/policyreader.h"

#include <QtTest>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";
const std::string MetadataOnly = Head + "rules:\n- level: Metadata\n";

DetectionRule ruleOf(const std::string& id, const std::string& match, const std::string& then = {})
{
    DetectionRule r;
    r.id = id;
    r.title = id;
    r.match = r.expandedMatch = match;
    const ParseResult parsed = parseQuery(match);
    if (parsed.ok())
        r.matchQuery = *parsed.query;
    if (!then.empty()) {
        r.kind = RuleKind::Sequence;
        r.then = r.expandedThen = then;
        const ParseResult second = parseQuery(then);
        if (second.ok())
            r.thenQuery = *second.query;
    }
    return r;
}

Policy policyOf(const std::string& text)
{
    PolicyLoadResult loaded = loadPolicy(text);
    return loaded.policy;
}

const Policy& docsPolicy()
{
    static const Policy p =
        loadPolicyFile(AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml")
            .policy;
    return p;
}

RuleCoverage coverageOf(const DetectionRule& rule, const Policy& policy)
{
    RuleSet set;
    set.rules.push_back(rule);
    const std::vector<RuleCoverage> all = coverageAgainst(set, policy);
    return all.empty() ? RuleCoverage{} : all.front();
}

} // namespace

void TestRuleCoverage::initTestCase()
{
    // The docs example: 9 rules; the catch-all (rule 8) is at line 64.
    QCOMPARE(docsPolicy().rules.size(), std::size_t(9));
    QCOMPARE(docsPolicy().rules[8].pos.line, 64);
}

void TestRuleCoverage::derivesNeedsFromTheRulesTerms_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<QString>("then");
    QTest::addColumn<QString>("needs");
    QTest::newRow("privileged pod")
        << "verb:create and resource:pods and "
           "requestObject.spec.containers.securityContext.privileged:true"
        << ""
        << "pods create at Request or higher";
    QTest::newRow("verb group expands") << "verb:(create or patch) and resource:deployments and "
                                           "requestObject.spec.template.spec.hostPID:true"
                                        << ""
                                        << "deployments create/patch at Request or higher";
    QTest::newRow("resources with the same verbs are listed together")
        << "resource:(deployments or daemonsets) verb:(create or update) "
           "requestObject.spec.template.spec.hostNetwork:true"
        << ""
        << "deployments, daemonsets create/update at Request or higher";
    QTest::newRow("glob on resources") << "resource:*rolebindings and verb:create"
                                       << ""
                                       << "rolebindings, clusterrolebindings create at Metadata or "
                                          "higher";
    QTest::newRow("glob keeps roles and clusterroles apart")
        << "resource:cluster* verb:create"
        << ""
        << "clusterroles, clusterrolebindings create at Metadata or higher";
    QTest::newRow("subresource alone") << "subresource:(exec or attach) and verb:(create or get)"
                                       << ""
                                       << "pods/exec, pods/attach create/get at Metadata or higher";
    QTest::newRow("a pod-only subresource stays with pods")
        << "resource:(pods or deployments) and (subresource:\"\" or "
           "subresource:ephemeralcontainers) and verb:create"
        << ""
        << "pods, deployments, pods/ephemeralcontainers create at Metadata or higher";
    QTest::newRow("namespaces") << "subresource:exec and ns:(prod or prod-*)"
                                << ""
                                << "pods/exec in prod, prod-* at Metadata or higher";
    QTest::newRow("response body") << "resource:secrets and responseObject.data.token:*"
                                   << ""
                                   << "secrets at RequestResponse or higher";
    QTest::newRow("stage") << "subresource:exec stage:ResponseStarted"
                           << ""
                           << "pods/exec at Metadata or higher, stage ResponseStarted";
    QTest::newRow("negations constrain nothing")
        << "resource:pods and not verb:(get or list or watch)"
        << ""
        << "pods at Metadata or higher";
    QTest::newRow("non-resource URL") << "uri:/version*"
                                      << ""
                                      << "/version at Metadata or higher";
    QTest::newRow("a resource path is not a non-resource URL")
        << "uri:/api/v1/namespaces/*/pods/*/exec*"
        << ""
        << "any request at Metadata or higher";
    QTest::newRow("any request") << "code:401 and not uri:/healthz*"
                                 << ""
                                 << "any request at Metadata or higher";
    QTest::newRow("contradiction") << "resource:pods and resource:secrets"
                                   << ""
                                   << "any request at Metadata or higher";
    QTest::newRow("sequence needs both steps")
        << "verb:create and resource:clusterrolebindings"
        << "verb:(create or patch) and resource:deployments"
        << "clusterrolebindings create; deployments create/patch at Metadata or higher";
}

void TestRuleCoverage::derivesNeedsFromTheRulesTerms()
{
    QFETCH(QString, match);
    QFETCH(QString, then);
    QFETCH(QString, needs);
    const DetectionRule rule = ruleOf("r", match.toStdString(), then.toStdString());
    QVERIFY(!rule.matchQuery.nodes.empty());
    QCOMPARE(QString::fromStdString(needsOf(rule).toString()), needs);
}

void TestRuleCoverage::judgesRulesAgainstTheKubernetesDocsPolicy_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<bool>("covered");
    QTest::addColumn<QString>("suggestion");
    // Rule numbers are 0-based, as in the Rules dock and the rule: query term.
    QTest::newRow("pod bodies: rule 0 gives RequestResponse")
        << "verb:create resource:pods requestObject.spec.hostPID:true" << true << "";
    QTest::newRow("workload bodies fall to the Metadata catch-all")
        << "verb:(create or patch) resource:(pods or deployments) "
           "requestObject.spec.template.spec.hostPID:true"
        << false << "deployments create needs Request or higher: rule 8 (line 64) gives Metadata";
    QTest::newRow("exec: core group at Request")
        << "subresource:exec verb:(create or get)" << true << "";
    QTest::newRow("secret reads at Metadata")
        << "resource:secrets verb:(get or list)" << true << "";
    QTest::newRow("secret response bodies")
        << "resource:secrets verb:get responseObject.data.token:*" << false
        << "secrets get needs RequestResponse or higher: rule 6 (line 52) gives Metadata";
    QTest::newRow("configmap bodies in kube-system")
        << "resource:configmaps ns:kube-system verb:update requestObject.data.x:*" << true << "";
    QTest::newRow("configmap bodies elsewhere")
        << "resource:configmaps verb:update requestObject.data.x:*" << false
        << "configmaps update needs Request or higher: rule 6 (line 52) gives Metadata";
    QTest::newRow("authenticated non-resource URLs are not logged")
        << "uri:/version*" << false
        << "get /version needs Metadata or higher: rule 4 (line 36) "
           "gives None";
    QTest::newRow("any request") << "code:401" << true << "";
    QTest::newRow("RBAC in the catch-all")
        << "verb:create resource:clusterrolebindings" << true << "";
    QTest::newRow("RequestReceived is omitted")
        << "verb:create resource:pods stage:RequestReceived" << false
        << "pods create needs stage RequestReceived: omitted by the policy's omitStages";
    QTest::newRow("one of the named stages is enough")
        << "verb:create resource:pods stage:(RequestReceived or ResponseComplete)" << true << "";
}

void TestRuleCoverage::judgesRulesAgainstTheKubernetesDocsPolicy()
{
    QFETCH(QString, match);
    QFETCH(bool, covered);
    QFETCH(QString, suggestion);
    const RuleCoverage c = coverageOf(ruleOf("r", match.toStdString()), docsPolicy());
    QCOMPARE(c.covered, covered);
    QCOMPARE(QString::fromStdString(c.suggestion), suggestion);
    QVERIFY(!c.needs.empty());
}

void TestRuleCoverage::metadataOnlyPolicyMissesEveryBodyRule()
{
    const Policy metadata = policyOf(MetadataOnly);
    RuleSet set;
    set.rules = {ruleOf("privileged", "verb:create resource:pods requestObject.spec.x:true"),
        ruleOf("exec", "subresource:exec"), ruleOf("anonymous", "user:system:anonymous"),
        ruleOf("token-body", "resource:tokenreviews responseObject.status.user.username:*")};
    const std::vector<RuleCoverage> all = coverageAgainst(set, metadata);
    QCOMPARE(all.size(), std::size_t(4));
    QCOMPARE(all[0].rule, std::size_t(0));
    QVERIFY(!all[0].covered);
    QCOMPARE(QString::fromStdString(all[0].suggestion),
        QStringLiteral("pods create needs Request or higher: rule 0 (line 4) gives Metadata"));
    QVERIFY(all[1].covered);
    QVERIFY(all[1].suggestion.empty());
    QVERIFY(all[2].covered);
    QVERIFY(!all[3].covered);
    // No verb named: a rule that reads bodies is judged on a create.
    QCOMPARE(QString::fromStdString(all[3].suggestion),
        QStringLiteral(
            "tokenreviews create needs RequestResponse or higher: rule 0 (line 4) gives Metadata"));
    QCOMPARE(QString::fromStdString(all[3].needs),
        QStringLiteral("tokenreviews at RequestResponse or higher"));
}

void TestRuleCoverage::namesTheStageThatIsOmittedAndByWhom()
{
    const DetectionRule started = ruleOf("exec", "subresource:exec stage:ResponseStarted");
    const DetectionRule anyStage = ruleOf("exec", "subresource:exec");
    // The policy's own omitStages.
    const Policy policyOmits =
        policyOf(Head + "omitStages: [ResponseStarted]\nrules:\n- level: Metadata\n");
    RuleCoverage c = coverageOf(started, policyOmits);
    QVERIFY(!c.covered);
    QCOMPARE(QString::fromStdString(c.suggestion),
        QStringLiteral(
            "pods/exec get needs stage ResponseStarted: omitted by the policy's omitStages"));
    QVERIFY(coverageOf(anyStage, policyOmits).covered);
    // The deciding rule's omitStages.
    const Policy ruleOmits = policyOf(Head
        + "rules:\n- level: Request\n  resources: [{group: \"\", resources: [\"pods/exec\"]}]\n"
          "  omitStages: [ResponseStarted]\n- level: Metadata\n");
    c = coverageOf(started, ruleOmits);
    QCOMPARE(QString::fromStdString(c.suggestion),
        QStringLiteral("pods/exec get needs stage ResponseStarted: omitted by the omitStages of "
                       "rule 0 (line 4)"));
    // No stage named: a request must be written when it completes or when it is received.
    const Policy both = policyOf(Head
        + "omitStages: [RequestReceived]\nrules:\n- level: Metadata\n"
          "  omitStages: [ResponseComplete]\n");
    c = coverageOf(anyStage, both);
    QVERIFY(!c.covered);
    QCOMPARE(QString::fromStdString(c.suggestion),
        QStringLiteral("pods/exec get needs stage ResponseComplete or RequestReceived: omitted by "
                       "the omitStages of the policy and of rule 0 (line 5)"));
    QVERIFY(coverageOf(anyStage,
        policyOf(Head
            + "omitStages: [RequestReceived]\nrules:\n- level: "
              "Metadata\n"))
                .covered);
}

void TestRuleCoverage::noMatchingRuleAndAPolicyThatDropsEverything()
{
    const DetectionRule rbac = ruleOf(
        "rbac", "verb:create resource:clusterrolebindings", "verb:patch resource:deployments");
    // Only RBAC is logged: the second step of the sequence falls through every rule.
    const Policy rbacOnly = policyOf(
        Head + "rules:\n- level: Metadata\n  resources: [{group: rbac.authorization.k8s.io}]\n");
    RuleCoverage c = coverageOf(rbac, rbacOnly);
    QVERIFY(!c.covered);
    QCOMPARE(QString::fromStdString(c.suggestion),
        QStringLiteral("deployments patch needs Metadata or higher: no rule matches (level None)"));
    // A policy that drops everything misses even a rule on any request.
    c = coverageOf(
        ruleOf("anonymous", "user:system:anonymous"), policyOf(Head + "rules:\n- level: None\n"));
    QVERIFY(!c.covered);
    QCOMPARE(QString::fromStdString(c.suggestion),
        QStringLiteral("pods get needs Metadata or higher: rule 0 (line 4) gives None"));
    // The group matters: `group: ""` is the core group only, not apps.
    const Policy coreOnly =
        policyOf(Head + "rules:\n- level: Request\n  resources: [{group: \"\"}]\n");
    QVERIFY(
        coverageOf(ruleOf("p", "verb:create resource:pods requestObject.x:1"), coreOnly).covered);
    QCOMPARE(QString::fromStdString(coverageOf(
                 ruleOf("d", "verb:create resource:deployments requestObject.x:1"), coreOnly)
                                        .suggestion),
        QStringLiteral("deployments create needs Request or higher: no rule matches (level None)"));
}

void TestRuleCoverage::integrityAndDisabledRules()
{
    RuleSet set;
    DetectionRule silence;
    silence.id = "log-silence";
    silence.kind = RuleKind::Integrity;
    silence.check = IntegrityCheck::Silence;
    DetectionRule off = ruleOf("off", "verb:create resource:pods requestObject.x:1");
    off.enabled = false;
    set.rules = {silence, off, ruleOf("on", "resource:secrets")};
    const std::vector<RuleCoverage> all =
        coverageAgainst(set, policyOf(Head + "rules:\n- level: None\n"));
    QCOMPARE(all.size(), std::size_t(2)); // the disabled rule has no entry
    QCOMPARE(all[0].rule, std::size_t(0));
    QVERIFY(all[0].covered);
    QCOMPARE(QString::fromStdString(all[0].needs), QStringLiteral("nothing"));
    QCOMPARE(all[1].rule, std::size_t(2));
    QVERIFY(!all[1].covered);
}

void TestRuleCoverage::builtinRulesHaveCoverage()
{
    const RuleSet& builtin = builtinRules();
    QVERIFY(builtin.rules.size() >= 30);
    const std::vector<RuleCoverage> docs = coverageAgainst(builtin, docsPolicy());
    const std::vector<RuleCoverage> metadata = coverageAgainst(builtin, policyOf(MetadataOnly));
    QCOMPARE(docs.size(), metadata.size());
    int bodyRules = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const DetectionRule& rule = builtin.rules[docs[i].rule];
        const RuleNeeds needs = needsOf(rule);
        QVERIFY2(!docs[i].needs.empty(), rule.id.c_str());
        QVERIFY2(docs[i].covered == docs[i].suggestion.empty(), rule.id.c_str());
        // Metadata records exactly the rules that read no body (stages aside: none omitted).
        QVERIFY2(metadata[i].covered == (needs.level <= Level::Metadata), rule.id.c_str());
        bodyRules += needs.level >= Level::Request;
    }
    // The pack reads bodies (privileged containers, hostPath, ...): the Metadata-only policy
    // leaves those rules blind and says so.
    QVERIFY(bodyRules >= 5);
}

QTEST_GUILESS_MAIN(TestRuleCoverage)
