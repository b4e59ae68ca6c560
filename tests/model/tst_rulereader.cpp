// SPDX-License-Identifier: Apache-2.0
// The rules reader (rulereader.h): every field and state block, every diagnostic at its exact
// line:column, query errors mapped into the YAML, overrides, disables and additions over the
// built-in pack, settings and their macros, and hostile text.
#include "tst_rulereader.h"

#include "detect/rulereader.h"
#include "testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <string>

using namespace auditscope;
using namespace auditscope::test;

namespace {

constexpr std::int64_t Sec = 1'000'000'000;

RuleSet read(const std::string& text, const RuleSet& base = RuleSet{})
{
    return applyRulesText(base, text, "rules.yaml");
}

QString allDiagnostics(const RuleSet& set)
{
    QStringList lines;
    for (const RuleDiagnostic& d : set.diagnostics)
        lines << toQString(d.toString());
    return lines.join(QLatin1Char('\n'));
}

int errors(const RuleSet& set)
{
    return static_cast<int>(std::count_if(set.diagnostics.begin(), set.diagnostics.end(),
        [](const RuleDiagnostic& d) { return d.severity == RuleDiagnostic::Severity::Error; }));
}

const DetectionRule* rule(const RuleSet& set, const char* id)
{
    return set.find(id);
}

/// A complete new rule with `extra` lines appended (indented by two spaces already).
std::string newRule(const std::string& extra = {}, const std::string& id = "mine")
{
    return "rules:\n- id: " + id + "\n  title: Mine\n  severity: low\n  match: verb:delete\n"
        + extra;
}

} // namespace

void TestRuleReader::builtInPackReadsWithoutDiagnostics()
{
    const RuleSet& rules = builtinRules();
    QVERIFY2(rules.diagnostics.empty(), qPrintable(allDiagnostics(rules)));
    QVERIFY(rules.rules.size() >= 35);
    for (const DetectionRule& r : rules.rules) {
        QVERIFY2(r.origin.file.empty() && r.origin.line > 0, r.id.c_str());
        if (r.kind != RuleKind::Integrity)
            QVERIFY2(!r.matchQuery.nodes.empty() && r.expandedMatch.find('$') == std::string::npos,
                r.id.c_str());
    }
}

