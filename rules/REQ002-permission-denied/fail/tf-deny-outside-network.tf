resource "aws_iam_policy" "r1" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "Discover"
        Effect = "Allow"
        Action = [
          "ec2:Describe*",
          "cloudwatch:GetMetricStatistics",
          "s3:ListAllMyBuckets",
          "s3:GetBucketLocation",
          "s3:GetBucketPublicAccessBlock",
          "s3:GetBucketPolicyStatus",
          "s3:GetBucketAcl",
          "s3:GetBucketTagging",
          "iam:ListUsers",
          "iam:GetLoginProfile",
          "iam:ListAccessKeys",
          "iam:GetAccessKeyLastUsed",
          "cur:DescribeReportDefinitions",
          "bcm-data-exports:ListExports",
          "bcm-data-exports:GetExport",
        ]
        Resource = "*"
      },
      {
        Sid = "BucketOperations"
        Effect = "Allow"
        Action = [
          "s3:ListBucket",
          "s3:GetBucketLocation",
        ]
        Resource = "arn:aws:s3:::acme-finops-billing"
      },
      {
        Sid = "GetObject"
        Effect = "Allow"
        Action = "s3:GetObject"
        Resource = "arn:aws:s3:::acme-finops-billing/reports/*"
      },
      {
        Sid = "OnlyFromOffice"
        Effect = "Deny"
        Action = "s3:*"
        Resource = "*"
        Condition = {
          NotIpAddress = {
            "aws:SourceIp" = "10.0.0.0/8"
          }
        }
      },
    ]
  })
}
