// SPDX-License-Identifier: Apache-2.0
// Policy loading (spec §2), hostile input, and the corpus policies' verdicts.
#include "policy/policyreader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

std::string firstError(const std::vector<PolicyDiagnostic>& diagnostics)
{
    for (const PolicyDiagnostic& d : diagnostics)
        if (d.severity == PolicyDiagnostic::Severity::Error)
            return d.fieldPath + ": " + d.message;
    return {};
}

int count(const std::vector<PolicyDiagnostic>& diagnostics, PolicyDiagnostic::Severity severity)
{
    int n = 0;
    for (const PolicyDiagnostic& d : diagnostics)
        n += d.severity == severity;
    return n;
}

const PolicyDiagnostic* find(
    const std::vector<PolicyDiagnostic>& diagnostics, const std::string& fieldPath)
{
    for (const PolicyDiagnostic& d : diagnostics)
        if (d.fieldPath == fieldPath)
            return &d;
    return nullptr;
}

const PolicyDiagnostic* firstErrorDiagnostic(const std::vector<PolicyDiagnostic>& diagnostics)
{
    for (const PolicyDiagnostic& d : diagnostics)
        if (d.severity == PolicyDiagnostic::Severity::Error)
            return &d;
    return nullptr;
}

/// The text at 1-based line:column (columns in bytes) up to the end of that line.
std::string textAt(const std::string& text, int line, int column)
{
    std::size_t offset = 0;
    for (int l = 1; l < line && offset != std::string::npos; ++l) {
        offset = text.find('\n', offset);
        if (offset != std::string::npos)
            ++offset;
    }
    if (offset == std::string::npos || column < 1)
        return {};
    offset += static_cast<std::size_t>(column - 1);
    if (offset > text.size())
        return {};
    return text.substr(offset, text.find('\n', offset) - offset);
}

std::string readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

} // namespace

class TestPolicyReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadVerdict_data();
    void loadVerdict();
    void stringListTyping_data();
    void stringListTyping();
    void duplicateKeysLastWins();
    void unknownAndWrongCaseKeysAreWarnings();
    void omitManagedFieldsTriState();
    void positionsAreOneBased();
    void hostileInputIsBounded_data();
    void hostileInputIsBounded();
    void corpusPolicies_data();
    void corpusPolicies();
    void aliasErrorsAreLocated_data();
    void aliasErrorsAreLocated();
    void manyPlainKeysLoad();
    void mergeKeys();
    void mergeKeyPrecedence_data();
    void mergeKeyPrecedence();
    void mergeKeyNeedsMappings_data();
    void mergeKeyNeedsMappings();
    void unterminatedQuoteIsLocated_data();
    void unterminatedQuoteIsLocated();
    void policyFileThatIsNotARegularFile();
};