void TestRuleReader::builtInTextIsTheCompiledYaml()
{
    QFile file(QStringLiteral(AUDITSCOPE_SOURCE_DIR "/model/detect/builtinrules.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray yaml = file.readAll();
    QCOMPARE(builtinRulesText(), std::string_view(yaml.constData(), std::size_t(yaml.size())));
}

void TestRuleReader::readsEveryFieldOfANewRule()
{
    const RuleSet set = read("# a comment\n"
                             "rules:\n"
                             "- id: wide-delete\n"
                             "  title: Wide delete\n"
                             "  severity: High\n"
                             "  why: >\n"
                             "    Deletes many\n"
                             "    things.\n"
                             "  references: [\"Falco: Something\", 'Sigma: Other']\n"
                             "  mitre: [T1485, T1070.004]\n"
                             "  match: verb:deletecollection and ns:$production\n"
                             "  outsideMaintenance: yes\n"
                             "  disabled: false\n");
    QVERIFY2(set.diagnostics.empty(), qPrintable(allDiagnostics(set)));
    QCOMPARE(set.rules.size(), std::size_t(1));
    const DetectionRule& r = set.rules[0];
    QCOMPARE(r.id, std::string("wide-delete"));
    QCOMPARE(r.title, std::string("Wide delete"));
    QCOMPARE(r.severity, FindingSeverity::High);
    QCOMPARE(r.why, std::string("Deletes many things.\n"));
    QCOMPARE(r.references, (std::vector<std::string>{"Falco: Something", "Sigma: Other"}));
    QCOMPARE(r.mitre, (std::vector<std::string>{"T1485", "T1070.004"}));
    QCOMPARE(r.kind, RuleKind::Event);
    QCOMPARE(r.match, std::string("verb:deletecollection and ns:$production"));
    QCOMPARE(r.expandedMatch,
        std::string("verb:deletecollection and ns:(prod or prod-* or production or *-prod)"));
    QCOMPARE(r.matchQuery.toString(), parseQuery(r.expandedMatch).query->toString());
    QVERIFY(r.outsideMaintenance);
    QVERIFY(r.enabled);
    QCOMPARE(r.origin.file, std::string("rules.yaml"));
    QCOMPARE(r.origin.line, 3);
    QCOMPARE(r.origin.column, 3);
}

void TestRuleReader::readsTheStateBlocks()
{
    const RuleSet set =
        read("rules:\n"
             "- id: burst\n  title: B\n  severity: medium\n  match: code:403\n"
             "  threshold: {count: 10, window: 1m30s, by: [user, ip], distinct: name}\n"
             "- id: first\n  title: F\n  severity: low\n  match: resource:secrets\n"
             "  firstSeen:\n    baseline: 36h\n    baselineRequests: 50\n"
             "    newValueOf: useragent\n"
             "- id: pair\n  title: P\n  severity: high\n  match: resource:roles\n"
             "  sequence: {then: 'resource:deployments', window: 500ms, by: ua}\n"
             "- id: hole\n  title: H\n  severity: medium\n"
             "  integrity: {check: rotationgap, factor: 2.5}\n");
    QVERIFY2(set.diagnostics.empty(), qPrintable(allDiagnostics(set)));
    const DetectionRule* burst = rule(set, "burst");
    QVERIFY(burst);
    QCOMPARE(burst->kind, RuleKind::Threshold);
    QCOMPARE(burst->count, 10);
    QCOMPARE(burst->windowNs, 90 * Sec);
    QCOMPARE(burst->by, (std::vector<QueryField>{QueryField::User, QueryField::Ip}));
    QCOMPARE(burst->distinct, std::optional(QueryField::Name));
    const DetectionRule* first = rule(set, "first");
    QVERIFY(first);
    QCOMPARE(first->kind, RuleKind::FirstSeen);
    QVERIFY(first->by.empty()); // per user
    QCOMPARE(first->baselineNs, 36 * 3600 * Sec);
    QCOMPARE(first->baselineRequests, 50);
    QCOMPARE(first->newValueOf, std::optional(QueryField::UserAgent));
    const DetectionRule* pair = rule(set, "pair");
    QVERIFY(pair);
    QCOMPARE(pair->kind, RuleKind::Sequence);
    QCOMPARE(pair->then, std::string("resource:deployments"));
    QCOMPARE(pair->expandedThen, std::string("resource:deployments"));
    QCOMPARE(pair->thenQuery.toString(), parseQuery("resource:deployments").query->toString());
    QCOMPARE(pair->windowNs, Sec / 2);
    QCOMPARE(pair->by, std::vector<QueryField>{QueryField::UserAgent});
    const DetectionRule* hole = rule(set, "hole");
    QVERIFY(hole);
    QCOMPARE(hole->kind, RuleKind::Integrity);
    QCOMPARE(hole->check, IntegrityCheck::RotationGap);
    QCOMPARE(hole->factor, 2.5);
    QVERIFY(hole->match.empty());
}

void TestRuleReader::reportsLocatedDiagnostics_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<bool>("error");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("ruleKept");
    const auto row = [](const char* name, const std::string& text, int line, int column, bool error,
                         const char* message, bool kept) {
        QTest::newRow(name) << toQString(text) << line << column << error
                            << QString::fromUtf8(message) << kept;
    };
    row("unknown rule key", newRule("  titel: typo\n"), 6, 3, false,
        "unknown key 'titel' in a rule; did you mean 'title'? (ignored)", true);
    row("unknown top-level key", "rule:\n- id: x\n", 1, 1, false,
        "unknown key 'rule' in the rules file; did you mean 'rules'? (ignored)", false);
    row("unknown threshold key", newRule("  threshold: {count: 3, windw: 5m, window: 1m}\n"), 6, 25,
        false, "unknown key 'windw' in threshold; did you mean 'window'?", true);
    row("wrong type: references", newRule("  references: {a: b}\n"), 6, 15, true,
        "references must be a list of text, not a mapping", false);
    row("wrong type: title", "rules:\n- id: x\n  title: [a]\n  severity: low\n  match: verb:get\n",
        3, 10, true, "title must be text, not a list", false);
    row("wrong type: state block", newRule("  threshold: 10\n"), 6, 14, true,
        "threshold must be a mapping, not '10'", false);
    row("wrong type: boolean", newRule("  disabled: maybe\n"), 6, 13, true,
        "disabled must be true or false, not 'maybe'", false);
    row("no id", "rules:\n- title: x\n  severity: low\n  match: verb:get\n", 2, 3, true,
        "a rule without an id", false);
    row("no title", "rules:\n- id: x\n  severity: low\n  match: verb:get\n", 2, 3, true,
        "a new rule needs a title", false);
    row("no severity", "rules:\n- id: x\n  title: X\n  match: verb:get\n", 2, 3, true,
        "a new rule needs a severity", false);
    row("no match", "rules:\n- id: x\n  title: X\n  severity: low\n", 2, 3, true,
        "a new rule needs a match", false);
    row("bad severity", "rules:\n- id: x\n  title: X\n  severity: urgent\n  match: verb:get\n", 4,
        13, true, "unknown severity 'urgent': use info, low, medium, high or critical", false);
    row("bad id", "rules:\n- id: My_Rule\n  title: X\n  severity: low\n  match: verb:get\n", 2, 7,
        true, "bad id 'My_Rule'", false);
    row("bad duration", newRule("  threshold:\n    count: 3\n    window: 5 minutes\n"), 8, 13, true,
        "bad duration '5 minutes' for window", false);
    row("zero window", newRule("  sequence: {then: 'verb:get', window: 0s}\n"), 6, 40, true,
        "window must be longer than 0", false);
    row("count below 1", newRule("  threshold: {count: 0, window: 1m}\n"), 6, 22, true,
        "count must be a whole number from 1", false);
    row("threshold without window", newRule("  threshold: {count: 4}\n"), 6, 3, true,
        "threshold needs a count and a window", false);
    row("unknown field in by", newRule("  threshold: {count: 3, window: 1m, by: [user, usr]}\n"), 6,
        48, true, "unknown field 'usr' in by; did you mean 'user'?", false);
    row("unknown field in distinct",
        newRule("  threshold: {count: 3, window: 1m, distinct: nam}\n"), 6, 47, true,
        "unknown field 'nam' in distinct; did you mean 'name'?", false);
    row("unknown field in newValueOf", newRule("  firstSeen: {newValueOf: sourceaddress}\n"), 6, 27,
        true, "unknown field 'sourceaddress' in newValueOf; use user, ip", false);
    row("two state blocks",
        newRule("  threshold: {count: 3, window: 1m}\n  firstSeen: {baseline: 1h}\n"), 7, 3, true,
        "a rule has at most one of threshold, firstSeen, sequence and integrity; 'threshold' "
        "came first",
        false);
    row("duplicate id",
        newRule() + "- id: mine\n  title: Again\n  severity: low\n  match: verb:get\n", 6, 7, true,
        "duplicate id: the rule at line 2 has it already", true);
    row("finding term",
        newRule("", "x").replace(
            newRule("", "x").find("verb:delete"), 11, "verb:get and finding:*"),
        5, 23, true, "a rule cannot use finding: or severity", false);
    row("severity term",
        "rules:\n- id: x\n  title: X\n  severity: low\n  match: 'Severity >= high'\n", 5, 11, true,
        "a rule cannot use finding: or severity", false);
    row("policy term",
        "rules:\n- id: x\n  title: X\n  severity: low\n  match: 'verb:get and emitted:false'\n", 5,
        24, true, "a rule cannot use rule:, policylevel:, emitted: or policychange:", false);
    row("integrity with match",
        "rules:\n- id: x\n  title: X\n  severity: low\n  match: verb:get\n  integrity: {check: "
        "silence}\n",
        5, 3, true, "an integrity rule has no match", false);
    row("unknown check",
        "rules:\n- id: x\n  title: X\n  severity: low\n  integrity: {check: silense}\n", 5, 22,
        true, "unknown check 'silense'; did you mean 'silence'?", false);
    row("bad factor",
        "rules:\n- id: x\n  title: X\n  severity: low\n  integrity: {check: silence, factor: -1}\n",
        5, 39, true, "factor must be a number above 0", false);
    row("bad technique id", newRule("  mitre: [T1609, 1610]\n"), 6, 18, false,
        "bad ATT&CK technique id '1610'", true);
    row("rules not a list", "rules: {id: x}\n", 1, 8, true, "rules must be a list of rules", false);
    row("entry not a mapping", "rules:\n- just text\n", 2, 3, true,
        "a rule is a mapping (id, title, severity, why, match, ...), not 'just text'", false);
    row("settings not a mapping", "settings: [a]\n", 1, 11, true,
        "settings must be a mapping, not a list", false);
    row("file not a mapping", "- id: x\n", 1, 1, true,
        "a rules file is a mapping with 'settings:' and 'rules:'", false);
    row("YAML syntax error", "rules:\n- id: x\n  title: [unclosed\n", 4, 1, true,
        "YAML syntax error", false);
    row("unclosed quote", "rules:\n- id: x\n  title: \"unclosed\n  severity: low\n", 3, 10, true,
        "unterminated quoted string", false);
    row("two documents", newRule() + "---\nrules: []\n", 7, 1, true,
        "the file holds 2 YAML documents", false);
}

void TestRuleReader::reportsLocatedDiagnostics()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(bool, error);
    QFETCH(QString, message);
    QFETCH(bool, ruleKept);
    const RuleSet set = read(text.toStdString());
    const auto it = std::find_if(set.diagnostics.begin(), set.diagnostics.end(),
        [&](const RuleDiagnostic& d) { return toQString(d.message).contains(message); });
    QVERIFY2(it != set.diagnostics.end(), qPrintable(allDiagnostics(set)));
    QCOMPARE(it->severity == RuleDiagnostic::Severity::Error, error);
    QCOMPARE(QStringLiteral("%1:%2").arg(it->line).arg(it->column),
        QStringLiteral("%1:%2").arg(line).arg(column));
    QCOMPARE(it->file, std::string("rules.yaml"));
    QVERIFY(it->toString().starts_with(
        "rules.yaml:" + std::to_string(line) + ':' + std::to_string(column) + ": "));
    // The entry with the problem is left out; a warning leaves it in.
    QCOMPARE(!set.rules.empty(), ruleKept);
}

