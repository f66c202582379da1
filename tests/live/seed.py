#!/usr/bin/env python3
"""Seed the moto server for one live-audit test case (test data written by this project).

    seed.py ENDPOINT CASE

Creates the platform's IAM user `finops` with the guides' policies, the billing bucket and its
bucket policy, then breaks what CASE names.
"""
import json
import sys

import boto3

ENDPOINT, CASE = sys.argv[1], sys.argv[2]
BUCKET = "acme-finops-billing"
kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
iam = boto3.client("iam", **kw)
s3 = boto3.client("s3", **kw)
account = boto3.client("sts", **kw).get_caller_identity()["Account"]


def policy(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


if CASE == "auditor":
    # a read-only auditor that may not read the bucket policy
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="Audit", PolicyDocument=policy([
        {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "iam:Get*", "iam:List*", "s3:Get*", "s3:List*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetBucketPolicy", "Resource": "*"},
    ]))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    print(account, key["AccessKeyId"], key["SecretAccessKey"])
    sys.exit(0)


readonly = [
    {"Sid": "ReportDefinition", "Effect": "Allow", "Action": ["cur:DescribeReportDefinitions", "bcm-data-exports:ListExports", "bcm-data-exports:GetExport"], "Resource": "*"},
    {"Sid": "GetObject", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*"},
    {"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": f"arn:aws:s3:::{BUCKET}"},
]
discover = [{"Sid": "Discover", "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:GetMetricStatistics", "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicyStatus", "s3:GetBucketAcl", "s3:GetBucketTagging", "iam:ListUsers", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "cur:DescribeReportDefinitions"], "Resource": "*"}]
if CASE == "missing-get-object":
    readonly = [s for s in readonly if s["Sid"] != "GetObject"]

if CASE == "platform-role":
    # a role for Datadog: its account trusted without an external ID, the guides' read policy
    iam.create_role(RoleName="datadog-cost", AssumeRolePolicyDocument=policy([
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole"},
    ]))
    iam.put_role_policy(RoleName="datadog-cost", PolicyName="CostRead", PolicyDocument=policy(readonly))
iam.create_user(UserName="finops")
iam.put_user_policy(UserName="finops", PolicyName="ReadOnly", PolicyDocument=policy(readonly))
arn = iam.create_policy(PolicyName="DiscoverResources", PolicyDocument=policy(discover))["Policy"]["Arn"]
iam.attach_user_policy(UserName="finops", PolicyArn=arn)
if CASE == "group-deny":
    iam.create_group(GroupName="restricted")
    iam.add_user_to_group(GroupName="restricted", UserName="finops")
    iam.put_group_policy(GroupName="restricted", PolicyName="NoS3Reads", PolicyDocument=policy([{"Sid": "NoS3Reads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]))

s3.create_bucket(Bucket=BUCKET)
source_arn = [f"arn:aws:cur:us-east-1:{account}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{account}:export/*"]
if CASE == "wrong-source-arn":
    source_arn = [f"arn:aws:cur:eu-west-1:{account}:definition/*", f"arn:aws:bcm-data-exports:eu-west-1:{account}:export/*"]
if CASE != "no-bucket-policy":
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy([{
        "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy", "Effect": "Allow",
        "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
        "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"],
        "Condition": {"StringLike": {"aws:SourceAccount": account, "aws:SourceArn": source_arn}},
    }]))
# the export's delivered files
import gzip
header = "bill_billing_period_start_date,line_item_usage_account_id,line_item_usage_start_date,line_item_usage_end_date,line_item_line_item_type,line_item_resource_id,line_item_blended_cost"
if CASE == "no-resource-column":
    header = header.replace("line_item_resource_id,", "")
folder = {"other-prefix": "billing/reports/finops"}.get(CASE, "reports/finops")
if CASE != "no-files":
    body = gzip.compress((header + "\n2026-11-01T00:00:00Z,%s,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,i-0abc,0.42\n" % account).encode())
    s3.put_object(Bucket=BUCKET, Key=f"{folder}/data/BILLING_PERIOD=2026-11/finops-00001.csv.gz", Body=body)
    s3.put_object(Bucket=BUCKET, Key=f"{folder}/metadata/BILLING_PERIOD=2026-11/finops-Manifest.json", Body=b"{}")
print(account)