void TestPolicyReader::loadVerdict_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("loadable");
    QTest::addColumn<QString>("errorPath"); // field path of an expected error ("" = none)
    auto row = [](const char* name, const std::string& text, bool loadable, const char* path) {
        QTest::newRow(name) << QString::fromStdString(text) << loadable
                            << QString::fromLatin1(path);
    };
    row("minimal", Head + "rules:\n- level: Metadata\n", true, "");
    row("json", R"({"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None"}]})",
        true, "");
    row("v1beta1", "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n", false,
        "apiVersion");
    row("v1alpha1", "apiVersion: audit.k8s.io/v1alpha1\nkind: Policy\nrules:\n- level: None\n",
        false, "apiVersion");
    row("no apiVersion", "kind: Policy\nrules:\n- level: None\n", false, "apiVersion");
    row("kind ConfigMap", "apiVersion: audit.k8s.io/v1\nkind: ConfigMap\nrules:\n- level: None\n",
        false, "kind");
    row("missing kind defaults", "apiVersion: audit.k8s.io/v1\nrules:\n- level: None\n", true, "");
    row("zero rules absent", Head, false, "rules");
    row("zero rules empty list", Head + "rules: []\n", false, "rules");
    row("rules null", Head + "rules: ~\n", false, "rules");
    row("empty file", "", false, "");
    row("only comments", "# nothing\n", false, "");
    row("not a mapping", "- level: None\n", false, "");
    row("metadata ignored",
        Head
            + "metadata:\n  name: x\n  creationTimestamp: null\n"
              "rules:\n- level: None\n",
        true, "");
    row("level as number", Head + "rules:\n- level: 1\n", false, "rules[0].level");
    row("resources as string", Head + "rules:\n- level: None\n  resources: pods\n", false,
        "rules[0].resources");
    row("users as string", Head + "rules:\n- level: None\n  users: alice\n", false,
        "rules[0].users");
    row("rule as string", Head + "rules:\n- Metadata\n", false, "rules[0]");
    row("null rule fails validation", Head + "rules:\n- ~\n", false, "rules[0].level");
    row("null resources entry is core {}", Head + "rules:\n- level: None\n  resources: [~]\n", true,
        "");
    row("wrong-case Level only", Head + "rules:\n- Level: None\n", false, "rules[0].level");
    row("two documents", Head + "rules:\n- level: None\n---\n" + Head + "rules:\n- level: None\n",
        false, "");
    row("trailing document marker", "---\n" + Head + "rules:\n- level: None\n", true, "");
    row("omitManagedFields string", Head + "omitManagedFields: \"yes\"\nrules:\n- level: None\n",
        false, "omitManagedFields");
    row("omitManagedFields yes", Head + "omitManagedFields: yes\nrules:\n- level: None\n", true,
        "");
    row("bool group", Head + "rules:\n- level: None\n  resources:\n  - group: no\n", false,
        "rules[0].resources[0].group");
    row("block scalar level", Head + "rules:\n- level: >-\n    None\n", true, "");
    row("BOM", "\xEF\xBB\xBF" + Head + "rules:\n- level: None\n", true, "");
    row("CRLF", "apiVersion: audit.k8s.io/v1\r\nkind: Policy\r\nrules:\r\n- level: None\r\n", true,
        "");
    row("4-space root indent",
        "    apiVersion: audit.k8s.io/v1\n    kind: Policy\n    rules:\n"
        "    - level: None\n",
        true, "");
}

void TestPolicyReader::loadVerdict()
{
    QFETCH(QString, text);
    QFETCH(bool, loadable);
    QFETCH(QString, errorPath);
    const PolicyLoadResult result = loadPolicy(text.toStdString());
    QVERIFY2(result.loadable == loadable, firstError(result.diagnostics).c_str());
    if (!errorPath.isEmpty())
        QVERIFY2(find(result.diagnostics, errorPath.toStdString()) != nullptr,
            firstError(result.diagnostics).c_str());
}