void TestRuleReader::mapsMatchErrorsIntoTheYaml_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    // "usr" is an unknown field; its first character is where the error is.
    QTest::newRow("plain") << QStringLiteral("  match: verb:get and usr:alice\n") << 5 << 23;
    QTest::newRow("single-quoted")
        << QStringLiteral("  match: 'verb:get and usr:alice'\n") << 5 << 24;
    QTest::newRow("single-quoted with a doubled quote")
        << QStringLiteral("  match: '\"it''s\" and usr:alice'\n") << 5 << 23;
    QTest::newRow("double-quoted with escapes")
        << QStringLiteral("  match: \"ua:\\\"k\\\" and usr:x\"\n") << 5 << 24;
    QTest::newRow("plain on two lines")
        << QStringLiteral("  match: verb:get\n    and usr:alice\n") << 6 << 9;
    QTest::newRow("folded block") << QStringLiteral(
        "  match: >-\n    verb:get\n    and usr:alice\n")
                                  << 7 << 9;
    QTest::newRow("literal block")
        << QStringLiteral("  match: |\n    verb:get\n      and usr:alice\n") << 7 << 11;
    QTest::newRow("after a macro")
        << QStringLiteral("  match: ns:$production and usr:x\n") << 5 << 29;
    QTest::newRow("in the then of a sequence") << QStringLiteral(
        "  match: verb:create\n  sequence: {then: 'verb:patch and usr:x', window: 5m}\n")
                                               << 6 << 36;
}

