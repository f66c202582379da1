resource "aws_iam_policy" "r1" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "BucketOperations"
        Effect = "Allow"
        Action = [
          "s3:ListBucket",
          "s3:GetBucketLocation",
        ]
        Resource = "s3://acme-finops-billing"
      },
    ]
  })
}