void TestPolicyReader::stringListTyping_data()
{
    QTest::addColumn<QString>("item"); // as written inside namespaces: [ ... ]
    QTest::addColumn<bool>("decodes");
    QTest::addColumn<QString>("value"); // the decoded string when it decodes
    const char* booleans[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true",
        "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
    for (const char* b : booleans)
        QTest::newRow((std::string("bool ") + b).c_str())
            << QString::fromLatin1(b) << false << QString();
    QTest::newRow("int") << QStringLiteral("1234") << false << QString();
    QTest::newRow("hex") << QStringLiteral("0x1F") << false << QString();
    QTest::newRow("negative") << QStringLiteral("-5") << false << QString();
    QTest::newRow("float") << QStringLiteral("1.5") << false << QString();
    QTest::newRow("exp") << QStringLiteral("1e3") << false << QString();
    QTest::newRow(".inf") << QStringLiteral(".inf") << false << QString();
    QTest::newRow("quoted no") << QStringLiteral("\"no\"") << true << QStringLiteral("no");
    QTest::newRow("single-quoted 1234")
        << QStringLiteral("'1234'") << true << QStringLiteral("1234");
    QTest::newRow("timestamp stays string")
        << QStringLiteral("2024-01-01") << true << QStringLiteral("2024-01-01");
    QTest::newRow("sexagesimal stays string")
        << QStringLiteral("1:30") << true << QStringLiteral("1:30");
    QTest::newRow("tilde is empty") << QStringLiteral("~") << true << QStringLiteral("");
    QTest::newRow("null is empty") << QStringLiteral("null") << true << QStringLiteral("");
    QTest::newRow("yesno is string") << QStringLiteral("yesno") << true << QStringLiteral("yesno");
    QTest::newRow("version-like") << QStringLiteral("1.2.3") << true << QStringLiteral("1.2.3");
    QTest::newRow("plain") << QStringLiteral("kube-system") << true
                           << QStringLiteral("kube-system");
    QTest::newRow("explicit !!str") << QStringLiteral("!!str 12") << true << QStringLiteral("12");
}

void TestPolicyReader::stringListTyping()
{
    QFETCH(QString, item);
    QFETCH(bool, decodes);
    QFETCH(QString, value);
    const std::string text =
        Head + "rules:\n- level: Metadata\n  namespaces: [" + item.toStdString() + "]\n";
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY2(result.loadable == decodes, firstError(result.diagnostics).c_str());
    if (decodes) {
        QCOMPARE(result.policy.rules.at(0).namespaces.values.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(result.policy.rules[0].namespaces.values[0]), value);
    } else {
        const PolicyDiagnostic* d = find(result.diagnostics, "rules[0].namespaces[0]");
        QVERIFY(d);
        QCOMPARE(d->line, 5);
    }
}

void TestPolicyReader::duplicateKeysLastWins()
{
    const PolicyLoadResult result = loadPolicy(Head
        + "rules:\n- level: None\n  level: Metadata\n"
          "  verbs: [get]\n  verbs: [list, watch]\n");
    QVERIFY(result.loadable);
    QCOMPARE(result.policy.rules[0].level, std::string("Metadata"));
    QCOMPARE(result.policy.rules[0].verbs.values, (std::vector<std::string>{"list", "watch"}));
    QCOMPARE(count(result.diagnostics, PolicyDiagnostic::Severity::Warning), 2);
    const PolicyDiagnostic* d = find(result.diagnostics, "rules[0].level");
    QVERIFY(d);
    QCOMPARE(d->line, 5);
}

void TestPolicyReader::unknownAndWrongCaseKeysAreWarnings()
{
    // Mis-indented verbs under a resources entry, wrong-case Verbs: both ignored.
    const PolicyLoadResult result = loadPolicy(Head
        + "rules:\n- level: Metadata\n  Verbs: [get]\n  resources:\n  - group: \"\"\n"
          "    verbs: [list]\n");
    QVERIFY(result.loadable);
    QVERIFY(result.policy.rules[0].verbs.empty());
    QCOMPARE(count(result.diagnostics, PolicyDiagnostic::Severity::Warning), 2);
    QVERIFY(find(result.diagnostics, "rules[0].Verbs"));
    QVERIFY(find(result.diagnostics, "rules[0].resources[0].verbs"));
}

void TestPolicyReader::omitManagedFieldsTriState()
{
    const PolicyLoadResult result = loadPolicy(Head
        + "omitManagedFields: true\nrules:\n- level: None\n- level: None\n"
          "  omitManagedFields: false\n- level: None\n  omitManagedFields: ~\n"
          "- level: None\n  omitManagedFields: On\n");
    QVERIFY(result.loadable);
    QVERIFY(result.policy.omitManagedFields);
    QVERIFY(!result.policy.rules[0].omitManagedFields.has_value());
    QCOMPARE(result.policy.rules[1].omitManagedFields, std::optional<bool>(false));
    QVERIFY(!result.policy.rules[2].omitManagedFields.has_value());
    QCOMPARE(result.policy.rules[3].omitManagedFields, std::optional<bool>(true));
}

void TestPolicyReader::positionsAreOneBased()
{
    const PolicyLoadResult result = loadPolicy(Head
        + "rules:\n- level: Metadata\n"
          "  resources:\n  - group: Apps\n");
    QVERIFY(!result.loadable);
    const PolicyDiagnostic* d = find(result.diagnostics, "rules[0].resources.group");
    QVERIFY(d);
    QCOMPARE(d->line, 6);
    QCOMPARE(d->column, 12);
    QCOMPARE(result.policy.rules[0].levelPos, (SourcePos{4, 10}));
}

void TestPolicyReader::hostileInputIsBounded_data()
{
    QTest::addColumn<QByteArray>("text");
    std::string laughs =
        Head + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    for (char c = 'b'; c <= 'j'; ++c)
        laughs += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ",*" + char(c - 1) + ",*"
            + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*"
            + char(c - 1) + ",*" + char(c - 1) + "]\n";
    laughs += "rules:\n- level: None\n";
    QTest::newRow("billion laughs") << QByteArray::fromStdString(laughs);
    QTest::newRow("10000-deep flow") << QByteArray::fromStdString(
        Head + "rules: " + std::string(10000, '[') + std::string(10000, ']') + "\n");
    std::string dashes = Head + "rules:\n";
    for (int i = 0; i < 10000; ++i)
        dashes += "- ";
    dashes += "x\n";
    QTest::newRow("10000 dashes on a line") << QByteArray::fromStdString(dashes);
    std::string deepMap = Head + "metadata:\n";
    for (int i = 1; i < 2000; ++i)
        deepMap += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
    QTest::newRow("2000-deep block mapping") << QByteArray::fromStdString(deepMap);
    QTest::newRow("non-UTF-8") << QByteArray::fromStdString(Head + "rules:\n- level: \xff\xfe\n");
    QTest::newRow("tab indentation") << QByteArray::fromStdString(Head
        + "rules:\n-\tlevel: None\n"
          "\tverbs: [get]\n");
    QTest::newRow("NUL byte") << QByteArray::fromStdString(Head + std::string("rules:\0\n", 8));
    QTest::newRow("unterminated quote")
        << QByteArray::fromStdString(Head + "rules:\n- level: \"None\n");
    QTest::newRow("bad indentation")
        << QByteArray::fromStdString(Head + "rules:\n- level: None\n verbs: [get]\n");
    QTest::newRow("self alias") << QByteArray::fromStdString(
        Head + "x: &a [*a]\nrules:\n- level: None\n");
    // Found by the policy fuzz target: yaml-cpp 0.7 never returned on these (and used up memory).
    QTest::newRow("lone comma") << QByteArray(",");
    QTest::newRow("comma after a top-level flow sequence") << QByteArray("[a],");
    QTest::newRow("comma after a top-level flow mapping") << QByteArray("{a: 1},\n");
    QTest::newRow("comma starting the second document")
        << QByteArray::fromStdString(Head + "rules:\n- level: None\n---\n, x\n");
    QTest::newRow("comma after a top-level quoted scalar") << QByteArray("\"x\"\n,\n");
    QTest::newRow("comma starting a line inside a sequence")
        << QByteArray::fromStdString(Head + "rules:\n- level: None\n  users:\n  - \"a\"\n,  - b\n");
}

void TestPolicyReader::hostileInputIsBounded()
{
    QFETCH(QByteArray, text);
    const auto start = std::chrono::steady_clock::now();
    const PolicyLoadResult result = loadPolicy(text.toStdString());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    QVERIFY(!result.loadable);
    QVERIFY(count(result.diagnostics, PolicyDiagnostic::Severity::Error) >= 1);
    QVERIFY(!result.diagnostics.front().message.empty());
    // A generous bound: these must not take exponential time.
    QVERIFY(elapsed < std::chrono::seconds(5));
}

void TestPolicyReader::corpusPolicies_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("loadable");
    QTest::addColumn<int>("rules");
    QTest::addColumn<int>("warnings");
    auto row = [](const char* file, bool loadable, int rules, int warnings) {
        QTest::newRow(file) << QString::fromLatin1(file) << loadable << rules << warnings;
    };
    row("kubernetes-website-audit-policy.yaml", true, 9, 0);
    row("kubernetes-gce-configure-helper-gke.yaml", true, 17, 0);
    row("kubespray-apiserver-audit-policy-default-rendered.yaml", true, 13, 0);
    row("openshift-library-go-default.yaml", true, 4, 0);
    row("openshift-library-go-writerequestbodies.yaml", true, 5, 1);
    row("openshift-library-go-allrequestbodies.yaml", true, 4, 1);
    row("openshift-library-go-none.yaml", true, 3, 0);
    row("openshift-library-go-oauth.yaml", true, 6, 1);
    row("openshift-library-go-multipleCr.yaml", true, 8, 2);
    row("openshift-library-go-audit-policies-configmap-scenario-1.yaml", false, 0, 1);
    row("falcosecurity-plugins-k8saudit-audit-policy.yaml", true, 11, 0);
    row("falcosecurity-falco-k8s_audit_config-v1beta1.yaml", false, 11, 0);
    row("liggitt-audit2rbac-demo-policy.yaml", true, 1, 0);
    row("hkerma-kubernetes-event-dataset-audit-policy.yaml", true, 1, 0);
    row("rke2-default-audit-policy-from-docs.yaml", true, 1, 0);
    row("k3s-docs-hardening-guide-starter.yaml", true, 1, 0);
}