void TestRuleReader::mapsMatchErrorsIntoTheYaml()
{
    QFETCH(QString, match);
    QFETCH(int, line);
    QFETCH(int, column);
    const std::string text = "rules:\n- id: x\n  title: X\n  severity: low\n" + match.toStdString();
    const RuleSet set = read(text);
    QCOMPARE(errors(set), 1);
    const RuleDiagnostic& d = set.diagnostics.front();
    QVERIFY2(d.message.find("unknown field 'usr'") != std::string::npos, d.message.c_str());
    QCOMPARE(QStringLiteral("%1:%2").arg(d.line).arg(d.column),
        QStringLiteral("%1:%2").arg(line).arg(column));
    QCOMPARE(d.ruleId, std::string("x"));
    QVERIFY(set.rules.empty());
}

void TestRuleReader::leavesOutBadEntriesAndAppliesTheRest()
{
    const RuleSet set = read(newRule("", "good-one")
        + "- id: bad\n  title: Bad\n  severity: low\n  match: 'verb:get and ('\n"
        + "- id: good-two\n  title: Two\n  severity: info\n  match: verb:list\n");
    QCOMPARE(errors(set), 1);
    QCOMPARE(set.diagnostics.front().ruleId, std::string("bad"));
    QCOMPARE(set.rules.size(), std::size_t(2));
    QVERIFY(rule(set, "good-one") && rule(set, "good-two") && !rule(set, "bad"));
    // A bad override leaves the base rule as it was.
    const RuleSet over = read("rules:\n- id: port-forward\n  severity: extreme\n", builtinRules());
    QCOMPARE(errors(over), 1);
    QCOMPARE(over.rules.size(), builtinRules().rules.size());
    QCOMPARE(rule(over, "port-forward")->severity, builtinRules().find("port-forward")->severity);
}

