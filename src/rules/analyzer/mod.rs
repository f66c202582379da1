//! POL021–POL025, VAL007, IAM009–IAM011, TRU005–TRU006: the rest of IAM Access Analyzer's
//! policy checks (`docs/access-analyzer-checks.md` says which rule carries each): condition
//! values and operators by type, policy variables, ARN fields against the catalog's ARN
//! templates, principal forms, tag and service condition keys against the actions they
//! govern, broad grants of sensitive actions, organization policies (SCP, RCP) and role trust
//! policies. Each finding carries Access Analyzer's issue code and its finding type as
//! severity (ERROR → error, SECURITY_WARNING and WARNING → warning, SUGGESTION → info).

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::source::Span;

mod arns;
mod conditions;
mod keys;
mod orgs;
mod principals;
pub mod sensitive;
mod trust_form;
pub mod types;
mod variables;

declare! {
    family "analyzer", "IAM Access Analyzer's checks of condition values, policy variables, ARNs, principals, condition keys, sensitive actions, organization and trust policies";
    POL021 "policy-variable" Error aa["MISSING_BRACE_IN_VARIABLE", "MISSING_QUOTE_IN_VARIABLE", "UNSUPPORTED_SPACE_IN_VARIABLE", "EMPTY_VARIABLE", "VARIABLE_UNSUPPORTED_IN_ELEMENT", "VARIABLE_UNSUPPORTED_IN_VERSION", "INVALID_VARIABLE_FOR_OPERATOR"] on[Policy] fix[];
    POL022 "condition-value" Error aa["INVALID_CONDITION_DATA_TYPE", "INVALID_CONDITION_MULTIPLE_BOOLEAN", "TYPE_MISMATCH_BOOLEAN", "TYPE_MISMATCH_DATE", "TYPE_MISMATCH_NUMBER", "TYPE_MISMATCH_STRING", "TYPE_MISMATCH_IP_RANGE", "INVALID_DATE_VALUE", "IMPROVE_IP_RANGE", "PRIVATE_IP_ADDRESS", "PRIVATE_NOT_IP_ADDRESS", "PRIVATE_IP_ADDRESS_SUBSET", "PRIVATE_NOT_IP_ADDRESS_SUBSET", "INVALID_VPC_FORMAT", "INVALID_VPCE_FORMAT", "INVALID_REGION", "INVALID_KMS_KEY_VALUE", "REDUNDANT_CONDITION_VALUE_NUM"] on[Policy] fix[Safe];
    POL023 "condition-operator-for-key" Error aa["TYPE_MISMATCH", "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "MISSING_QUALIFIER", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "NULL_WITH_QUALIFIER", "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "EMPTY_OBJECT_CONDITION", "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION", "REDUNDANT_STATEMENT"] on[Policy] fix[];
    POL024 "principal-scope" Error aa["UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "FEDERATED_PRINCIPAL_NOT_SUPPORTED", "ALLOW_WITH_NOT_PRINCIPAL", "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL"] on[Policy] fix[];
    POL025 "organization-policy" Error aa["SCP_SYNTAX_ERROR_PRINCIPAL", "SCP_SYNTAX_ERROR_ACTION_WILDCARD", "RCP_SYNTAX_ERROR_PRINCIPAL", "RCP_SYNTAX_ERROR_ALLOW", "RCP_SYNTAX_ERROR_NOTACTION", "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY", "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY"] on[Policy] fix[];
    VAL007 "arn-fields" Error aa["INVALID_ARN_SERVICE_CASE", "INVALID_ARN_RESOURCE", "MISSING_ARN_REGION", "MISSING_ARN_ACCOUNT", "ARN_REGION_NOT_ALLOWED", "ARN_ACCOUNT_NOT_ALLOWED", "INVALID_ARN_REGION", "WILDCARD_IN_SERVICE_NAME"] on[Policy] fix[];
    IAM009 "condition-key-usage" Error aa["UNSUPPORTED_GLOBAL_CONDITION_KEY", "MISSING_TAG_KEY_IN_CONDITION", "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT", "S3_PREFIX_IN_NEGATIVE_CONTEXT", "MISSING_PAIRED_CONDITION_KEYS"] on[Policy] fix[];
    IAM010 "tag-key-unsupported" Warning aa["DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"] on[Policy] fix[];
    IAM011 "create-slr-broad" Warning aa["CREATE_SLR_WITH_STAR_IN_RESOURCE", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "CREATE_SLR_WITH_NOT_RESOURCE", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"] on[Policy] fix[];
    TRU005 "trust-policy-form" Error aa["ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", "MISMATCHED_ACTION_FOR_PRINCIPAL", "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY"] on[Policy] fix[];
    TRU006 "trust-federated-conditions" Warning aa["MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", "MISSING_GITHUB_REPO_CONDITION_KEY", "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE", "CONFIRM_AUDIENCE_CLAIM_TYPE"] on[Policy] fix[];
}

/// Access Analyzer's finding types: SECURITY_WARNING and WARNING are warnings, SUGGESTION an
/// info; the others are ERRORs.
const WARNINGS: &[&str] = &[
    "ALLOW_WITH_NOT_PRINCIPAL",
    "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
    "PASS_ROLE_WITH_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "MISSING_PAIRED_CONDITION_KEYS",
    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
    "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
    "MISSING_GITHUB_REPO_CONDITION_KEY",
    "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
    "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT",
    "S3_PREFIX_IN_NEGATIVE_CONTEXT",
    "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE",
    "CREATE_SLR_WITH_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "INVALID_DATE_VALUE",
    "INVALID_ROLE_REFERENCE",
    "INVALID_USER_REFERENCE",
    "TYPE_MISMATCH",
    "TYPE_MISMATCH_BOOLEAN",
    "TYPE_MISMATCH_DATE",
    "TYPE_MISMATCH_NUMBER",
    "TYPE_MISMATCH_STRING",
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
    "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY",
    "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY",
];
const SUGGESTIONS: &[&str] = &[
    "EMPTY_OBJECT_CONDITION",
    "REDUNDANT_STATEMENT",
    "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
    "IMPROVE_IP_RANGE",
    "NULL_WITH_QUALIFIER",
    "PRIVATE_IP_ADDRESS_SUBSET",
    "PRIVATE_NOT_IP_ADDRESS_SUBSET",
    "REDUNDANT_CONDITION_VALUE_NUM",
    "WILDCARD_IN_SERVICE_NAME",
    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION",
    "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
    "CONFIRM_AUDIENCE_CLAIM_TYPE",
];

/// The severity of an Access Analyzer finding type.
pub fn severity_of(code: &str) -> Severity {
    if WARNINGS.contains(&code) {
        Severity::Warning
    } else if SUGGESTIONS.contains(&code) {
        Severity::Info
    } else {
        Severity::Error
    }
}

/// A finding of `rule` with Access Analyzer's issue code and the severity of its finding type.
pub fn finding(
    ctx: &Ctx,
    rule: &'static Rule,
    code: &'static str,
    span: Span,
    message: impl Into<String>,
) -> Finding {
    Finding::new(rule, ctx.source_id, span, message)
        .aa(code)
        .severity(severity_of(code))
}

/// The checks of one policy.
pub fn check(ctx: &mut Ctx) {
    let stmts = std::mem::take(&mut ctx.statements);
    variables::check(ctx, &stmts);
    conditions::redundant_statements(ctx, &stmts);
    for stmt in &stmts {
        conditions::statement(ctx, stmt);
        keys::statement(ctx, stmt);
        arns::statement(ctx, stmt);
        principals::statement(ctx, stmt);
        sensitive::create_slr(ctx, stmt);
        orgs::statement(ctx, stmt);
        trust_form::statement(ctx, stmt);
    }
    ctx.statements = stmts;
}

/// The text of a value for a message, on one line and cut to a readable length.
pub fn shown(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}