void TestPolicyReader::corpusPolicies()
{
    QFETCH(QString, file);
    QFETCH(bool, loadable);
    QFETCH(int, rules);
    QFETCH(int, warnings);
    const std::string text = readFile(QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/policies/") + file);
    QVERIFY(!text.empty());
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY2(result.loadable == loadable, firstError(result.diagnostics).c_str());
    QCOMPARE(int(result.policy.rules.size()), rules);
    QCOMPARE(count(result.diagnostics, PolicyDiagnostic::Severity::Warning), warnings);
}

void TestPolicyReader::aliasErrorsAreLocated_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line"); // 0: any line from minLine on
    QTest::addColumn<int>("minLine");
    QTest::addColumn<QString>("alias"); // the text the error points at starts with it
    QTest::addColumn<QString>("message");
    std::string laughs =
        Head + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    for (char c = 'b'; c <= 'j'; ++c) {
        laughs += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 8; ++i)
            laughs += std::string(i ? ",*" : "*") + char(c - 1);
        laughs += "]\n";
    }
    laughs += "rules:\n- level: None\n";
    QTest::newRow("billion laughs") << QByteArray::fromStdString(laughs) << 0 << 4 << "*"
                                    << "excessive aliasing";
    QTest::newRow("laughs in rules") << QByteArray::fromStdString(Head
        + "x: &x {level: None, verbs: &v [a, b, c]}\nrules: [*x, *x, {level: None, verbs: *v}]\n")
                                     << 0 << 0 << ""
                                     << "";
    QTest::newRow("self alias") << QByteArray::fromStdString(
        Head + "x: &a [*a]\nrules:\n- level: None\n")
                                << 3 << 3 << "*a]"
                                << "contains itself";
    QTest::newRow("cycle through a child")
        << QByteArray::fromStdString(Head + "rules:\n- &r\n  level: None\n  verbs: [&v [*r]]\n")
        << 6 << 6 << "*r]"
        << "contains itself";
    QTest::newRow("undefined alias")
        << QByteArray::fromStdString(Head + "rules:\n- level: None\n  verbs: *nope\n") << 5 << 5
        << "*nope"
        << "not defined";
}