void TestRuleReader::overridesOnlyTheFieldsGiven()
{
    const RuleSet& base = builtinRules();
    const DetectionRule* before = base.find("secrets-read-burst");
    QVERIFY(before && before->kind == RuleKind::Threshold);
    const RuleSet set = read("rules:\n"
                             "- id: secrets-read-burst\n"
                             "  severity: high\n"
                             "  threshold: {count: 8}\n",
        base);
    QVERIFY2(set.diagnostics.empty(), qPrintable(allDiagnostics(set)));
    QCOMPARE(set.rules.size(), base.rules.size());
    const DetectionRule* after = set.find("secrets-read-burst");
    QCOMPARE(after->severity, FindingSeverity::High);
    QCOMPARE(before->count, 5);
    QCOMPARE(after->count, 8);
    QCOMPARE(after->windowNs, before->windowNs);
    QCOMPARE(after->distinct, before->distinct);
    QCOMPARE(after->by, before->by);
    QCOMPARE(after->title, before->title);
    QCOMPARE(after->match, before->match);
    QCOMPARE(after->matchQuery.toString(), before->matchQuery.toString());
    QCOMPARE(after->origin.file, std::string("rules.yaml"));
    QCOMPARE(after->origin.line, 2);
    // The order of the rules is the base's; nothing else changed.
    for (std::size_t i = 0; i < base.rules.size(); ++i)
        QCOMPARE(set.rules[i].id, base.rules[i].id);
    // Switching the kind starts the new state from its defaults.
    const RuleSet switched = read("rules:\n"
                                  "- id: secrets-read-burst\n"
                                  "  firstSeen: {baseline: 2h}\n",
        base);
    QVERIFY2(switched.diagnostics.empty(), qPrintable(allDiagnostics(switched)));
    const DetectionRule* firstSeen = switched.find("secrets-read-burst");
    QCOMPARE(firstSeen->kind, RuleKind::FirstSeen);
    QCOMPARE(firstSeen->baselineNs, 7200 * Sec);
    QCOMPARE(firstSeen->count, 0);
    QVERIFY(!firstSeen->distinct);
}

