#!/usr/bin/env python3
"""Writes tests/access-analyzer/: one policy per Access Analyzer check finops-lint implements,
each written from AWS's description of the check in its policy check reference (not from
finops-lint's output), and `checks.tsv`: issue code, fixture file, policy type, and the text
Access Analyzer's finding points at (the element, key or value its location path names).

    python3 scripts/aa_fixtures.py

tests/access_analyzer.rs runs each fixture and asserts the code, the severity of its finding
type, and that the underline lies within the text Access Analyzer's location names (finops-lint
may point more closely: at the account field of an ARN Access Analyzer names whole).
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "access-analyzer")

V = "2012-10-17"


def pol(*stmts, version=V):
    d = {}
    if version:
        d["Version"] = version
    d["Statement"] = list(stmts)
    return d


def allow(action="s3:GetObject", resource="arn:aws:s3:::finops-reports/*", **kw):
    s = {"Effect": "Allow", "Action": action}
    if resource is not None:
        s["Resource"] = resource
    s.update(kw)
    return s


def cond(c, **kw):
    return allow(Condition=c, **kw)


def trust(principal, action="sts:AssumeRole", **kw):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    s.update(kw)
    return s


def grant(principal, **kw):
    s = {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::finops-reports/*"}
    s.update(kw)
    return s


GH = "arn:aws:iam::402938475610:oidc-provider/token.actions.githubusercontent.com"
# (code, policy type, document (dict or raw text), the text Access Analyzer's location names:
# the element, key or value its path ends at; "" for a finding on the whole document)
CHECKS = [
    # ERROR
    ("ARN_ACCOUNT_NOT_ALLOWED", "identity", pol(allow(resource="arn:aws:s3::402938475610:finops-reports")), "arn:aws:s3::402938475610:finops-reports"),
    ("ARN_REGION_NOT_ALLOWED", "identity", pol(allow(action="iam:GetRole", resource="arn:aws:iam:us-east-1:402938475610:role/finops")), "arn:aws:iam:us-east-1:402938475610:role/finops"),
    ("DATA_TYPE_MISMATCH", "identity", pol(allow(Condition={"Bool": "aws:SecureTransport"})), '"aws:SecureTransport"'),
    ("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "identity", pol(cond({"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d", "aws:sourcevpc": "vpc-1a2b3c4e"}})), "aws:sourcevpc"),
    ("INVALID_ACTION", "identity", pol(allow(action="s3:GetObjekt")), "s3:GetObjekt"),
    ("INVALID_ARN_ACCOUNT", "identity", pol(allow(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:1234-5678-9012:finops")), "arn:aws:sqs:us-east-1:1234-5678-9012:finops"),
    ("INVALID_ARN_PREFIX", "identity", pol(allow(resource="s3:::finops-reports/*")), "s3:::finops-reports/*"),
    ("INVALID_ARN_RESOURCE", "identity", pol(allow(action="dynamodb:GetItem", resource="arn:aws:dynamodb:us-east-1:402938475610:tables/costs")), "arn:aws:dynamodb:us-east-1:402938475610:tables/costs"),
    ("INVALID_ARN_SERVICE_CASE", "identity", pol(allow(action="sqs:SendMessage", resource="arn:aws:SQS:us-east-1:402938475610:finops")), "arn:aws:SQS:us-east-1:402938475610:finops"),
    ("INVALID_CONDITION_DATA_TYPE", "identity", pol(cond({"StringEquals": {"aws:PrincipalTag/level": ["high", 3]}})), '["high", 3]'),
    ("INVALID_CONDITION_KEY_FORMAT", "identity", pol(cond({"StringEquals": {"SourceAccount": "402938475610"}})), "SourceAccount"),
    ("INVALID_CONDITION_MULTIPLE_BOOLEAN", "identity", pol(cond({"Bool": {"aws:SecureTransport": ["true", "false"]}})), '["true", "false"]'),
    ("INVALID_CONDITION_OPERATOR", "identity", pol(cond({"StringEqual": {"aws:SourceAccount": "402938475610"}})), "StringEqual"),
    ("INVALID_EFFECT", "identity", pol({"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}), "Permit"),
    ("INVALID_GLOBAL_CONDITION_KEY", "identity", pol(cond({"StringEquals": {"aws:SourceAcount": "402938475610"}})), "aws:SourceAcount"),
    ("INVALID_PARTITION", "identity", pol(allow(resource="arn:amazon:s3:::finops-reports/*")), "arn:amazon:s3:::finops-reports/*"),
    ("INVALID_POLICY_ELEMENT", "identity", pol(allow(Resources="*")), "Resources"),
    ("INVALID_PRINCIPAL_FORMAT", "bucket", pol(grant("arn:aws:iam::402938475610:root")), "arn:aws:iam::402938475610:root"),
    ("INVALID_PRINCIPAL_KEY", "bucket", pol(grant({"IAM": "arn:aws:iam::402938475610:root"})), "IAM"),
    ("INVALID_REGION", "identity", pol(cond({"StringEquals": {"aws:RequestedRegion": "us-east"}})), "us-east"),
    ("INVALID_SERVICE", "identity", pol(cond({"StringEquals": {"s4:prefix": "reports/"}})), "s4:prefix"),
    ("INVALID_SERVICE_CONDITION_KEY", "identity", pol(cond({"StringEquals": {"s3:prefixes": "reports/"}})), "s3:prefixes"),
    ("INVALID_SERVICE_IN_ACTION", "identity", pol(allow(action="s4:GetObject")), "s4:GetObject"),
    ("INVALID_VARIABLE_FOR_OPERATOR", "identity", pol(cond({"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/limit}"}}, action="s3:ListBucket", resource="arn:aws:s3:::finops-reports")), "${aws:PrincipalTag/limit}"),
    ("INVALID_VERSION", "identity", pol(allow(), version="2012-10-18"), "2012-10-18"),
    ("JSON_SYNTAX_ERROR", "identity", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow" "Action": "s3:GetObject", "Resource": "*"}]}\n', '"Allow" "Action"'),
    ("MISSING_ACTION", "identity", pol({"Effect": "Allow", "Resource": "*"}), "Effect"),
    ("MISSING_ARN_FIELD", "identity", pol(allow(resource="arn:aws:s3:finops-reports")), "arn:aws:s3:finops-reports"),
    ("MISSING_ARN_REGION", "identity", pol(allow(action="sqs:SendMessage", resource="arn:aws:sqs::402938475610:finops")), "arn:aws:sqs::402938475610:finops"),
    ("MISSING_ARN_ACCOUNT", "identity", pol(allow(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1::finops")), "arn:aws:sqs:us-east-1::finops"),
    ("MISSING_EFFECT", "identity", pol({"Sid": "Read", "Action": "s3:GetObject", "Resource": "*"}), "Sid"),
    ("MISSING_PRINCIPAL", "bucket", pol({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::finops-reports/*"}), "Sid"),
    ("MISSING_QUALIFIER", "identity", pol(cond({"StringEquals": {"aws:TagKeys": "team"}}, action="ec2:CreateTags", resource="*")), "aws:TagKeys"),
    ("MISSING_RESOURCE", "identity", pol({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject"}), "Sid"),
    ("MISSING_STATEMENT", "identity", {"Version": V}, ""),
    ("NULL_WITH_IF_EXISTS", "identity", pol(cond({"NullIfExists": {"aws:SourceVpc": "true"}})), "NullIfExists"),
    ("SCP_SYNTAX_ERROR_ACTION_WILDCARD", "scp", pol({"Effect": "Deny", "Action": "s3:*Object", "Resource": "*"}), "s3:*Object"),
    ("SCP_SYNTAX_ERROR_PRINCIPAL", "scp", pol({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"}), "Principal"),
    ("UNIQUE_SIDS_REQUIRED", "identity", pol(allow(Sid="Read"), allow(action="s3:ListBucket", resource="arn:aws:s3:::finops-reports", Sid="Read")), "Read"),
    ("UNSUPPORTED_ELEMENT_COMBINATION", "identity", pol(allow(NotAction="s3:DeleteObject")), "NotAction"),
    ("UNSUPPORTED_GLOBAL_CONDITION_KEY", "identity", pol(cond({"ArnLike": {"aws:ARN": "arn:aws:iam::402938475610:role/finops"}})), "aws:ARN"),
    ("UNSUPPORTED_PRINCIPAL", "identity", pol(allow(Principal={"AWS": "402938475610"})), "Principal"),
    ("UNSUPPORTED_SID", "identity", pol(allow(Sid="read reports")), "read reports"),
    ("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "bucket", pol(grant({"AWS": "arn:aws:iam::402938475610:role/finops-*"})), "arn:aws:iam::402938475610:role/finops-*"),
    ("MISSING_BRACE_IN_VARIABLE", "identity", pol(allow(resource="arn:aws:s3:::finops-reports/${aws:username")), "${aws:username"),
    ("MISSING_QUOTE_IN_VARIABLE", "identity", pol(allow(resource="arn:aws:s3:::finops-reports/${aws:PrincipalTag/team, none}")), "${aws:PrincipalTag/team, none}"),
    ("UNSUPPORTED_SPACE_IN_VARIABLE", "identity", pol(allow(resource="arn:aws:s3:::finops-reports/${aws: username}")), "${aws: username}"),
    ("EMPTY_VARIABLE", "identity", pol(allow(resource="arn:aws:s3:::finops-reports/${}")), "${}"),
    ("VARIABLE_UNSUPPORTED_IN_ELEMENT", "identity", pol(allow(action="s3:${aws:username}")), "s3:${aws:username}"),
    ("VARIABLE_UNSUPPORTED_IN_VERSION", "identity", pol(allow(resource="arn:aws:s3:::finops-reports/${aws:username}/*"), version="2008-10-17"), "arn:aws:s3:::finops-reports/${aws:username}/*"),
    ("PRIVATE_IP_ADDRESS", "identity", pol(cond({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})), "aws:SourceIp"),
    ("PRIVATE_NOT_IP_ADDRESS", "identity", pol({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16"]}}}), "aws:SourceIp"),
    ("POLICY_SIZE_EXCEEDS_SCP_QUOTA", "scp", pol({"Effect": "Deny", "Action": [f"ec2:Describe{i:04d}Things" for i in range(260)], "Resource": "*"}), ""),
    ("INVALID_SERVICE_PRINCIPAL_FORMAT", "bucket", pol(grant({"Service": "billingreports"})), "billingreports"),
    ("MISSING_TAG_KEY_IN_CONDITION", "identity", pol(cond({"StringEquals": {"aws:ResourceTag": "finops"}})), "aws:ResourceTag"),
    ("INVALID_VPC_FORMAT", "identity", pol(cond({"StringEquals": {"aws:SourceVpc": "vpc-123"}})), "vpc-123"),
    ("INVALID_VPCE_FORMAT", "identity", pol(cond({"StringEquals": {"aws:SourceVpce": "vpc-1a2b3c4d"}})), "vpc-1a2b3c4d"),
    ("FEDERATED_PRINCIPAL_NOT_SUPPORTED", "bucket", pol(grant({"Federated": "arn:aws:iam::402938475610:saml-provider/corp"})), "Federated"),
    ("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "identity", pol(cond({"StringEquals": {"s3:prefix": "reports/"}})), "s3:prefix"),
    ("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "trust", pol({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::402938475610:root"}, "Action": "sts:AssumeRole"}), "NotPrincipal"),
    ("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "trust", pol(trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})), '"*"'),
    ("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "trust", pol(trust({"AWS": "arn:aws:iam::402938475610:root"}, Resource="*")), "Resource"),
    ("TYPE_MISMATCH_IP_RANGE", "identity", pol(cond({"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}})), "203.0.113.0/33"),
    ("INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", "trust", pol(trust({"Federated": "corp saml"}, action="sts:AssumeRoleWithSAML")), "corp saml"),
    ("MISMATCHED_ACTION_FOR_PRINCIPAL", "trust", pol(trust({"Federated": "arn:aws:iam::402938475610:saml-provider/corp"})), "sts:AssumeRole"),
    ("MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", "trust", pol(trust({"Service": "rolesanywhere.amazonaws.com"}, action=["sts:AssumeRole", "sts:TagSession"])), "Action"),
    ("POLICY_SIZE_EXCEEDS_RCP_QUOTA", "rcp", pol({"Effect": "Deny", "Principal": "*", "Action": [f"s3:Get{i:04d}Things" for i in range(300)], "Resource": "*"}), ""),
    ("RCP_SYNTAX_ERROR_PRINCIPAL", "rcp", pol({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::402938475610:root"}, "Action": "s3:GetObject", "Resource": "*"}), '{"AWS": "arn:aws:iam::402938475610:root"}'),
    ("RCP_SYNTAX_ERROR_ALLOW", "rcp", pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}), "Allow"),
    ("RCP_SYNTAX_ERROR_NOTACTION", "rcp", pol({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"}), "NotAction"),
    ("INVALID_KMS_KEY_VALUE", "identity", pol(cond({"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "1234abcd-12ab-34cd-56ef-1234567890ab"}}, action="s3:PutObject")), "1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("INVALID_ARN_REGION", "identity", pol(allow(action="sqs:SendMessage", resource="arn:aws:sqs:useast1:402938475610:finops")), "arn:aws:sqs:useast1:402938475610:finops"),
    # SECURITY_WARNING
    ("ALLOW_WITH_NOT_PRINCIPAL", "bucket", pol({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::402938475610:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::finops-reports/*"}), "NotPrincipal"),
    ("FORALLVALUES_WITH_SINGLE_VALUED_KEY", "identity", pol(cond({"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}})), "ForAllValues:StringEquals"),
    ("PASS_ROLE_WITH_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "iam:PassRole"),
    ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "iam:*"),
    ("PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "NotAction"),
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "identity", pol(allow(action="iam:PassRole", resource="*")), "iam:PassRole"),
    ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "identity", pol(allow(action="*", resource="*")), "*"),
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "identity", pol({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), "NotAction"),
    ("MISSING_PAIRED_CONDITION_KEYS", "identity", pol(cond({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}})), "aws:VpcSourceIp"),
    ("DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "identity", pol({"Effect": "Deny", "Action": ["ec2:TerminateInstances", "s3:ListAllMyBuckets"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}}), "s3:ListAllMyBuckets"),
    ("DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "identity", pol({"Effect": "Deny", "NotAction": "ec2:DescribeInstances", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}}), "NotAction"),
    ("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "bucket", pol(grant({"Service": "cloudtrail.amazonaws.com"}, Action="s3:PutObject")), "Service"),
    ("MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", "trust", pol(trust({"Federated": "arn:aws:iam::402938475610:oidc-provider/accounts.google.com"}, action="sts:AssumeRoleWithWebIdentity")), "arn:aws:iam::402938475610:oidc-provider/accounts.google.com"),
    ("MISSING_GITHUB_REPO_CONDITION_KEY", "trust", pol(trust({"Federated": GH}, action="sts:AssumeRoleWithWebIdentity", Condition={"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})), GH),
    ("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "identity", pol(cond({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::402938475610:role/finops-*"}})), "aws:PrincipalArn"),
    ("DYNAMODB_ATTRIBUTES_WITHOUT_SELECT", "identity", pol(cond({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "cost"]}}, action="dynamodb:GetItem", resource="arn:aws:dynamodb:us-east-1:402938475610:table/costs")), "dynamodb:Attributes"),
    ("S3_PREFIX_IN_NEGATIVE_CONTEXT", "identity", pol({"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::finops-reports", "Condition": {"StringLike": {"s3:prefix": "private/*"}}}), "s3:prefix"),
    ("FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE", "trust", pol(trust({"Federated": GH}, action="sts:AssumeRoleWithWebIdentity", Condition={"ForAnyValue:StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/finops:ref:refs/heads/main"}})), "ForAnyValue:StringEquals"),
    # WARNING
    ("CREATE_SLR_WITH_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "iam:CreateServiceLinkedRole"),
    ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "*"),
    ("CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "identity", pol({"Effect": "Allow", "NotAction": "ec2:*", "NotResource": "arn:aws:iam::402938475610:role/admin"}), "NotAction"),
    ("CREATE_SLR_WITH_STAR_IN_RESOURCE", "identity", pol(allow(action="iam:CreateServiceLinkedRole", resource="*")), "iam:CreateServiceLinkedRole"),
    ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "identity", pol(allow(action="iam:*", resource="*")), "iam:*"),
    ("CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "identity", pol({"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"}), "NotAction"),
    ("INVALID_DATE_VALUE", "identity", pol(cond({"DateLessThan": {"aws:CurrentTime": "1798761599"}})), "1798761599"),
    ("INVALID_ROLE_REFERENCE", "bucket", pol(grant({"AWS": "AROAEXAMPLEID12345678"})), "AROAEXAMPLEID12345678"),
    ("INVALID_USER_REFERENCE", "bucket", pol(grant({"AWS": "AIDAEXAMPLEID12345678"})), "AIDAEXAMPLEID12345678"),
    ("MISSING_VERSION", "identity", pol(allow(), version=None), ""),
    ("UNIQUE_SIDS_RECOMMENDED", "resource", pol(grant({"AWS": "arn:aws:iam::402938475610:root"}, Sid="Read", Action="sqs:SendMessage", Resource="arn:aws:sqs:us-east-1:402938475610:finops"), grant({"AWS": "arn:aws:iam::402938475610:root"}, Sid="Read", Action="sqs:ReceiveMessage", Resource="arn:aws:sqs:us-east-1:402938475610:finops")), "Read"),
    ("WILDCARD_WITHOUT_LIKE_OPERATOR", "identity", pol(cond({"StringEquals": {"aws:PrincipalTag/team": "fin*"}})), "fin*"),
    ("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "identity", pol(allow(action=[f"ec2:Describe{i:04d}Things" for i in range(300)], resource="*")), ""),
    ("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", "bucket", pol(*[grant({"AWS": f"arn:aws:iam::{100000000000 + i}:root"}, Sid=f"S{i}") for i in range(160)]), ""),
    ("TYPE_MISMATCH", "identity", pol(cond({"StringEquals": {"aws:ViaAWSService": "true"}})), "aws:ViaAWSService"),
    ("TYPE_MISMATCH_BOOLEAN", "identity", pol(cond({"Bool": {"aws:SecureTransport": "yes"}})), "yes"),
    ("TYPE_MISMATCH_DATE", "identity", pol(cond({"DateLessThan": {"aws:CurrentTime": "next year"}})), "next year"),
    ("TYPE_MISMATCH_NUMBER", "identity", pol(cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "one hour"}})), "one hour"),
    ("TYPE_MISMATCH_STRING", "identity", pol(cond({"BinaryEquals": {"aws:PrincipalTag/key": "not base64!"}})), "not base64!"),
    ("SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", "trust", pol(trust({"Federated": GH}, action="sts:AssumeRoleWithWebIdentity", Condition={"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}})), "repo:acme/*"),
    ("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "trust", pol(trust({"AWS": [f"arn:aws:iam::{100000000000 + i}:root" for i in range(70)]})), ""),
    ("RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY", "rcp", pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}), "aws:PrincipalOrgID"),
    ("RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY", "rcp", pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"}}}), "aws:SourceOrgID"),
    # SUGGESTION
    ("EMPTY_ARRAY_ACTION", "identity", pol(allow(action=[])), "[]"),
    ("EMPTY_ARRAY_CONDITION", "identity", pol(cond({"StringEquals": {"aws:SourceVpc": []}})), "[]"),
    ("EMPTY_ARRAY_CONDITION_FORALLVALUES", "identity", pol(cond({"ForAllValues:StringEquals": {"aws:TagKeys": []}}, action="ec2:CreateTags", resource="*")), "[]"),
    ("EMPTY_ARRAY_CONDITION_FORANYVALUE", "identity", pol(cond({"ForAnyValue:StringEquals": {"aws:TagKeys": []}}, action="ec2:CreateTags", resource="*")), "[]"),
    ("EMPTY_ARRAY_CONDITION_IFEXISTS", "identity", pol(cond({"StringEqualsIfExists": {"aws:SourceVpc": []}})), "[]"),
    ("EMPTY_ARRAY_PRINCIPAL", "bucket", pol(grant({"AWS": []})), "[]"),
    ("EMPTY_ARRAY_RESOURCE", "identity", pol(allow(resource=[])), "[]"),
    ("EMPTY_OBJECT_CONDITION", "identity", pol(allow(Condition={})), '"Condition": {}'),
    ("EMPTY_OBJECT_PRINCIPAL", "bucket", pol(grant({})), '"Principal": {}'),
    ("EMPTY_SID_VALUE", "identity", pol(allow(Sid="")), '""'),
    ("IMPROVE_IP_RANGE", "identity", pol(cond({"IpAddress": {"aws:SourceIp": "203.0.113.7/24"}})), "203.0.113.7/24"),
    ("NULL_WITH_QUALIFIER", "identity", pol(cond({"ForAnyValue:Null": {"aws:TagKeys": "false"}}, action="ec2:CreateTags", resource="*")), "ForAnyValue:Null"),
    ("PRIVATE_IP_ADDRESS_SUBSET", "identity", pol(cond({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}})), "aws:SourceIp"),
    ("PRIVATE_NOT_IP_ADDRESS_SUBSET", "identity", pol({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "172.16.0.0/12"]}}}), "aws:SourceIp"),
    ("REDUNDANT_ACTION", "identity", pol(allow(action=["s3:GetObject", "s3:Get*"])), "s3:GetObject"),
    ("REDUNDANT_CONDITION_VALUE_NUM", "identity", pol(cond({"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600", "7200"]}})), '["3600", "7200"]'),
    ("REDUNDANT_RESOURCE", "identity", pol(allow(resource=["arn:aws:s3:::finops-reports/*", "arn:aws:s3:::finops-reports/2026/*"])), "arn:aws:s3:::finops-reports/2026/*"),
    ("WILDCARD_IN_SERVICE_NAME", "identity", pol(allow(action="codecommit:GitPull", resource="arn:aws:*code*:us-east-1:402938475610:finops")), "arn:aws:*code*:us-east-1:402938475610:finops"),
    ("ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "identity", pol({"Effect": "Allow", "Action": ["ec2:StartInstances", "s3:ListAllMyBuckets"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "finops"}}}), "s3:ListAllMyBuckets"),
    ("ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "identity", pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "finops"}}}), "NotAction"),
    ("REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION", "identity", pol(cond({"StringLikeIfExists": {"aws:PrincipalTag/team": "*"}})), "*"),
    ("REDUNDANT_STATEMENT", "identity", pol(allow(Sid="Read"), allow(action="s3:ListBucket", resource="arn:aws:s3:::finops-reports"), allow(Sid="ReadAgain")), "\"Sid\": \"ReadAgain\""),
    ("RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", "bucket", pol(grant({"Service": "cloudtrail.amazonaws.com"}, Action="s3:PutObject", Condition={"StringLike": {"aws:Referer": "finops-*"}})), "aws:Referer"),
    ("REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", "trust", pol(trust({"AWS": ["arn:aws:iam::402938475610:role/finops", "arn:aws:sts::402938475610:assumed-role/finops/reader"]})), "arn:aws:sts::402938475610:assumed-role/finops/reader"),
    ("CONFIRM_AUDIENCE_CLAIM_TYPE", "trust", pol(trust({"Federated": "arn:aws:iam::402938475610:oidc-provider/accounts.google.com"}, action="sts:AssumeRoleWithWebIdentity", Condition={"ForAllValues:StringEquals": {"accounts.google.com:aud": "finops-client"}})), "ForAllValues:StringEquals"),
]


def dump(v, indent=0):
    """JSON with objects on lines of their own and lists of plain values on one line."""
    pad = "  " * (indent + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        if len(v) == 1 and not isinstance(next(iter(v.values())), dict):
            return json.dumps(v)
        items = [f"{pad}{json.dumps(k)}: {dump(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
        items = [f"{pad}{dump(x, indent + 1)}" for x in v]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(v)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".json"):
            os.remove(os.path.join(OUT, f))
    rows = ["# issue code\tfixture\tpolicy type\tunderlined text (what Access Analyzer's location names)"]
    seen = set()
    for code, ptype, doc, underlined in CHECKS:
        assert code not in seen, code
        seen.add(code)
        name = code.lower().replace("_", "-") + ".json"
        text = doc if isinstance(doc, str) else dump(doc) + "\n"
        if underlined:
            assert underlined in text, (code, underlined)
        with open(os.path.join(OUT, name), "w") as h:
            h.write(text)
        rows.append(f"{code}\t{name}\t{ptype}\t{underlined}")
    with open(os.path.join(OUT, "checks.tsv"), "w") as h:
        h.write("\n".join(rows) + "\n")
    print(f"{len(CHECKS)} fixtures in {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