void TestPolicyReader::aliasErrorsAreLocated()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(int, minLine);
    QFETCH(QString, alias);
    QFETCH(QString, message);
    const std::string source = text.toStdString();
    const PolicyLoadResult result = loadPolicy(source);
    if (message.isEmpty()) { // a small expansion is fine
        QVERIFY2(result.loadable, firstError(result.diagnostics).c_str());
        return;
    }
    QVERIFY(!result.loadable);
    const PolicyDiagnostic* d = firstErrorDiagnostic(result.diagnostics);
    QVERIFY(d);
    QVERIFY2(d->message.find(message.toStdString()) != std::string::npos, d->message.c_str());
    if (line)
        QCOMPARE(d->line, line);
    QVERIFY2(d->line >= minLine, std::to_string(d->line).c_str());
    const std::string at = textAt(source, d->line, d->column);
    QVERIFY2(at.rfind(alias.toStdString(), 0) == 0, at.c_str());
}

void TestPolicyReader::manyPlainKeysLoad()
{
    // 400,000+ nodes without a single alias: go-yaml loads it, so must we.
    std::string text = Head + "metadata:\n  annotations:\n";
    for (int i = 0; i < 200001; ++i)
        text += "    k" + std::to_string(i) + ": v\n";
    text += "rules:\n- level: None\n";
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY2(result.loadable, firstError(result.diagnostics).c_str());
    QCOMPARE(int(result.policy.rules.size()), 1);
}