void TestRuleReader::disablesAndAddsRules()
{
    const RuleSet& base = builtinRules();
    const RuleSet set = read("rules:\n"
                             "- id: port-forward\n"
                             "  disabled: true\n"
                             "- id: portforward\n"
                             "  disabled: true\n"
                             "- id: big-lists\n"
                             "  title: Big lists\n"
                             "  severity: info\n"
                             "  match: verb:list and not ns:*\n",
        base);
    QCOMPARE(errors(set), 0);
    QCOMPARE(set.diagnostics.size(), std::size_t(1));
    const RuleDiagnostic& typo = set.diagnostics.front();
    QCOMPARE(typo.severity, RuleDiagnostic::Severity::Warning);
    QCOMPARE(typo.line, 4);
    QCOMPARE(typo.column, 7);
    QVERIFY2(typo.message.find("no rule portforward to change; did you mean 'port-forward'?")
            != std::string::npos,
        typo.message.c_str());
    QCOMPARE(set.rules.size(), base.rules.size() + 1);
    QVERIFY(!set.find("port-forward")->enabled);
    QCOMPARE(set.find("port-forward")->match, base.find("port-forward")->match);
    QCOMPARE(set.rules.back().id, std::string("big-lists"));
    QCOMPARE(set.rules.back().origin.line, 6);
    // And on again from a second file.
    const RuleSet again = read("rules:\n- id: port-forward\n  disabled: no\n", set);
    QVERIFY(again.find("port-forward")->enabled);
}

void TestRuleReader::settingsReplaceDefaultsAndApplyBeforeMacros()
{
    const RuleSet& base = builtinRules();
    const RuleSet set = read("rules:\n"
                             "- id: mine\n  title: Mine\n  severity: low\n"
                             "  match: ns:$production and not ip:$private\n"
                             "settings:\n"
                             "  productionNamespaces: [live, \"live-*\"]\n"
                             "  privateRanges: [10.0.0.0/8, fd00::/8]\n"
                             "  maintenanceWindows: [\"Sat 02:00-06:00\", \"daily 23:30-00:30\"]\n",
        base);
    QVERIFY2(set.diagnostics.empty(), qPrintable(allDiagnostics(set)));
    QCOMPARE(set.settings.productionNamespaces, (std::vector<std::string>{"live", "live-*"}));
    QCOMPARE(set.settings.maintenanceWindows,
        (std::vector<std::string>{"Sat 02:00-06:00", "daily 23:30-00:30"}));
    QCOMPARE(set.find("mine")->expandedMatch,
        std::string("ns:(live or live-*) and not ip:(10.0.0.0/8 or fd00::/8)"));
    // The built-in rules the file does not mention use the new settings too.
    const DetectionRule* exec = set.find("exec-into-production");
    QVERIFY(exec->expandedMatch.find("ns:(live or live-*)") != std::string::npos);
    QVERIFY(exec->expandedMatch.find("prod") == std::string::npos);
    QCOMPARE(exec->matchQuery.toString(), parseQuery(exec->expandedMatch).query->toString());
    // A key not given keeps the default.
    const RuleSet partial = read("settings:\n  maintenanceWindows: [\"Sun 01:00-02:00\"]\n", base);
    QCOMPARE(partial.settings.productionNamespaces, base.settings.productionNamespaces);
    QCOMPARE(partial.settings.privateRanges, base.settings.privateRanges);
}

