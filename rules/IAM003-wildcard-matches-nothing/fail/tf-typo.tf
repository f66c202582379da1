resource "aws_iam_policy" "r1" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "GetObject"
        Effect = "Allow"
        Action = "s3:Gett*"
        Resource = "arn:aws:s3:::acme-finops-billing/*"
      },
    ]
  })
}