void TestPolicyReader::mergeKeys()
{
    const std::string text = Head
        + "common: &common\n"
          "  level: Metadata\n"
          "  verbs: [get]\n"
          "rules:\n"
          "- <<: *common\n"
          "  users: [alice]\n"
          "- {<<: *common, level: None}\n"
          "- \"<<\": *common\n"
          "  level: Request\n";
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY2(result.loadable, firstError(result.diagnostics).c_str());
    QCOMPARE(int(result.policy.rules.size()), 3);
    const PolicyRule& merged = result.policy.rules[0];
    QCOMPARE(merged.level, std::string("Metadata"));
    QCOMPARE(merged.verbs.values, std::vector<std::string>{"get"});
    QCOMPARE(merged.users.values, std::vector<std::string>{"alice"});
    // Merged values keep the position where they were written.
    QCOMPARE(merged.levelPos, (SourcePos{4, 10}));
    QCOMPARE(merged.verbs.positions.front(), (SourcePos{5, 11}));
    QCOMPARE(merged.span.begin, (SourcePos{7, 1}));
    QCOMPARE(result.policy.rules[1].level, std::string("None"));
    QCOMPARE(result.policy.rules[1].verbs.values, std::vector<std::string>{"get"});
    // A quoted "<<" is an ordinary key: unknown, ignored.
    QCOMPARE(result.policy.rules[2].level, std::string("Request"));
    QVERIFY(result.policy.rules[2].verbs.empty());
    QVERIFY(find(result.diagnostics, "rules[2].<<"));
    QVERIFY(!find(result.diagnostics, "rules[0].<<"));
    QVERIFY(!find(result.diagnostics, "rules[1].<<"));
    // Positions of the top-level anchor definition still name it as an unknown field.
    QVERIFY(find(result.diagnostics, "common"));
}

void TestPolicyReader::mergeKeyPrecedence_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("level");
    QTest::addColumn<bool>("warned"); // strict decoding reports the key as set twice
    QTest::newRow("explicit after the merge wins") << "- <<: *m\n  level: None\n"
                                                   << "None" << true;
    // go-yaml v2 merges in place: the merged value overwrites a key written before "<<".
    QTest::newRow("merge after an explicit key overrides it") << "- level: None\n  <<: *m\n"
                                                              << "Metadata" << true;
    QTest::newRow("earlier mapping in a sequence wins") << "- <<: [*r, *m]\n"
                                                        << "Request" << true;
    QTest::newRow("inline mapping") << "- <<: {level: RequestResponse}\n"
                                    << "RequestResponse" << false;
    QTest::newRow("nested merge") << "- <<: *n\n"
                                  << "Metadata" << false;
    QTest::newRow("explicit merge tag") << "- !!merge <<: *r\n"
                                        << "Request" << false;
}

void TestPolicyReader::mergeKeyPrecedence()
{
    QFETCH(QString, rule);
    QFETCH(QString, level);
    QFETCH(bool, warned);
    const std::string text = Head
        + "m: &m {level: Metadata}\n"
          "r: &r {level: Request}\n"
          "n: &n\n"
          "  <<: *m\n"
          "  verbs: [get]\n"
          "rules:\n"
        + rule.toStdString();
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY2(result.loadable, firstError(result.diagnostics).c_str());
    QCOMPARE(QString::fromStdString(result.policy.rules.at(0).level), level);
    const PolicyDiagnostic* d = find(result.diagnostics, "rules[0].level");
    QCOMPARE(d != nullptr, warned);
    if (d) {
        QCOMPARE(d->severity, PolicyDiagnostic::Severity::Warning);
        QVERIFY2(d->message.find("set twice") != std::string::npos, d->message.c_str());
    }
}