void TestRuleReader::reportsBadSettingsItemsAndKeepsTheOthers()
{
    const RuleSet set =
        read("settings:\n"
             "  privateRanges: [10.0.0.0/8, 10.0.0.0/33, not-an-ip]\n"
             "  productionNamespaces: [prod, Prod_1]\n"
             "  maintenanceWindows: [\"Sat 02:00-06:00\", \"Someday 01:00-02:00\",\n"
             "    \"daily 25:00-26:00\", \"Mon 03:00-03:00\"]\n"
             "  timezone: UTC\n");
    QStringList where;
    for (const RuleDiagnostic& d : set.diagnostics)
        where << QStringLiteral("%1:%2").arg(d.line).arg(d.column);
    QCOMPARE(where,
        QStringList({QStringLiteral("6:3"), QStringLiteral("2:31"), QStringLiteral("2:44"),
            QStringLiteral("3:32"), QStringLiteral("4:43"), QStringLiteral("5:5"),
            QStringLiteral("5:26")}));
    QVERIFY(set.diagnostics[0].message.find("unknown key 'timezone'") != std::string::npos);
    QVERIFY(set.diagnostics[4].message.find("unknown day 'Someday'") != std::string::npos);
    QVERIFY(set.diagnostics[5].message.find("bad time range '25:00-26:00'") != std::string::npos);
    QVERIFY(set.diagnostics[6].message.find("is empty") != std::string::npos);
    QCOMPARE(set.settings.privateRanges, std::vector<std::string>{"10.0.0.0/8"});
    QCOMPARE(set.settings.productionNamespaces, std::vector<std::string>{"prod"});
    QCOMPARE(set.settings.maintenanceWindows, std::vector<std::string>{"Sat 02:00-06:00"});
}

void TestRuleReader::expandsMacros_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<QString>("expanded");
    const auto row = [](const char* match, const char* expanded) {
        QTest::newRow(match) << QString::fromUtf8(match) << QString::fromUtf8(expanded);
    };
    row("ns:$production", "ns:(prod or prod-* or production or *-prod)");
    row("not ip:$private and verb:get",
        "not ip:(10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16 or 127.0.0.0/8 or 100.64.0.0/10 or "
        "::1/128 or fc00::/7 or fe80::/10) and verb:get");
    row("ns:($production)", "ns:((prod or prod-* or production or *-prod))");
    row("ns = $production", "ns = (prod or prod-* or production or *-prod)");
    row("ua:kubernetes/$Format", "ua:kubernetes/$Format");
    row("ua:x$production", "ua:x$production");
    row("ns:$productionx", "ns:$productionx");
    row("\"$production\" and ns:$production",
        "\"$production\" and ns:(prod or prod-* or production or *-prod)");
    row("\"a \\\" $private\"", "\"a \\\" $private\"");
    row("$unknown", "$unknown");
}

void TestRuleReader::expandsMacros()
{
    QFETCH(QString, match);
    QFETCH(QString, expanded);
    QCOMPARE(toQString(expandRuleMacros(match.toStdString(), DetectionSettings{})), expanded);
    // Empty settings: a value no namespace or address has, so the term matches nothing.
    DetectionSettings none;
    none.productionNamespaces.clear();
    QCOMPARE(expandRuleMacros("ns:$production", none), std::string("ns:(\" \")"));
    QVERIFY(parseQuery(expandRuleMacros("ns:$production", none)).ok());
}

