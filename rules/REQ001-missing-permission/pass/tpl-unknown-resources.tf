variable "bucket" {}

data "aws_iam_policy_document" "finops" {
  statement {
    sid       = "ReadBilling"
    actions   = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"]
  }
  statement {
    sid = "Discovery"
    actions = [
      "ec2:Describe*", "cloudwatch:GetMetricStatistics", "s3:ListAllMyBuckets",
      "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicyStatus", "s3:GetBucketAcl",
      "s3:GetBucketTagging", "iam:ListUsers", "iam:GetLoginProfile", "iam:ListAccessKeys",
      "iam:GetAccessKeyLastUsed", "cur:DescribeReportDefinitions",
      "bcm-data-exports:ListExports", "bcm-data-exports:GetExport",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_user_policy" "finops" {
  user   = "finops"
  policy = data.aws_iam_policy_document.finops.json
}