void TestPolicyReader::mergeKeyNeedsMappings_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("column");
    QTest::newRow("scalar") << "- <<: Metadata\n" << 7;
    QTest::newRow("null") << "- <<: ~\n" << 7;
    QTest::newRow("alias to a list") << "- <<: *l\n" << 7;
    QTest::newRow("list with a scalar") << "- <<: [*m, x]\n" << 12;
    // An alias inside the list has no position of its own in yaml-cpp: the list's is given.
    QTest::newRow("list with an alias to a list") << "- <<: [*l]\n" << 7;
}

void TestPolicyReader::mergeKeyNeedsMappings()
{
    QFETCH(QString, rule);
    QFETCH(int, column);
    const std::string text =
        Head + "m: &m {level: Metadata}\nl: &l [level]\nrules:\n" + rule.toStdString();
    const PolicyLoadResult result = loadPolicy(text);
    QVERIFY(!result.loadable);
    QVERIFY(!result.decoded);
    const PolicyDiagnostic* d = firstErrorDiagnostic(result.diagnostics);
    QVERIFY(d);
    QVERIFY2(
        d->message.find("map merge requires a mapping") != std::string::npos, d->message.c_str());
    QCOMPARE(d->line, 6);
    QCOMPARE(d->column, column);
}

void TestPolicyReader::unterminatedQuoteIsLocated_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::newRow("double, then more lines")
        << QByteArray::fromStdString(Head + "rules:\n- level: \"None\n  verbs: [get]\n") << 4 << 10;
    QTest::newRow("single, no final newline")
        << QByteArray::fromStdString(Head + "rules:\n- level: 'None") << 4 << 10;
    QTest::newRow("in a flow list")
        << QByteArray::fromStdString(Head + "rules:\n- level: None\n  verbs: [\"get, list]\n") << 5
        << 11;
    QTest::newRow("a key") << QByteArray::fromStdString(Head + "rules:\n- \"level: None\n") << 4
                           << 3;
}

void TestPolicyReader::unterminatedQuoteIsLocated()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(int, column);
    const PolicyLoadResult result = loadPolicy(text.toStdString());
    QVERIFY(!result.loadable);
    const PolicyDiagnostic* d = firstErrorDiagnostic(result.diagnostics);
    QVERIFY(d);
    QVERIFY2(d->message.find("unterminated") != std::string::npos, d->message.c_str());
    QCOMPARE(d->line, line);
    QCOMPARE(d->column, column);
}

void TestPolicyReader::policyFileThatIsNotARegularFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    PolicyLoadResult result = loadPolicyFile(dir.path().toStdString());
    QVERIFY(!result.loadable);
    QCOMPARE(int(result.diagnostics.size()), 1);
    QVERIFY2(result.diagnostics[0].message.find("is a directory") != std::string::npos,
        result.diagnostics[0].message.c_str());

    const auto start = std::chrono::steady_clock::now();
    result = loadPolicyFile("/dev/zero");
    QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    QVERIFY(!result.loadable);
    QCOMPARE(int(result.diagnostics.size()), 1);
    QVERIFY2(result.diagnostics[0].message.find("not a regular file") != std::string::npos,
        result.diagnostics[0].message.c_str());
    QVERIFY2(result.diagnostics[0].message.find("stopped") != std::string::npos,
        result.diagnostics[0].message.c_str());

    QFile big(dir.filePath(QStringLiteral("big.yaml")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QVERIFY(big.resize((qint64(8) << 20) + 1));
    big.close();
    result = loadPolicyFile(big.fileName().toStdString());
    QCOMPARE(int(result.diagnostics.size()), 1);
    QVERIFY2(result.diagnostics[0].message.find("8388609 bytes") != std::string::npos,
        result.diagnostics[0].message.c_str());

    result = loadPolicyFile(dir.filePath(QStringLiteral("missing.yaml")).toStdString());
    QCOMPARE(int(result.diagnostics.size()), 1);
    QVERIFY2(result.diagnostics[0].message.find("cannot open") != std::string::npos,
        result.diagnostics[0].message.c_str());
}

QTEST_GUILESS_MAIN(TestPolicyReader)
#include "tst_policyreader.moc"