void TestRuleReader::survivesHostileText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("invalid UTF-8")
        << QByteArray("rules:\n- id: \xC3\x28\n") << QStringLiteral("invalid UTF-8");
    QTest::newRow("deep nesting") << QByteArray("rules: ") + QByteArray(200, '[')
                                  << QStringLiteral("nests deeper than 64");
    QTest::newRow("tab indentation")
        << QByteArray("rules:\n\t- id: x\n") << QStringLiteral("tab character");
    QTest::newRow("stray comma") << QByteArray("rules:\n- id: x\n,\n")
                                 << QStringLiteral("YAML syntax error");
    QTest::newRow("control character")
        << QByteArray("rules:\x01\n") << QStringLiteral("control character");
    QByteArray bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; ++c)
        bomb += QByteArray(1, c) + ": &" + QByteArray(1, c) + " [*" + QByteArray(1, char(c - 1))
            + ", *" + QByteArray(1, char(c - 1)) + ", *" + QByteArray(1, char(c - 1)) + ", *"
            + QByteArray(1, char(c - 1)) + ", *" + QByteArray(1, char(c - 1)) + "]\n";
    bomb += "rules: *j\n";
    QTest::newRow("alias bomb") << bomb << QStringLiteral("aliasing");
}

void TestRuleReader::survivesHostileText()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    const RuleSet& base = builtinRules();
    const RuleSet set = applyRulesText(
        base, std::string_view(text.constData(), std::size_t(text.size())), "hostile.yaml");
    QVERIFY(errors(set) >= 1);
    QVERIFY2(allDiagnostics(set).contains(message), qPrintable(allDiagnostics(set)));
    QVERIFY(set.diagnostics.front().line > 0);
    QCOMPARE(set.rules.size(), base.rules.size());
}

void TestRuleReader::readsFilesAndReportsUnreadableOnes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("rules.yaml")).toStdString();
    {
        QFile file(toQString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("rules:\n- id: port-forward\n  severity: hihg\n");
    }
    const RuleSet set = applyRulesFile(builtinRules(), path);
    QCOMPARE(set.diagnostics.size(), std::size_t(1));
    QCOMPARE(set.diagnostics.front().toString(),
        path
            + ":3:13: error: rule port-forward: unknown severity 'hihg': use info, low, medium, "
              "high or critical");
    const RuleSet missing = applyRulesFile(builtinRules(), path + ".absent");
    QCOMPARE(missing.diagnostics.size(), std::size_t(1));
    QVERIFY2(
        missing.diagnostics.front().message.find("cannot open rules file") != std::string::npos,
        missing.diagnostics.front().message.c_str());
    QCOMPARE(missing.rules.size(), builtinRules().rules.size());
    const RuleSet folder = applyRulesFile(builtinRules(), dir.path().toStdString());
    QVERIFY2(folder.diagnostics.front().message.find("is a directory, not a rules file")
            != std::string::npos,
        folder.diagnostics.front().message.c_str());
}

void TestRuleReader::readmeExampleReadsCleanly()
{
    QFile file(QStringLiteral(AUDITSCOPE_SOURCE_DIR "/README.md"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString readme = QString::fromUtf8(file.readAll());
    const qsizetype section = readme.indexOf(QStringLiteral("### Your own rules"));
    const qsizetype begin = readme.indexOf(QStringLiteral("```yaml\n"), section);
    const qsizetype end = readme.indexOf(QStringLiteral("```\n"), begin + 8);
    QVERIFY(section > 0 && begin > section && end > begin);
    const std::string example = readme.mid(begin + 8, end - begin - 8).toStdString();
    const RuleSet set = read(example, builtinRules());
    QVERIFY2(set.diagnostics.empty(), qPrintable(allDiagnostics(set)));
    QCOMPARE(set.find("secrets-read-burst")->count, 8);
    QVERIFY(!set.find("port-forward")->enabled);
    QCOMPARE(set.rules.size(), builtinRules().rules.size() + 2);
    QCOMPARE(set.settings.productionNamespaces.size(), std::size_t(3));
}

void TestRuleReader::userRulesFileIsInTheConfigFolder()
{
    const std::string path = userRulesPath();
    QVERIFY2(path.ends_with("/AuditScope/rules.yaml"), path.c_str());
    QVERIFY(path.size() > std::string("/AuditScope/rules.yaml").size());
}

QTEST_GUILESS_MAIN(TestRuleReader)
