// SPDX-License-Identifier: Apache-2.0
// The field tables of the filter language: the names the parser accepts and the canonical alias
// of each field (as printed and completed).
#include "query/query.h"

namespace auditscope {

const std::vector<FieldName>& queryFieldNames()
{
    static const std::vector<FieldName> names{
        {"user", QueryField::User, true},
        {"group", QueryField::Group, true},
        {"as", QueryField::As, true},
        {"verb", QueryField::Verb, true},
        {"resource", QueryField::Resource, true},
        {"subresource", QueryField::Subresource, true},
        {"ns", QueryField::Namespace, true},
        {"namespace", QueryField::Namespace, true},
        {"name", QueryField::Name, true},
        {"apigroup", QueryField::ApiGroup, true},
        {"apiversion", QueryField::ApiVersion, true},
        {"code", QueryField::Code, true},
        {"stage", QueryField::Stage, true},
        {"level", QueryField::Level, true},
        {"ip", QueryField::Ip, true},
        {"ua", QueryField::UserAgent, true},
        {"id", QueryField::AuditId, true},
        {"decision", QueryField::Decision, true},
        {"time", QueryField::Time, true},
        {"stagetime", QueryField::StageTime, true},
        {"file", QueryField::File, true},
        {"chain", QueryField::Chain, true},
        {"rule", QueryField::Rule, true},
        {"policylevel", QueryField::PolicyLevel, true},
        {"emitted", QueryField::Emitted, true},
        {"policychange", QueryField::PolicyChange, true},
        {"warning", QueryField::Warning, true},
        {"finding", QueryField::Finding, true},
        {"severity", QueryField::Severity, true},
        {"user.username", QueryField::User, false},
        {"user.groups", QueryField::Group, false},
        {"impersonatedUser.username", QueryField::As, false},
        {"objectRef.resource", QueryField::Resource, false},
        {"objectRef.subresource", QueryField::Subresource, false},
        {"objectRef.namespace", QueryField::Namespace, false},
        {"objectRef.name", QueryField::Name, false},
        {"objectRef.apiGroup", QueryField::ApiGroup, false},
        {"objectRef.apiVersion", QueryField::ApiVersion, false},
        {"responseStatus.code", QueryField::Code, false},
        {"sourceIPs", QueryField::Ip, false},
        {"userAgent", QueryField::UserAgent, false},
        {"auditID", QueryField::AuditId, false},
        {"annotations.authorization.k8s.io/decision", QueryField::Decision, false},
        {"requestReceivedTimestamp", QueryField::Time, false},
        {"stageTimestamp", QueryField::StageTime, false},
    };
    return names;
}

std::string_view queryFieldName(QueryField field)
{
    switch (field) {
    case QueryField::User:
        return "user";
    case QueryField::Group:
        return "group";
    case QueryField::As:
        return "as";
    case QueryField::Verb:
        return "verb";
    case QueryField::Resource:
        return "resource";
    case QueryField::Subresource:
        return "subresource";
    case QueryField::Namespace:
        return "ns";
    case QueryField::Name:
        return "name";
    case QueryField::ApiGroup:
        return "apigroup";
    case QueryField::ApiVersion:
        return "apiversion";
    case QueryField::Code:
        return "code";
    case QueryField::Stage:
        return "stage";
    case QueryField::Level:
        return "level";
    case QueryField::Ip:
        return "ip";
    case QueryField::UserAgent:
        return "ua";
    case QueryField::AuditId:
        return "id";
    case QueryField::Decision:
        return "decision";
    case QueryField::Time:
        return "time";
    case QueryField::StageTime:
        return "stagetime";
    case QueryField::File:
        return "file";
    case QueryField::Chain:
        return "chain";
    case QueryField::Rule:
        return "rule";
    case QueryField::PolicyLevel:
        return "policylevel";
    case QueryField::Emitted:
        return "emitted";
    case QueryField::PolicyChange:
        return "policychange";
    case QueryField::Warning:
        return "warning";
    case QueryField::Finding:
        return "finding";
    case QueryField::Severity:
        return "severity";
    case QueryField::Json:
        return "json";
    case QueryField::Text:
        return "text";
    }
    return "?";
}

} // namespace auditscope
